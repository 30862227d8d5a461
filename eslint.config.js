// Lint enforces the layering of docs/ARCHITECTURE.md; the per-folder tsconfigs enforce it a second time
// (runtime/shared sees neither Node nor the DOM). Do not relax these rules; add an exception with a reason.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';

const electronOnly = {
  name: 'electron',
  message: 'Only electron/ may import electron: the runtime and the renderer must run without it.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'bench/results/**', 'renderer/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    // <script lang="ts"> in Svelte components goes through the TypeScript parser.
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] }, globals: { ...globals.browser } },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [electronOnly], patterns: [{ group: ['electron/*'], message: electronOnly.message }] }],
    },
  },
  {
    // Logs go through one channel (runtime/logs/debug.ts); only the CLI talks to the terminal.
    files: ["runtime/**/*.ts", "runtime/**/*.cjs"],
    ignores: ['runtime/cli/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // Shared code imports nothing from the runtime, Node or the browser.
    files: ['runtime/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnly],
        patterns: [
          { group: ['node:*'], message: 'runtime/shared runs in the browser too: no Node built-ins.' },
          { group: ['../*', '!../shared/*'], message: 'runtime/shared may import only from runtime/shared.' },
        ],
      }],
    },
  },
  {
    // The renderer talks to the runtime only through the shared protocol (runtime/shared).
    files: ['renderer/**/*.ts', 'renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [electronOnly],
        patterns: [
          { group: ['node:*'], message: 'The renderer runs in a browser: no Node built-ins.' },
          { group: ['**/runtime/*', '!**/runtime/shared', '!**/runtime/shared/*'], message: 'The renderer may import only runtime/shared (the protocol and the error catalogue).' },
        ],
      }],
    },
  },
  {
    // Benchmarks and e2e tests run functions inside the page (page.evaluate): browser globals there.
    files: ['bench/ui/**/*.js', 'test/e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests read arbitrary JSON from the API under test.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Sample apps are the user's kind of code: CommonJS, as iisnode apps usually are.
    files: ['resources/samples/**/*.js', 'bench/**/apps/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    // svelte/no-inner-declarations (eslint-plugin-svelte 3.24) crashes on top-level functions of CommonJS
    // files ("Cannot read properties of null (reading 'isStrict')"); it only matters in Svelte files.
    rules: { '@typescript-eslint/no-require-imports': 'off', 'svelte/no-inner-declarations': 'off' },
  },
  {
    // The desktop shell is the one place that may import electron; it reaches the runtime only through the
    // process it starts and the shared contract (runtime/shared).
    files: ['electron/**/*.ts', 'electron/**/*.cts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/runtime/*', '!**/runtime/shared', '!**/runtime/shared/*'], message: 'electron/ may import only runtime/shared from the runtime.' }],
      }],
    },
  },
  {
    // A sandboxed preload is CommonJS and may require only 'electron'; `import x = require()` is how a .cts
    // file imports it under verbatimModuleSyntax.
    files: ['electron/preload.cts'],
    rules: { '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }] },
  },
  {
    // electron-builder loads its hooks with require(): CommonJS.
    files: ['build/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['runtime/workers/hook.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
