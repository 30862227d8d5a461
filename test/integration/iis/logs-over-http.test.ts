// iisnode served the log folder at the app's logDirectory URL (functional test 105 reads it); Cloudbench does
// so for callers on this machine, with a listing and the files, and for others only with the workbench token.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, get, request, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

const WEB_CONFIG = '<configuration><system.webServer><handlers><add name="iisnode" path="server.js" verb="*" modules="iisnode"/></handlers><rewrite><rules><rule name="app"><match url=".*"/><action type="Rewrite" url="server.js"/></rule></rules></rewrite></system.webServer></configuration>';

let app: Served;
beforeAll(async () => {
  const folder = copyFixture('apps/echo');
  writeFileSync(path.join(folder, 'web.config'), WEB_CONFIG);
  app = await serve(folder, ['--workers', '1']);
});
afterAll(async () => {
  await app?.stop();
});

describe('the log folder over HTTP', () => {
  it('lists the log files, stderr marked, and serves them', async () => {
    await get(`${app.url}/stderr?msg=${encodeURIComponent('visible in the log file')}`);
    const listing = await waitFor(async () => {
      const r = await get(`${app.url}/iisnode/`);
      return r.text.includes('-stderr-') ? r : undefined;
    }, 5000, 'the stderr file in the listing');
    expect(listing.status).toBe(200);
    expect(listing.headers['content-type']).toBe('text/html; charset=utf-8');
    const name = /href="([^"]+-stderr-\d+\.txt)"/.exec(listing.text)?.[1] as string;
    expect(listing.text).toMatch(/class="err"/);
    const file = await get(`${app.url}/iisnode/${name}`);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(file.text).toContain('visible in the log file');
    expect((await get(`${app.url}/iisnode/index.html`)).text).toContain(name);
  });

  it('serves nothing else from there', async () => {
    for (const p of ['/iisnode/..%2fweb.config', '/iisnode/secret.txt', '/iisnode/%2e%2e/server.js']) {
      const r = await get(`${app.url}${p}`);
      expect(r.status, p).toBe(404);
      expect(r.text).not.toContain('<configuration>');
    }
  });
});

// A caller on another machine: this machine's own non-loopback address, with the site bound to every interface.
const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);

describe.skipIf(!external)('the log folder for callers on other machines', () => {
  let remote: Served;
  let base: string;
  let token: string;
  beforeAll(async () => {
    const folder = copyFixture('apps/echo');
    writeFileSync(path.join(folder, 'web.config'), WEB_CONFIG);
    remote = await serve(folder, ['--workers', '1', '--host', '0.0.0.0']);
    base = `http://${external!.address}:${new URL(remote.url).port}`;
    token = new URL(remote.workbenchUrl).hash.replace('#token=', '');
    await get(`${remote.url}/stderr?msg=${encodeURIComponent('only with the token')}`);
    await waitFor(async () => ((await get(`${remote.url}/iisnode/`)).text.includes('-stderr-') ? true : undefined), 5000, 'the stderr file');
  });
  afterAll(async () => {
    await remote?.stop();
  });

  it('answers 404 without the token or with a wrong one, while the app itself answers', async () => {
    expect((await get(`${base}/`)).status).toBe(200);
    expect((await get(`${base}/iisnode/`)).status).toBe(404);
    expect((await request(`${base}/iisnode/`, { headers: { Authorization: 'Bearer wrong' } })).status).toBe(404);
    expect((await get(`${base}/iisnode/?token=wrong`)).status).toBe(404);
    const r = await request(`${base}/iisnode/`, { headers: { Cookie: 'cloudbench-logs=wrong' } });
    expect(r.status).toBe(404);
    expect(r.text).not.toContain('-stderr-');
  });

  it('lists and serves the files with the token as a bearer header', async () => {
    const listing = await request(`${base}/iisnode/`, { headers: { Authorization: `Bearer ${token}` } });
    expect(listing.status).toBe(200);
    const name = /href="([^"]+-stderr-\d+\.txt)"/.exec(listing.text)?.[1] as string;
    const file = await request(`${base}/iisnode/${name}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(file.status).toBe(200);
    expect(file.text).toContain('only with the token');
  });

  it('takes the token once in the query and keeps it in an HttpOnly cookie for the folder', async () => {
    const listing = await get(`${base}/iisnode/?token=${encodeURIComponent(token)}`);
    expect(listing.status).toBe(200);
    const setCookie = String(listing.headers['set-cookie']);
    expect(setCookie).toMatch(/^cloudbench-logs=[^;]+; Path=\/iisnode\/; HttpOnly; SameSite=Strict/);
    const name = /href="([^"]+-stderr-\d+\.txt)"/.exec(listing.text)?.[1] as string;
    const file = await request(`${base}/iisnode/${name}`, { headers: { Cookie: setCookie.split(';')[0] as string } });
    expect(file.status).toBe(200);
    expect(file.text).toContain('only with the token');
  });
});
