// Builds the workbench UI into dist/renderer, which the runtime's control API serves from the same origin
// as the API (so every API URL in the UI is relative). Run from anywhere:
//   npx vite build --config renderer/vite.config.ts
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Vite resolves a relative `root` against the working directory, not this file; anchor it here.
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // xterm alone is ~300 kB; one local bundle is fine for a loopback app.
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1' },
});
