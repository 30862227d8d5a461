// The front end and two real workers: environment, dispatch order, header handling, protocol edge cases.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, get, request, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

/** Sends raw bytes and collects everything until the server closes or `until` matches. */
function raw(url: string, bytes: string | Buffer, until?: RegExp, timeoutMs = 5000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(got);
    }, timeoutMs);
    socket.on('data', (c) => {
      got += c.toString('latin1');
      if (until?.test(got)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(got);
    });
    socket.on('error', reject);
    socket.write(bytes);
  });
}

describe('cloudbench serve with two workers', () => {
  let app: Served;
  let folder: string;

  beforeAll(async () => {
    folder = copyFixture('apps/echo');
    app = await serve(folder, ['--workers', '2'], { IISNODE_node_env: 'staging' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('prints the URL and serves the app', async () => {
    expect(app.output()).toMatch(/serving .* at http:\/\/127\.0\.0\.1:\d+\/ \(2 workers ready, entry server\.js from package\.json main\)/);
    const r = await get(`${app.url}/`);
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^hello from \d+/);
  });

  it('gives workers a pipe PORT, NODE_ENV, IISNODE_VERSION and the app folder as cwd', async () => {
    const env = JSON.parse((await get(`${app.url}/env`)).text);
    expect(env.PORT).toMatch(process.platform === 'win32' ? /^\\\\\.\\pipe\\/ : /\.sock$/);
    expect(env.NODE_ENV).toBe('staging');
    expect(env.IISNODE_VERSION).toBeTruthy();
    expect(env.CLOUDBENCH_WORKER).toBe('1');
    expect(env.cwd).toBe(folder);
  });

  it('alternates sequential requests between the workers, as iisnode test 114 expects (1,1,2,2)', async () => {
    // Align both counters first: whatever came before, make the next request go to the worker after the last.
    const pids = new Set<string>();
    for (let i = 0; i < 4; i++) pids.add((await get(`${app.url}/pid`)).text);
    expect(pids.size).toBe(2);
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) counts.push(Number((await get(`${app.url}/count`)).text));
    // Each worker's counter rises by one every second request.
    expect(counts[2]! - counts[0]!).toBe(1);
    expect(counts[3]! - counts[1]!).toBe(1);
    expect(counts[4]! - counts[2]!).toBe(1);
    expect(counts[5]! - counts[3]!).toBe(1);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await get(`${app.url}/pid`)).text);
    expect(order[0]).not.toBe(order[1]);
    expect(order[0]).toBe(order[2]);
    expect(order[1]).toBe(order[3]);
  });

  it('forwards request headers, including empty values and repeats, and drops hop-by-hop ones', async () => {
    const r = await request(`${app.url}/headers?q=1`, { headers: { 'x-foo': '', 'x-multi': 'a', Connection: 'keep-alive, x-secret', 'x-secret': 'hop', 'Keep-Alive': 'timeout=9' } });
    const seen = JSON.parse(r.text);
    expect(seen.url).toBe('/headers?q=1');
    expect(seen.headers['x-foo']).toBe('');
    expect(seen.headers['x-secret']).toBeUndefined();
    expect(seen.headers['keep-alive']).toBeUndefined();
    expect(seen.headers.host).toBe(new URL(app.url).host);
    // enableXFF is off by default (iisnode's default).
    expect(seen.headers['x-forwarded-for']).toBeUndefined();
  });

  it('keeps duplicate response headers (iisnode test 122)', async () => {
    const text = await raw(app.url, 'GET /dup HTTP/1.1\r\nHost: x\r\n\r\n', /\r\n\r\nok/);
    expect(text.match(/^Foo: /gm)).toHaveLength(2);
    expect(text).toMatch(/^Foo: one\r$/m);
    expect(text).toMatch(/^Foo: two\r$/m);
    expect(text.match(/^Set-Cookie: /gm)).toHaveLength(2);
  });

  it('echoes a POST body', async () => {
    const r = await request(`${app.url}/echo`, { method: 'POST', body: 'hello body', headers: { 'Content-Type': 'text/plain' } });
    expect(r.status).toBe(200);
    expect(r.text).toBe('hello body');
    expect(r.headers['content-type']).toBe('text/plain');
  });

  it('passes the app\'s own 404 through', async () => {
    const r = await get(`${app.url}/nowhere`);
    expect(r.status).toBe(404);
    expect(r.text).toBe('no route /nowhere');
  });

  it('answers HEAD without a body and keeps the connection usable', async () => {
    const text = await raw(app.url, 'HEAD /fixed?bytes=10 HTTP/1.1\r\nHost: x\r\n\r\nGET /pid HTTP/1.1\r\nHost: x\r\n\r\n', /Content-Length: \d+\r\n[\s\S]*\r\n\r\n\d+$/);
    const responses = text.split('HTTP/1.1 ').filter(Boolean);
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatch(/^200 OK\r\n[\s\S]*Content-Length: 10\r\n[\s\S]*\r\n\r\n$/);
  });

  it('answers pipelined requests in order', async () => {
    const text = await raw(app.url, 'GET /slow?ms=200 HTTP/1.1\r\nHost: x\r\n\r\nGET /fixed?bytes=3 HTTP/1.1\r\nHost: x\r\n\r\n', /yyy$/);
    expect(text.indexOf('slow ')).toBeGreaterThan(0);
    expect(text.indexOf('slow ')).toBeLessThan(text.indexOf('yyy'));
  });

  it('serves HTTP/1.0 clients with close-delimited bodies and closes', async () => {
    const text = await raw(app.url, 'GET / HTTP/1.0\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).not.toMatch(/Transfer-Encoding/i);
    expect(text).toMatch(/Connection: close/);
    expect(text).toMatch(/hello from \d+\n$/);
  });

  it('rejects a request with both Content-Length and Transfer-Encoding (smuggling) with 400', async () => {
    const text = await raw(app.url, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toMatch(/Content-Length and Transfer-Encoding/);
  });

  it('rejects obs-fold and malformed request lines with 400', async () => {
    expect(await raw(app.url, 'GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(app.url, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(app.url, 'GET / HTTP/2.0\r\nHost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 505 /);
  });

  it('answers 431 to a request head larger than maxRequestBufferSize (64 KB)', async () => {
    const text = await raw(app.url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70 * 1024)}\r\n\r\n`);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('sends 100 Continue for Expect: 100-continue and then the response', async () => {
    const text = await raw(app.url, 'POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc', /abc\r\n0\r\n\r\n$/);
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
  });
});
