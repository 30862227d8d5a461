// iisnode 109_helloworld_debug: the debugger URLs of a web.config project. node-inspector is gone; the same
// URLs now attach the workbench's debugger (docs/debugging.md). `/hello.js/debug` → 301 to the slash form;
// `/hello.js/debug/` → 200 (attached); `?kill` twice → iisnode's two messages; `?brk` → debugging from start;
// with debuggingEnabled="false" the URL is the app's (test 111's half of it).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, request } from '../../../helpers/serve.js';
import { CompatFixtures } from './compat.js';

const fixtures = new CompatFixtures();

beforeAll(async () => {
  fixtures.start('109_helloworld_debug');
  fixtures.start('109_disabled', {
    fixture: '109_helloworld_debug',
    prepare: (folder) => {
      const file = path.join(folder, 'web.config');
      writeFileSync(file, readFileSync(file, 'utf8').replace('</handlers>', '</handlers>\n    <iisnode debuggingEnabled="false" />'));
    },
  });
  await fixtures.settled();
}, 30_000);
afterAll(() => fixtures.stopAll());

async function targets(key: string): Promise<Array<{ mode: string; worker: string }>> {
  const app = await fixtures.app(key);
  const u = new URL(app.workbenchUrl);
  const token = new URLSearchParams(u.hash.slice(1)).get('token') as string;
  const res = await fetch(`${u.origin}/api/debug/targets`, { headers: { Authorization: `Bearer ${token}` } });
  return ((await res.json()) as { targets: Array<{ mode: string; worker: string }> }).targets;
}

describe('109_helloworld_debug', () => {
  it('redirects /hello.js/debug to /hello.js/debug/', async () => {
    const app = await fixtures.app('109_helloworld_debug');
    const r = await request(`${app.url}/hello.js/debug`);
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('/hello.js/debug/');
  });

  it('attaches the debugger at /hello.js/debug/, ends it with ?kill, and says so when nothing runs', async () => {
    const app = await fixtures.app('109_helloworld_debug');
    const page = await get(`${app.url}/hello.js/debug/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Debugger view');
    expect(page.text).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/#\/debugger\?worker=\d+"/);
    // The page is on the app's origin: the control token is never in it.
    expect(page.text).not.toContain(new URL(app.workbenchUrl).hash.slice('#token='.length));
    expect(await targets('109_helloworld_debug')).toMatchObject([{ mode: 'attach' }]);
    expect((await get(`${app.url}/hello.js`)).text).toBe('Hello, world!');

    const killed = await get(`${app.url}/hello.js/debug/?kill`);
    expect(killed.status).toBe(200);
    expect(killed.text).toBe('The debugger and debugee processes have been killed.');
    expect(await targets('109_helloworld_debug')).toEqual([]);
    expect((await get(`${app.url}/hello.js/debug/?kill`)).text).toBe('The debugger for the application is not running.');
  });

  it('debugs from start with ?brk, and ?kill lets the app run again', async () => {
    const app = await fixtures.app('109_helloworld_debug');
    const brk = await get(`${app.url}/hello.js/debug/?brk`);
    expect(brk.status).toBe(200);
    expect(brk.text).toContain('stopped before its first line');
    expect(await targets('109_helloworld_debug')).toMatchObject([{ mode: 'start' }]);
    expect((await get(`${app.url}/hello.js/debug/?kill`)).text).toBe('The debugger and debugee processes have been killed.');
    expect((await get(`${app.url}/hello.js`)).text).toBe('Hello, world!');
  });

  it('sends the debug URL to the app when debuggingEnabled is false', async () => {
    const app = await fixtures.app('109_disabled');
    const r = await get(`${app.url}/hello.js/debug`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('Hello, world!');
    expect(await targets('109_disabled')).toEqual([]);
  });
});
