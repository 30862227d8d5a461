// What happens when workers die, restart and recycle: requests wait or are retried, never dropped.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alive, copyFixture, get, load, request, serve, sleep, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

let app: Served | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('worker crashes', () => {
  it('retries a GET whose worker died after receiving it, on another worker', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '2']);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cb-crash-'));
    const r = await get(`${app.url}/crash-once?dir=${encodeURIComponent(dir)}`);
    expect(r.status).toBe(200);
    const crashedPid = readFileSync(path.join(dir, 'crashed'), 'utf8');
    expect(r.text).toMatch(/^survived on \d+$/);
    expect(r.text).not.toContain(crashedPid);
  });

  it('answers 502 with the stderr tail, HTML-escaped, when a POST kills its worker', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '2']);
    const r = await request(`${app.url}/crash`, { method: 'POST', body: 'x' });
    expect(r.status).toBe(502);
    expect(r.headers['x-cloudbench-error']).toBe('CB_ERR_HOSTING_WORKER_DIED');
    expect(r.text).toContain('POST is not idempotent');
    expect(r.text).toContain('crashing on purpose &lt;POST&gt; &amp; gone');
    // The slot is refilled: the app keeps answering on two workers.
    await waitFor(async () => new Set([(await get(`${app!.url}/pid`)).text, (await get(`${app!.url}/pid`)).text]).size === 2, 5000, 'a replacement worker beside the other');
  });

  it('loses no request when workers are killed with SIGKILL under load', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '2']);
    const traffic = load(`${app.url}/`, 16);
    for (let i = 0; i < 2; i++) {
      await sleep(600);
      const victim = app.workerPids()[0] as number;
      process.kill(victim, 'SIGKILL');
      await waitFor(() => !alive(victim), 5000, 'the killed worker to be gone');
    }
    await sleep(800);
    const { ok, failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(200);
    expect(app.workerPids()).toHaveLength(2);
  });

  it('marks a crash loop failed, shows stderr, and recovers when the file is fixed', async () => {
    const folder = copyFixture('apps/crash-on-start');
    app = await serve(folder, ['--workers', '2']);
    expect(app.output()).toMatch(/fails to start/);
    const r = await get(`${app.url}/`);
    expect(r.status).toBe(500);
    expect(r.text).toContain('CB_ERR_HOSTING_INSTANCE_FAILED');
    expect(r.text).toContain('starting &lt;app&gt; &amp; about to fail');
    expect(r.text).toContain('boom at startup');
    // No restart storm: the workers are gone and stay gone.
    await sleep(500);
    expect(app.workerPids()).toHaveLength(0);

    writeFileSync(path.join(folder, 'server.js'), "require('node:http').createServer((q, s) => s.end('fixed')).listen(process.env.PORT);\n");
    await waitFor(async () => (await get(`${app!.url}/`)).text === 'fixed', 15_000, 'the fixed app to answer');
  });
});

describe('recycling when watched files change', () => {
  it('switches to new workers with no failed request under load', async () => {
    const folder = copyFixture('apps/echo');
    app = await serve(folder, ['--workers', '2']);
    const before = new Set(app.workerPids());
    const traffic = load(`${app.url}/`, 16);
    await sleep(500);
    const file = path.join(folder, 'server.js');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edit 1\n`);
    await waitFor(() => app!.workerPids().every((p) => !before.has(p)) && app!.workerPids().length === 2, 10_000, 'the new generation');
    const mid = new Set(app.workerPids());
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edit 2\n`);
    await waitFor(() => app!.workerPids().every((p) => !mid.has(p)) && app!.workerPids().length === 2, 10_000, 'the third generation');
    await sleep(300);
    const { ok, failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(100);
  });

  it('recycles once for a burst of saves, and serves the new code', async () => {
    const folder = copyFixture('apps/echo');
    app = await serve(folder, ['--workers', '1']);
    const first = app.workerPids();
    const file = path.join(folder, 'server.js');
    const source = readFileSync(file, 'utf8').replace('hello from', 'hi from');
    for (let i = 0; i < 5; i++) writeFileSync(file, `${source}\n// save ${i}\n`);
    await waitFor(async () => (await get(`${app!.url}/`)).text.startsWith('hi from'), 10_000, 'the new code');
    await sleep(600);
    // One recycle: generation 2 and no generation 3.
    expect(app.output().match(/recycling/g)).toHaveLength(1);
    expect(app.output()).toMatch(/generation 2 is serving/);
    expect(app.output()).not.toMatch(/generation 3/);
    const now = app.workerPids();
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(first[0]);
  });

  it('lets an old worker finish a request until gracefulShutdownTimeout, then kills it', async () => {
    const folder = copyFixture('apps/echo');
    app = await serve(folder, ['--workers', '1'], { IISNODE_gracefulShutdownTimeout: '1500' });
    const [old] = app.workerPids();
    // Two requests on the old worker: one ends within the timeout, the other would take 30 s. (A POST, so the
    // front end does not replay it on the new worker once the old one is gone: it answers 502 then.)
    const quick = get(`${app.url}/slow?ms=500`);
    const stuck = request(`${app.url}/slow?ms=30000`, { method: 'POST', body: '' }).then((r) => r.status, () => 'reset');
    await sleep(100);
    const file = path.join(folder, 'server.js');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edit\n`);
    const started = Date.now();
    expect((await quick).text).toBe(`slow ${old}`);
    await waitFor(() => !alive(old as number), 10_000, 'the old worker killed');
    // Not before the timeout (1.5 s from the recycle, which starts a little after the save).
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(await stuck).toBe(502);
    expect((await get(`${app.url}/pid`)).text).not.toBe(String(old));
  });

  it('ignores files that watchedFiles does not name', async () => {
    const folder = copyFixture('apps/echo');
    app = await serve(folder, ['--workers', '1']);
    const pid = (await get(`${app.url}/pid`)).text;
    writeFileSync(path.join(folder, 'notes.txt'), 'not watched');
    await sleep(800);
    expect((await get(`${app.url}/pid`)).text).toBe(pid);
  });
});

describe('the request queue', () => {
  it('holds requests while the only worker is busy, then 503s with Retry-After when full', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1', '--queue-length', '1'], { IISNODE_maxConcurrentRequestsPerProcess: '1' });
    const slow = get(`${app.url}/slow?ms=800`);
    await sleep(100);
    const queued = get(`${app.url}/pid`);
    await sleep(100);
    const rejected = await get(`${app.url}/pid`);
    expect(rejected.status).toBe(503);
    expect(rejected.headers['retry-after']).toBe('1');
    expect(rejected.headers['x-cloudbench-error']).toBe('CB_ERR_HOSTING_QUEUE_FULL');
    expect((await slow).status).toBe(200);
    expect((await queued).status).toBe(200);
  });

  it('answers 503 when a request waited longer than the queue timeout', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1', '--queue-timeout', '300'], { IISNODE_maxConcurrentRequestsPerProcess: '1' });
    const slow = get(`${app.url}/slow?ms=1200`);
    await sleep(100);
    const started = Date.now();
    const waited = await get(`${app.url}/pid`);
    expect(waited.status).toBe(503);
    expect(waited.headers['x-cloudbench-error']).toBe('CB_ERR_HOSTING_QUEUE_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await slow).status).toBe(200);
  });

  it('with devErrorsEnabled=false answers plain statuses without details', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1', '--queue-length', '0'], { IISNODE_maxConcurrentRequestsPerProcess: '1', IISNODE_devErrorsEnabled: 'false' });
    const slow = get(`${app.url}/slow?ms=500`);
    await sleep(100);
    const r = await get(`${app.url}/pid`);
    expect(r.status).toBe(503);
    expect(r.text).toBe('503 Service Unavailable\n');
    await slow;
  });
});
