// iisnode compatibility, node failures: with devErrorsEnabled (the default) iisnode answered HTTP 200 with an
// explanation page, without it the plain 500 (iisnode functional tests 112 and 120).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from '../../../helpers/serve.js';
import { CompatFixtures } from './compat.js';

const fixtures = new CompatFixtures();

beforeAll(async () => {
  fixtures.start('112_on', { fixture: path.join('112_dev_errors', 'on') });
  fixtures.start('112_off', { fixture: path.join('112_dev_errors', 'off') });
  fixtures.start('120_dev_errors_exception');
  await fixtures.settled();
});
afterAll(() => fixtures.stopAll());

describe('iisnode compatibility: dev errors', () => {
  it('iisnode 112: nodeProcessCommandLine="idontexist.exe" answers 200 with devErrorsEnabled, 500 without', async () => {
    const on = await fixtures.app('112_on');
    expect((await get(`${on.url}/hello.js`)).status).toBe(200);
    const off = await fixtures.app('112_off');
    expect((await get(`${off.url}/hello.js`)).status).toBe(500);
  });

  it('iisnode 120: an app that throws while starting gets a 200 page with its stderr HTML-escaped', async () => {
    const app = await fixtures.app('120_dev_errors_exception');
    const r = await get(`${app.url}/hello.js`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('Starting &lt;b&gt;hello.js&lt;/b&gt; &amp; failing on purpose');
    expect(r.text).not.toContain('<b>hello.js</b>');
  });
});
