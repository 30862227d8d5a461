// Editing web.config or iisnode.yml recycles with the new settings (iisnode tests 124/125); a broken edit is
// reported with file:line:col and the site recovers once it is fixed.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, get, request, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

let app: Served | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

const distinctPids = async (url: string, tries = 8): Promise<number> => {
  const pids = new Set<string>();
  for (let i = 0; i < tries; i++) pids.add((await get(`${url}/pid`)).text);
  return pids.size;
};

describe('configuration changes', () => {
  it('applies an iisnode.yml edit (process count 1 → 3, enableXFF on) with a recycle', async () => {
    const folder = copyFixture('apps/echo');
    writeFileSync(path.join(folder, 'iisnode.yml'), 'nodeProcessCountPerApplication: 1\n');
    app = await serve(folder);
    expect(await distinctPids(app.url)).toBe(1);
    expect(JSON.parse((await get(`${app.url}/headers`)).text).headers['x-forwarded-for']).toBeUndefined();
    writeFileSync(path.join(folder, 'iisnode.yml'), '# edited\nnodeProcessCountPerApplication: 3\nenableXFF: true\n');
    await waitFor(async () => (await distinctPids(app!.url, 9)) === 3, 15_000, 'three workers');
    expect(app.output()).toMatch(/configuration changed: recycling/);
    expect(JSON.parse((await get(`${app.url}/headers`)).text).headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('reports a broken web.config edit with file:line:col and recovers once it is fixed', async () => {
    const folder = copyFixture('iis/kudu');
    app = await serve(folder, ['--workers', '1']);
    const before = JSON.parse((await request(`${app.url}/api/x`)).text);
    expect(before.url).toBe('/api/x');
    const file = path.join(folder, 'web.config');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('<system.webServer>', '<system.webServer>\n    <iisnode enableXFF="maybe"/>'));
    const broken = await waitFor(async () => {
      const r = await get(`${app!.url}/api/x`);
      return r.text.includes('configuration cannot be applied') ? r : undefined;
    }, 15_000, 'the configuration error page');
    // iisnode's contract for local callers (tests 116, 126): HTTP 200 with the explanation.
    expect(broken.status).toBe(200);
    expect(broken.text).toContain('The previous settings keep running');
    expect(broken.text).toContain(`${file}:`);
    expect(broken.text).toContain('enableXFF');
    expect(app.output()).toMatch(/configuration cannot be applied/);
    // Fixed: the site serves again.
    writeFileSync(file, good);
    await waitFor(async () => (await get(`${app!.url}/api/x`)).text.startsWith('{'), 15_000, 'the site to recover');
  });

  it('starts with a broken web.config: serves the error page on the app URL, then the app once it is fixed', async () => {
    const folder = copyFixture('iis/kudu');
    const file = path.join(folder, 'web.config');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('<system.webServer>', '<system.webServer>\n    <iisnode idontexist="1"/>'));
    app = await serve(folder, ['--workers', '1']);
    expect(app.output()).toMatch(/CB_ERR_CONFIG_ATTRIBUTE: .*web\.config:\d+:\d+/);
    const page = await get(`${app.url}/api/x`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('idontexist');
    expect(page.text).toMatch(/web\.config:\d+:\d+/);
    expect(page.text).toContain('The app starts as soon as the file is fixed');
    writeFileSync(file, good);
    const fixed = await waitFor(async () => {
      // The error page's listener hands the port over to the app: a connection may be refused meanwhile.
      const r = await get(`${app!.url}/api/x`).catch(() => undefined);
      return r?.text.startsWith('{') ? r : undefined;
    }, 15_000, 'the app on the same URL');
    expect(JSON.parse(fixed.text).url).toBe('/api/x');
    expect(app.output()).toMatch(/the configuration is fixed/);
  });
});
