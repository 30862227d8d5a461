// Bodies both ways through the front end: 30 MB uploads and downloads (iisnode tests 140-142), chunked
// framing in both directions (test 123, 113) and WebSocket pass-through (tests 130/131).
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, request, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

describe('streaming through the front end', () => {
  let app: Served;

  beforeAll(async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '2']);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('uploads 31 MB with Content-Length (iisnode test 141)', async () => {
    const body = Buffer.alloc(31 * 1024 * 1024, 7);
    const r = await request(`${app.url}/upload`, { method: 'POST', body });
    expect(JSON.parse(r.text)).toEqual({ bytes: body.length, te: null, cl: String(body.length) });
  });

  it('downloads 30 MB intact (iisnode test 140)', async () => {
    const r = await request(`${app.url}/download?mb=30`);
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(30 * 1024 * 1024);
    expect(r.body.every((b) => b === 120)).toBe(true);
  });

  it('echoes a 31 MB upload back as a 31 MB download (iisnode test 142), byte for byte', async () => {
    const body = Buffer.alloc(31 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE(i, i);
    const r = await request(`${app.url}/echo`, { method: 'POST', body });
    expect(r.body.length).toBe(body.length);
    expect(createHash('sha256').update(r.body).digest('hex')).toBe(createHash('sha256').update(body).digest('hex'));
  });

  it('forwards a chunked upload as chunked (iisnode test 123)', async () => {
    const result = await new Promise<string>((resolve, reject) => {
      const req = http.request(`${app.url}/upload`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.write('abc');
      setTimeout(() => {
        req.write('defg');
        req.end();
      }, 100);
    });
    expect(JSON.parse(result)).toEqual({ bytes: 7, te: 'chunked', cl: null });
  });

  it('streams a 2-chunk raw upload and keeps the empty body case working', async () => {
    const { hostname, port } = new URL(app.url);
    const text = await new Promise<string>((resolve) => {
      const s = net.connect(Number(port), hostname);
      let got = '';
      s.on('data', (c) => {
        got += c;
        if (/\r\n0\r\n\r\n$/.test(got) && got.split('HTTP/1.1 200').length === 3) {
          s.destroy();
          resolve(got);
        }
      });
      s.write('POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n');
      s.write('POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
    });
    expect(text).toMatch(/X-Transfer-Encoding: chunked/);
    expect(text.replace(/\r\n[0-9a-f]+\r\n/g, '')).toMatch(/abcdefg/);
  });

  it('delivers chunks as the app writes them, not all at the end (iisnode test 113)', async () => {
    const arrivals: number[] = [];
    const start = Date.now();
    const text = await new Promise<string>((resolve, reject) => {
      http
        .get(`${app.url}/chunks`, (res) => {
          expect(res.headers['transfer-encoding']).toBe('chunked');
          let all = '';
          res.on('data', (c) => {
            arrivals.push(Date.now() - start);
            all += c;
          });
          res.on('end', () => resolve(all));
        })
        .on('error', reject);
    });
    expect(text).toBe(Array.from({ length: 10 }, (_, i) => `chunk${i}\n`).join(''));
    expect(arrivals.length).toBeGreaterThanOrEqual(5);
    expect(arrivals[arrivals.length - 1]! - arrivals[0]!).toBeGreaterThan(200);
  });

  it('passes WebSocket upgrades through and echoes messages (iisnode tests 130/131)', async () => {
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/ws`);
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('message', (data) => {
        received.push(data.toString());
        if (received.length === 6) resolve();
      });
      ws.on('open', () => {
        let i = 0;
        const timer = setInterval(() => {
          ws.send(`message ${i}`);
          if (++i === 5) clearInterval(timer);
        }, 50);
      });
    });
    ws.close();
    expect(received[0]).toMatch(/^hello \d+$/);
    expect(received.slice(1)).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4']);
  });

  it('passes a refused upgrade (no WebSocket route) back as an ordinary response', async () => {
    const ws = new WebSocket(`${app.url.replace('http', 'ws')}/not-ws`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    // ws answers 400 for a path it does not serve: the app's own refusal, passed through as a plain response.
    expect(status).toBe(400);
  });
});

describe('WebSocket frames that arrive with the 101 response', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1']);
  });
  afterAll(async () => {
    await app?.stop();
  });

  // Regression: the worker's first frame, read together with its 101, was written before the 101 itself.
  it('delivers the greeting sent right after the handshake, every time', async () => {
    for (let i = 0; i < 20; i++) {
      const ws = new WebSocket(`${app.url.replace('http', 'ws')}/ws`);
      const first = await new Promise<string>((resolve, reject) => {
        ws.on('error', reject);
        ws.on('message', (data) => resolve(data.toString()));
      });
      ws.close();
      expect(first).toMatch(/^hello \d+$/);
    }
  });
});
