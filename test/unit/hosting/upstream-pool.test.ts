// The pool of keep-alive connections to one worker, over real sockets: it keeps at most maxIdle idle
// connections (iisnode's maxNamedPipeConnectionPoolSize), reuses them, and closes the rest.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamPool } from '../../../runtime/hosting/upstream-pool.js';
import type { Upstream } from '../../../runtime/hosting/upstream-pool.js';

let server: net.Server;
let port = 0;
const accepted: net.Socket[] = [];

beforeAll(async () => {
  server = net.createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const s of accepted) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const connected = (up: Upstream) => new Promise<void>((resolve) => (up.connected ? resolve() : up.socket.once('connect', () => resolve())));

describe('UpstreamPool', () => {
  it('keeps at most maxIdle idle connections and closes the others on release', async () => {
    const pool = new UpstreamPool({ kind: 'tcp', host: '127.0.0.1', port }, 10_000, 64 * 1024, 2);
    const ups = [pool.acquire(), pool.acquire(), pool.acquire()];
    await Promise.all(ups.map(connected));
    for (const up of ups) pool.release(up, true);
    expect(pool.idleCount).toBe(2);
    await new Promise<void>((resolve) => (ups[2]!.closed ? resolve() : ups[2]!.socket.once('close', () => resolve())));
    expect(ups[2]!.closed).toBe(true);
    // The kept ones are handed out again, newest first.
    const again = pool.acquire();
    expect(again).toBe(ups[1]);
    expect(again.reused).toBe(true);
    pool.close();
  });

  it('keeps up to 512 by default', async () => {
    const pool = new UpstreamPool({ kind: 'tcp', host: '127.0.0.1', port }, 10_000, 64 * 1024);
    const ups = Array.from({ length: 4 }, () => pool.acquire());
    await Promise.all(ups.map(connected));
    for (const up of ups) pool.release(up, true);
    expect(pool.idleCount).toBe(4);
    pool.close();
  });
});
