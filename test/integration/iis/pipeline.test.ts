// What IIS does in front of iisnode, on real fixture sites: URL Rewrite (iisnode test 103, Azure's Kudu
// template), default documents (test 102), request filtering, and the static file handler.
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, get, request, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

function rawGet(url: string, pathname: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname);
    let got = '';
    s.on('data', (c) => (got += c));
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.write(`GET ${pathname} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

describe('URL Rewrite (iisnode test 103)', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serve(copyFixture('iis/url-rewrite'), ['--workers', '1']);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('rewrites hello/* to hello.js and the app sees the original URL, query included', async () => {
    for (const url of ['/hello/', '/hello/foo', '/hello/foo/bar', '/hello/?a=b', '/hello/foo?x=1&y=2', '/hello/foo/bar?q', '/hello/%20x']) {
      const r = await get(`${app.url}${url}`);
      expect(r.status, url).toBe(200);
      expect(r.text, url).toBe(`[${url}]`);
    }
  });

  it('answers redirects and custom responses from rules', async () => {
    const redirect = await rawGet(app.url, '/old/page?x=1');
    expect(redirect).toMatch(/^HTTP\/1\.1 301 /);
    expect(redirect).toMatch(/\r\nLocation: \/?new\/page\?x=1\r\n/);
    const gone = await get(`${app.url}/gone`);
    expect(gone.status).toBe(410);
    expect(gone.text).toContain('It is gone for good');
  });

  it('does not send paths without a handler to the app', async () => {
    const r = await get(`${app.url}/elsewhere`);
    expect(r.status).toBe(404);
  });
});

describe('Azure Kudu web.config: static files from public/, the rest to server.js', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serve(copyFixture('iis/kudu'), ['--workers', '1']);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves static files with their MIME type, ETag and Last-Modified', async () => {
    const r = await get(`${app.url}/css/site.css`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('body { color: rebeccapurple; }\n');
    expect(r.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(r.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(r.headers['last-modified']).toBeTruthy();
    const again = await request(`${app.url}/css/site.css`, { headers: { 'If-None-Match': r.headers.etag as string } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const since = await request(`${app.url}/css/site.css`, { headers: { 'If-Modified-Since': r.headers['last-modified'] as string } });
    expect(since.status).toBe(304);
  });

  it('answers byte ranges, HEAD and unsatisfiable ranges', async () => {
    const part = await request(`${app.url}/css/site.css`, { headers: { Range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(part.text).toBe('body');
    expect(part.headers['content-range']).toBe('bytes 0-3/31');
    const tail = await request(`${app.url}/css/site.css`, { headers: { Range: 'bytes=-3' } });
    expect(tail.text).toBe(' }\n');
    const bad = await request(`${app.url}/css/site.css`, { headers: { Range: 'bytes=100-200' } });
    expect(bad.status).toBe(416);
    const head = await request(`${app.url}/css/site.css`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('31');
    expect(head.body.length).toBe(0);
  });

  it('sends / to the app: public/ is a folder, not a file, so the DynamicContent rule applies (as on Azure)', async () => {
    expect(JSON.parse((await get(`${app.url}/`)).text)).toEqual({ url: '/', original: '/' });
    expect((await get(`${app.url}/index.html`)).text).toContain('from public/index.html');
  });

  it('sends everything that is not a file to server.js, which sees the original URL', async () => {
    const r = JSON.parse((await get(`${app.url}/api/items?id=7`)).text);
    expect(r).toEqual({ url: '/api/items?id=7', original: '/api/items?id=7' });
  });

  it('does not let a client forge X-Original-URL', async () => {
    const r = JSON.parse((await request(`${app.url}/api/x`, { headers: { 'X-Original-URL': '/admin' } })).text);
    expect(r.original).toBe('/api/x');
  });

  it('keeps the NodeInspector rule: /server.js/debug reaches iisnode\'s debugger URL unrewritten', async () => {
    // debuggingEnabled is iisnode's default: the URL is the debugger's (a redirect to the slash form), not
    // rewritten to public/ or sent to the app as static content would be.
    const r = await rawGet(app.url, '/server.js/debug');
    expect(r).toMatch(/^HTTP\/1\.1 301 /);
    expect(r).toMatch(/\r\nLocation: \/server\.js\/debug\/\r\n/i);
  });

  it('does not climb out of public/ with dot segments', async () => {
    const r = await rawGet(app.url, '/css/..%2f..%2fweb.config');
    expect(r).not.toContain('<configuration>');
  });

  it('refuses to serve files whose type has no MIME mapping', async () => {
    const r = await get(`${app.url}/notes.unknownext`);
    expect(r.status).toBe(404);
  });
});

describe('default documents and request filtering (iisnode test 102)', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serve(copyFixture('iis/default-document'), ['--workers', '1']);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('sends GET / to index.js through <defaultDocument>', async () => {
    const r = await get(`${app.url}/`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('default document answered /');
  });

  it('redirects a folder requested without its trailing slash, and refuses a folder with no default document', async () => {
    const redirect = await rawGet(app.url, '/empty-folder?x=1');
    expect(redirect).toMatch(/^HTTP\/1\.1 301 /);
    expect(redirect).toMatch(/\r\nLocation: \/empty-folder\/\?x=1\r\n/);
    expect((await get(`${app.url}/empty-folder/`)).status).toBe(403);
    expect((await get(`${app.url}/empty-folder/notes.txt`)).text).toBe('a folder with no default document\n');
  });

  it('never serves web.config or anything under bin (hiddenSegments)', async () => {
    const config = await get(`${app.url}/web.config`);
    expect(config.status).toBe(404);
    expect(config.text).not.toContain('<configuration>');
    expect((await get(`${app.url}/bin/tool.js`)).status).toBe(404);
  });

  it('sends requests for the handler script itself to node', async () => {
    expect((await get(`${app.url}/index.js?z=1`)).text).toBe('default document answered /index.js?z=1');
  });
});

describe('handler verbs', () => {
  let app: Served;
  beforeAll(async () => {
    const folder = copyFixture('apps/echo');
    writeFileSync(
      path.join(folder, 'web.config'),
      '<configuration><system.webServer><handlers><add name="iisnode" path="server.js" verb="GET,HEAD" modules="iisnode"/></handlers></system.webServer></configuration>',
    );
    app = await serve(folder, ['--workers', '1']);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('sends only the handler\'s verbs to node; other verbs reach the static file handler, which answers 405', async () => {
    // GET reaches the app, which sees /server.js and has no route for it.
    const viaNode = await get(`${app.url}/server.js`);
    expect(viaNode.text).toBe('no route /server.js');
    const post = await request(`${app.url}/server.js`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(post.text).not.toContain('createServer');
  });
});
