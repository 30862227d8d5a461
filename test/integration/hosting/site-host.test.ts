// The runtime API the control API will serve (SiteHost), used in-process: per-worker stats, live worker
// count changes, kill and recycle commands, the log query and live tail, request records.
import { afterEach, describe, expect, it } from 'vitest';
import { SiteHost } from '../../../runtime/hosting/site-host.js';
import type { RequestRecord } from '../../../runtime/hosting/instance.js';
import type { LogRecord } from '../../../runtime/logs/log-store.js';
import { loadProject } from '../../../runtime/project/load-project.js';
import { ROOT, copyFixture, get, sleep, waitFor } from '../../helpers/serve.js';

let host: SiteHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function start(workers: number): Promise<SiteHost> {
  const h = new SiteHost(loadProject(copyFixture('apps/echo')), { port: 0, workers, env: { ...process.env, NODE_PATH: `${ROOT}node_modules` } });
  await h.start();
  expect(await h.whenReady()).toBe('running');
  return h;
}

describe('SiteHost', () => {
  it('reports each worker with pid, state, CPU, RSS and request counts', async () => {
    host = await start(2);
    for (let i = 0; i < 6; i++) await get(`${host.url}pid`);
    await waitFor(() => host!.snapshot().workers.every((w) => w.rss !== undefined), 5000, 'a stats sample');
    const s = host.snapshot();
    expect(s.state).toBe('running');
    expect(s.workerCount).toBe(2);
    expect(s.workers).toHaveLength(2);
    for (const w of s.workers) {
      expect(w.state).toBe('ready');
      expect(w.pid).toBeGreaterThan(0);
      expect(w.total).toBe(3);
      expect(w.active).toBe(0);
      expect(w.rss).toBeGreaterThan(1024 * 1024);
      expect(w.cpu).toBeGreaterThanOrEqual(0);
    }
  });

  it('changes the worker count live and keeps serving', async () => {
    host = await start(1);
    host.setWorkerCount(3);
    await waitFor(() => host!.snapshot().workers.filter((w) => w.state === 'ready').length === 3, 10_000, '3 ready workers');
    const pids = new Set<string>();
    for (let i = 0; i < 6; i++) pids.add((await get(`${host.url}pid`)).text);
    expect(pids.size).toBe(3);
    host.setWorkerCount(1);
    await waitFor(() => host!.snapshot().workers.length === 1, 10_000, 'one worker left');
    expect((await get(`${host.url}pid`)).status).toBe(200);
    expect(() => host!.setWorkerCount(0)).toThrow(/CB_ERR_CONFIG_VALUE|expected a whole number of at least 1/);
  });

  it('kills a worker on request and replaces it, keeping its last exit code', async () => {
    host = await start(2);
    const victim = host.snapshot().workers[0]!;
    expect(host.killWorker(victim.id)).toBe(true);
    expect(host.killWorker('no-such-worker')).toBe(false);
    await waitFor(() => host!.snapshot().workers.filter((w) => w.state === 'ready' && w.pid !== victim.pid).length === 2, 10_000, 'a replacement');
    expect(host.snapshot().lastExitCodes[victim.ordinal]).toBeNull();
  });

  it('recycles to a new generation on request', async () => {
    host = await start(2);
    const before = host.snapshot().workers.map((w) => w.pid);
    const events: string[] = [];
    host.events.on('recycling', ({ generation }) => events.push(`recycling ${generation}`));
    host.events.on('serving', ({ generation }) => events.push(`serving ${generation}`));
    host.recycle();
    await waitFor(() => host!.snapshot().generation === 2 && host!.snapshot().workers.every((w) => w.generation === 2 && w.state === 'ready'), 10_000, 'generation 2');
    expect(host.snapshot().workers.map((w) => w.pid).some((p) => before.includes(p))).toBe(false);
    expect(events).toEqual(['recycling 2', 'serving 2']);
  });

  it('keeps structured log records with a query API and a live tail', async () => {
    host = await start(1);
    const tailed: LogRecord[] = [];
    const unsubscribe = host.logs.subscribe((batch) => tailed.push(...batch));
    await get(`${host.url}stdout?n=3`);
    await get(`${host.url}stderr?msg=problem`);
    await waitFor(() => tailed.length >= 4, 5000, 'tailed records');
    unsubscribe();
    const pid = host.snapshot().workers[0]!.pid;
    const errors = host.logs.query({ stream: 'stderr' });
    expect(errors.map((r) => r.text)).toEqual(['problem']);
    expect(errors[0]).toMatchObject({ instance: 'local', pid, stream: 'stderr' });
    expect(host.logs.query({ text: 'LINE 1' }).map((r) => r.text)).toEqual([`line 1 from ${pid}`]);
    await get(`${host.url}stdout?n=1`);
    await sleep(100);
    expect(tailed.filter((r) => r.stream === 'stdout')).toHaveLength(3);
  });

  it('records every request with status, timing, worker and queue wait', async () => {
    host = await start(1);
    const seen: RequestRecord[] = [];
    host.subscribeRequests((r) => seen.push(r));
    await get(`${host.url}nowhere?x=1`);
    await get(`${host.url}pid`);
    expect(seen.map((r) => [r.method, r.url, r.status])).toEqual([
      ['GET', '/nowhere?x=1', 404],
      ['GET', '/pid', 200],
    ]);
    expect(seen[1]).toMatchObject({ instance: 'local', retries: 0, error: undefined, pid: host.snapshot().workers[0]!.pid });
    expect(seen[1]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen[1]!.queueMs).toBeGreaterThanOrEqual(0);
  });
});
