// iisnode compatibility, what happens to requests and responses on the way: response framing, custom headers,
// X-Forwarded-*, promoted server variables, repeated response headers, uploads and the iisnode-debug header
// (iisnode functional tests 113, 115, 118, 119, 122, 123, 132).
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, request } from '../../../helpers/serve.js';
import { CompatFixtures, raw } from './compat.js';

const fixtures = new CompatFixtures();

beforeAll(async () => {
  for (const name of ['113_encoding', '115_customheaders', '118_xff', '119_servervars', '122_multipleResponseHeaders', '123_upload', '132_debug_header']) fixtures.start(name);
  await fixtures.settled();
});
afterAll(() => fixtures.stopAll());

/** POSTs with Transfer-Encoding: chunked, the body in the given pieces. */
function postChunked(url: string, pieces: string[]): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

describe('iisnode compatibility: requests and responses', () => {
  it('iisnode 113: Content-Length, one-chunk and ten-chunk responses arrive intact', async () => {
    const app = await fixtures.app('113_encoding');
    const fixed = await get(`${app.url}/hello.js`);
    expect(fixed.status).toBe(200);
    expect(fixed.text).toBe('content-length response');
    expect(fixed.headers['content-length']).toBe('23');
    const one = await get(`${app.url}/hello.js?onechunk`);
    expect(one.status).toBe(200);
    expect(one.text).toBe('chunked response');
    expect(one.headers['transfer-encoding']).toBe('chunked');
    const ten = await get(`${app.url}/hello.js?tenchunks`);
    expect(ten.status).toBe(200);
    expect(ten.text).toBe('0123456789');
    expect(ten.headers['transfer-encoding']).toBe('chunked');
  });

  it('iisnode 115: request header x-foo (also empty) comes back as x-bar and x-got-foo', async () => {
    const app = await fixtures.app('115_customheaders');
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'x-foo': 'foobar' }, 'foobar'],
      [{ 'x-foo': '' }, ''],
      [{ 'x-foo': '', 'x-baz': 'foobar' }, ''],
    ];
    for (const [headers, bar] of cases) {
      const r = await request(`${app.url}/hello.js`, { method: 'POST', headers });
      expect(r.status).toBe(200);
      expect(r.text).toBe('Hello, world');
      expect(r.headers['x-bar']).toBe(bar);
      expect(r.headers['x-got-foo']).toBe('true');
    }
  });

  it('iisnode 118: enableXFF adds X-Forwarded-For (appended, de-duplicated) and X-Forwarded-Proto unless present', async () => {
    const app = await fixtures.app('118_xff');
    const plain = await get(`${app.url}/hello.js`);
    expect(plain.status).toBe(200);
    expect(plain.text).toBe('Request contains X-Forwarded-For and X-Forwarded-Proto headers');
    expect(plain.headers['x-echo-x-forwarded-for']).toBe('127.0.0.1');
    expect(plain.headers['x-echo-x-forwarded-proto']).toBe('http');
    const https = await request(`${app.url}/hello.js`, { method: 'POST', headers: { 'X-Forwarded-Proto': 'https' } });
    expect(https.text).toBe('Request contains X-Forwarded-For and X-Forwarded-Proto headers');
    expect(https.headers['x-echo-x-forwarded-for']).toBe('127.0.0.1');
    expect(https.headers['x-echo-x-forwarded-proto']).toBe('https');
    const appended = await request(`${app.url}/hello.js`, { headers: { 'X-Forwarded-For': '1.1.1.1' } });
    expect(appended.headers['x-echo-x-forwarded-for']).toBe('1.1.1.1, 127.0.0.1');
    const deduplicated = await request(`${app.url}/hello.js`, { headers: { 'X-Forwarded-For': '1.1.1.1, 127.0.0.1' } });
    expect(deduplicated.headers['x-echo-x-forwarded-for']).toBe('1.1.1.1, 127.0.0.1');
  });

  it('iisnode 119: promoteServerVars="REQUEST_METHOD,AUTH_USER" sends x-iisnode-request_method: GET', async () => {
    const app = await fixtures.app('119_servervars');
    const r = await get(`${app.url}/hello.js`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('x-iisnode-request_method: GET');
  });

  it('iisnode 122: two Foo response headers both reach a raw client', async () => {
    const app = await fixtures.app('122_multipleResponseHeaders');
    const { host } = new URL(app.url);
    const text = await raw(app.url, `GET /hello.js HTTP/1.1\r\nHost: ${host}\r\n\r\n`, /Hello, world!/);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text).toContain('Foo: Val1');
    expect(text).toContain('Foo: Val2');
  });

  it('iisnode 123: chunked, non-chunked and empty uploads; node sees Transfer-Encoding: chunked; a raw 2-chunk upload', async () => {
    const app = await fixtures.app('123_upload');
    const url = `${app.url}/hello.js`;
    expect(await postChunked(url, ['abc'])).toEqual({ status: 200, text: 'true-abc' });
    expect(await request(url, { method: 'POST', body: 'def' })).toMatchObject({ status: 200, text: 'false-def' });
    expect(await postChunked(url, [])).toEqual({ status: 200, text: 'true-' });
    expect(await request(url, { method: 'POST', body: '' })).toMatchObject({ status: 200, text: 'false-' });
    const { host } = new URL(app.url);
    const text = await raw(app.url, `POST /hello.js HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n`, /true-abcdefg/);
    expect(text.indexOf('true-abcdefg')).toBeGreaterThan(0);
  });

  it('iisnode 132: debugHeaderEnabled adds an iisnode-debug header starting with http://bit.ly/NsU2nd#', async () => {
    const app = await fixtures.app('132_debug_header');
    const r = await get(`${app.url}/hello.js`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('Hello, world!');
    expect(typeof r.headers['iisnode-debug']).toBe('string');
    expect((r.headers['iisnode-debug'] as string).startsWith('http://bit.ly/NsU2nd#')).toBe(true);
  });
});
