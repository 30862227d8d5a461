// iisnode compatibility, configuration: node_env and debuggingEnabled, an unknown <iisnode> attribute, and the
// iisnode.yml grammar's eight cases (iisnode functional tests 111, 116, 126). Configuration errors are shown
// to local callers as a 200 page naming the file and line (and column, for web.config), as iisnode answered them.
import { unlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, waitFor } from '../../../helpers/serve.js';
import { CompatFixtures, newGeneration } from './compat.js';

const fixtures = new CompatFixtures();

/** iisnode 126's cases (cases/<name>.yml in the fixture) and whether iisnode accepted each. */
const YML_CASES: Array<{ name: string; text: string; valid: boolean }> = [
  { name: 'empty', text: 'an empty file', valid: true },
  { name: 'noKey1', text: "': foo'", valid: false },
  { name: 'noKey2', text: "'   : bar'", valid: false },
  { name: 'emptyValue1', text: "'foo:'", valid: true },
  { name: 'emptyValue2', text: "'foo:    # comment'", valid: true },
  { name: 'unrecognizedKey', text: "'foo: bar' and 'baz: 12'", valid: true },
  { name: 'invalidBool', text: "'loggingEnabled: foobar'", valid: false },
  { name: 'emptyLine', text: "'foo:bar', blank lines, 'baz:7'", valid: true },
];

beforeAll(async () => {
  fixtures.start('111_node_env');
  fixtures.start('116_configerror');
  // One copy of 126's fixture per case, all served at once (iisnode ran them in sequence on one app).
  for (const c of YML_CASES) fixtures.start(`126_${c.name}`, { fixture: '126_node_config_syntax' });
  await fixtures.settled();
});
afterAll(() => fixtures.stopAll());

describe('iisnode compatibility: configuration', () => {
  it('iisnode 111: node_env="production" sets NODE_ENV; with debugging off /hello.js/debug is the app\'s; hello.js.logs/0.txt is 404', async () => {
    const app = await fixtures.app('111_node_env');
    const hello = await get(`${app.url}/hello.js`);
    expect(hello.status).toBe(200);
    expect(hello.text).toBe('Hello, world! [NODE_ENV]=production');
    const debug = await get(`${app.url}/hello.js/debug`);
    expect(debug.status).toBe(200);
    expect(debug.text).toBe('Hello, world! [NODE_ENV]=production');
    expect((await get(`${app.url}/hello.js.logs/0.txt`)).status).toBe(404);
  });

  it('iisnode 116: an unknown <iisnode idontexist="12"> attribute gives a local caller a 200 page naming file, line and column', async () => {
    const app = await fixtures.app('116_configerror');
    const r = await get(`${app.url}/hello.js`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('idontexist');
    expect(r.text).toMatch(new RegExp(`${escape(path.join(fixtures.folder('116_configerror'), 'web.config'))}:7:\\d+`));
  });

  for (const c of YML_CASES) {
    const outcome = c.valid ? 'accepted: the change recycles, "Hello, world 1"' : 'rejected: a 200 page naming iisnode.yml:1:col';
    // Each case has its own served copy, so the eight run side by side.
    it.concurrent(`iisnode 126: iisnode.yml case ${c.name} (${c.text}) is ${outcome}`, async ({ expect }) => {
      const app = await fixtures.app(`126_${c.name}`);
      const url = `${app.url}/hello.js`;
      const before = app.workerPids();
      const update = await get(`${url}?${c.name}`);
      expect(update.text).toBe('iisnode.yml updated');
      const yml = path.join(fixtures.folder(`126_${c.name}`), 'iisnode.yml');
      if (c.valid) {
        await waitFor(newGeneration(app, before, 1), 10_000, 'the recycle after the iisnode.yml change');
        const r = await get(url);
        expect(r.status).toBe(200);
        expect(r.text).toBe('Hello, world 1');
      } else {
        const r = await waitFor(async () => {
          const page = await get(url);
          return page.text.includes(yml) ? page : undefined;
        }, 10_000, 'the configuration error page');
        // iisnode's page said "unable to read the configuration file iisnode.yml"; ours names file, line, column.
        expect(r.status).toBe(200);
        expect(r.text).toMatch(new RegExp(`${yml.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:\\d+: `));
        // iisnode's test then deleted the file and went on with the app: removing it brings the app back.
        unlinkSync(yml);
        await waitFor(async () => /^Hello, world \d+$/.test((await get(url)).text), 10_000, 'the app after iisnode.yml is removed');
      }
    });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
