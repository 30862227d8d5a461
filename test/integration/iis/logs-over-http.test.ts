// iisnode served the log folder at the app's logDirectory URL (functional test 105 reads it); Cloudbench does
// so for callers on this machine only, with a listing and the files.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, get, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

let app: Served;
beforeAll(async () => {
  const folder = copyFixture('apps/echo');
  writeFileSync(
    path.join(folder, 'web.config'),
    '<configuration><system.webServer><handlers><add name="iisnode" path="server.js" verb="*" modules="iisnode"/></handlers><rewrite><rules><rule name="app"><match url=".*"/><action type="Rewrite" url="server.js"/></rule></rules></rewrite></system.webServer></configuration>',
  );
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
