// A heterogeneous site (issue 4): a URL Rewrite rule with an absolute URL sends /api/* to another app server
// on this machine, as IIS's Application Request Routing did; the rest goes to node.
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, get, request, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

describe('heterogeneous site: node plus another server behind one URL', () => {
  let app: Served;
  let other: http.Server;
  let otherPort = 0;
  const seen: Array<{ method: string; url: string; host: string; body: string; chunked: boolean }> = [];

  beforeAll(async () => {
    // The other app server: a real HTTP server that echoes what it received.
    other = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', host: req.headers.host ?? '', body, chunked: req.headers['transfer-encoding'] === 'chunked' });
        res.setHeader('X-Other', 'yes');
        res.end(`other saw ${req.method} ${req.url} ${body}`);
      });
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherPort = (other.address() as AddressInfo).port;
    const folder = copyFixture('iis/heterogeneous');
    const file = path.join(folder, 'web.config');
    writeFileSync(file, readFileSync(file, 'utf8').replace('OTHER_PORT', String(otherPort)));
    app = await serve(folder, ['--workers', '1']);
  });
  afterAll(async () => {
    await app?.stop();
    await new Promise((resolve) => other?.close(resolve));
  });

  it('sends /api/* to the other server with its path, query and Host, and the rest to node', async () => {
    const r = await get(`${app.url}/api/items/7?full=1`);
    expect(r.status, r.text).toBe(200);
    expect(r.text).toBe('other saw GET /items/7?full=1 ');
    expect(r.headers['x-other']).toBe('yes');
    expect(seen.at(-1)?.host).toBe(`127.0.0.1:${otherPort}`);
    const n = await get(`${app.url}/anything/else`);
    expect(n.text).toBe('node saw /anything/else');
  });

  it('streams request bodies, chunked included, and keeps the connection to the other server alive', async () => {
    const plain = await request(`${app.url}/api/echo`, { method: 'POST', body: 'hello' });
    expect(plain.text).toBe('other saw POST /echo hello');
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${app.url}/api/echo`, { method: 'POST' }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      for (const part of ['a', 'b', 'c']) req.write(part); // no Content-Length: Node sends it chunked
      req.end();
    });
    expect(chunked).toBe('other saw POST /echo abc');
    expect(seen.at(-1)?.chunked).toBe(true);
  });

  it('answers 502 naming the target when the other server is down, and recovers when it is back', async () => {
    await new Promise((resolve) => other.close(resolve));
    other.closeAllConnections();
    const r = await get(`${app.url}/api/x`);
    expect(r.status).toBe(502);
    expect(r.text).toContain('CB_ERR_HOSTING_PROXY');
    expect(r.text).toContain(`http://127.0.0.1:${otherPort}/x`);
    await new Promise<void>((resolve) => other.listen(otherPort, '127.0.0.1', resolve));
    expect((await get(`${app.url}/api/back`)).text).toBe('other saw GET /back ');
  });
});
