import { describe, expect, it } from 'vitest';
import { parse } from 'jsonc-parser';
import { attachConfiguration, mergeLaunchJson } from '../../../runtime/debug/launch-json.js';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';

const config = attachConfiguration('Cloudbench: worker #1', 5058);

describe('mergeLaunchJson', () => {
  it('creates the file when there is none', () => {
    const text = mergeLaunchJson(undefined, config);
    expect(JSON.parse(text)).toEqual({ version: '0.2.0', configurations: [config] });
    expect(config).toMatchObject({ type: 'node', request: 'attach', address: '127.0.0.1', port: 5058 });
  });

  it('adds an entry and keeps the others, the comments and trailing commas', () => {
    const existing = `// my launch configurations
{
  "version": "0.2.0",
  /* keep me */
  "configurations": [
    { "type": "node", "request": "launch", "name": "Run", "program": "\${workspaceFolder}/server.js" }, // the app
  ],
}
`;
    const text = mergeLaunchJson(existing, config);
    expect(text).toContain('// my launch configurations');
    expect(text).toContain('/* keep me */');
    expect(text).toContain('// the app');
    const parsed = parse(text, [], { allowTrailingComma: true });
    expect(parsed.configurations.map((c: any) => c.name)).toEqual(['Run', 'Cloudbench: worker #1']);
    expect(parsed.configurations[1]).toEqual(config);
  });

  it('replaces the entry of the same name instead of adding a second one', () => {
    const once = mergeLaunchJson(undefined, config);
    const twice = mergeLaunchJson(once, attachConfiguration('Cloudbench: worker #1', 5060));
    const parsed = JSON.parse(twice);
    expect(parsed.configurations).toHaveLength(1);
    expect(parsed.configurations[0].port).toBe(5060);
  });

  it('adds configurations to a file that has none', () => {
    expect(parse(mergeLaunchJson('{ "version": "0.2.0" }', config)).configurations).toEqual([config]);
  });

  it('refuses a broken file instead of overwriting it', () => {
    for (const bad of ['{ "configurations": [ }', '[1, 2]', '{ "configurations": 3 }']) {
      let error: unknown;
      try {
        mergeLaunchJson(bad, config, '/app/.vscode/launch.json');
      } catch (err) {
        error = err;
      }
      expect(isCloudbenchError(error, 'CB_ERR_DEBUG_LAUNCH_JSON'), bad).toBe(true);
    }
  });
});
