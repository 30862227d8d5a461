// iisnode compatibility, long-lived and large exchanges: WebSockets and 30 MB bodies both ways (iisnode
// functional tests 130, 131, 140, 141, 142). iisnode gave each 10 s; so do these.
import http from 'node:http';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatFixtures } from './compat.js';

const fixtures = new CompatFixtures();
const MB = 1024 * 1024;

beforeAll(async () => {
  for (const name of ['130_websocket_onetwothree', '131_websocket_echo', '140_large_download', '141_large_upload', '142_large_upload_download']) fixtures.start(name);
  await fixtures.settled();
});
afterAll(() => fixtures.stopAll());

/** Sends `kb` KB in 1 KB writes (as iisnode's test did) and counts the response bytes; returns status, size, text head. */
function exchange(url: string, method: string, kb: number): Promise<{ status: number; bytes: number; head: string; ms: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let bytes = 0;
      let head = '';
      res.on('data', (c: Buffer) => {
        if (head.length < 64) head += c.subarray(0, 64).toString('latin1');
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, head, ms: Date.now() - start }));
      res.on('error', reject);
    });
    req.on('error', reject);
    const buffer = Buffer.alloc(1024);
    for (let i = 0; i < kb; i++) req.write(buffer);
    req.end();
  });
}

describe('iisnode compatibility: WebSockets and large bodies', () => {
  it('iisnode 130: a WebSocket client receives one, two, three, then the close, within 10 s', async () => {
    const app = await fixtures.app('130_websocket_onetwothree');
    const ws = new WebSocket(`${app.url.replace(/^http/, 'ws')}/server.js`);
    const lines: string[] = [];
    ws.on('message', (data) => lines.push(data.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no close within 10 s; got ${JSON.stringify(lines)}`)), 10_000);
      ws.on('error', reject);
      ws.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(lines.slice(0, 3)).toEqual(['one', 'two', 'three']);
  });

  it('iisnode 131: a WebSocket echoes 5 messages sent 200 ms apart', async () => {
    const app = await fixtures.app('131_websocket_echo');
    const lines = ['The', 'cat', 'in', 'the', 'hat'];
    const ws = new WebSocket(`${app.url.replace(/^http/, 'ws')}/server.js`);
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not echoed within 10 s; got ${JSON.stringify(received)}`)), 10_000);
      ws.on('error', reject);
      ws.on('open', () => {
        lines.forEach((line, i) => setTimeout(() => ws.send(line), i * 200));
      });
      ws.on('message', (data) => {
        received.push(data.toString());
        if (received.length === lines.length) ws.close();
      });
      ws.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    expect(received).toEqual(lines);
  });

  it('iisnode 140: a 30 MB download arrives whole within 10 s', async () => {
    const app = await fixtures.app('140_large_download');
    const r = await exchange(`${app.url}/hello.js`, 'GET', 0);
    expect(r.status).toBe(200);
    expect(r.bytes).toBe(30 * MB);
    expect(r.ms).toBeLessThan(10_000);
  });

  it('iisnode 141: a 31 MB upload arrives whole (the app counts 32505856 bytes)', async () => {
    const app = await fixtures.app('141_large_upload');
    const r = await exchange(`${app.url}/hello.js`, 'POST', 31 * 1024);
    expect(r.status).toBe(200);
    expect(r.head).toBe(String(31 * MB));
    expect(r.ms).toBeLessThan(10_000);
  });

  it('iisnode 142: a 31 MB upload answered with a 30 MB download', async () => {
    const app = await fixtures.app('142_large_upload_download');
    const r = await exchange(`${app.url}/hello.js`, 'POST', 31 * 1024);
    expect(r.status).toBe(200);
    expect(r.bytes).toBe(30 * MB);
    expect(r.ms).toBeLessThan(10_000);
  });
});
