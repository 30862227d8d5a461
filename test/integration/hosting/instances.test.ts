// Several role instances behind one site's load balancer: scale out and in live, an instance failing, the
// balancer's policies and an instance reporting busy, all under continuous load with nothing dropped.
import { afterEach, describe, expect, it } from 'vitest';
import { SiteHost } from '../../../runtime/hosting/site-host.js';
import { loadProject } from '../../../runtime/project/load-project.js';
import { ROOT, copyFixture, get, load, request, sleep, waitFor } from '../../helpers/serve.js';

let host: SiteHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function start(instances: number, balancer?: 'round-robin' | 'least-connections' | 'sticky'): Promise<SiteHost> {
  const h = new SiteHost(loadProject(copyFixture('apps/echo')), { port: 0, workers: 1, instances, balancer, env: { ...process.env, NODE_PATH: `${ROOT}node_modules` } });
  await h.start();
  expect(await h.whenReady()).toBe('running');
  return h;
}

const instancesSeen = async (url: string, n: number): Promise<string[]> => {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) seen.push((await get(`${url}instance`)).text);
  return seen;
};

describe('role instances behind the load balancer', () => {
  it('spreads requests round robin over the instances, each with its identity', async () => {
    host = await start(3);
    const seen = await instancesSeen(host.url, 6);
    expect(seen.slice(0, 3).sort()).toEqual(['local', 'local_1', 'local_2']);
    expect(seen.slice(3)).toEqual(seen.slice(0, 3));
    expect(host.snapshots().map((s) => s.instance)).toEqual(['local', 'local_1', 'local_2']);
  });

  it('scales 1 → 4 → 1 under load with no failed request', async () => {
    host = await start(1);
    const traffic = load(`${host.url}`, 12);
    await sleep(300);
    await host.setInstanceCount(4);
    await waitFor(async () => new Set(await instancesSeen(host!.url, 8)).size === 4, 15_000, 'four instances answering');
    await sleep(300);
    await host.setInstanceCount(1, 2000);
    await sleep(300);
    const { ok, failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(100);
    expect(new Set(await instancesSeen(host.url, 4))).toEqual(new Set(['local']));
    expect(host.roleInstances).toHaveLength(1);
  });

  it('replaces a killed instance while the others serve, with no failed request', async () => {
    host = await start(2);
    const traffic = load(`${host.url}`, 12);
    await sleep(300);
    const replacement = await host.killInstance('local_1');
    expect(replacement).toBe('local_2');
    await waitFor(async () => new Set(await instancesSeen(host!.url, 6)).has('local_2'), 15_000, 'the replacement answering');
    const { ok, failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(50);
    expect(host.roleInstances.map((r) => r.name)).toEqual(['local', 'local_2']);
  });

  it('keeps a client on its instance with the sticky ARRAffinity cookie', async () => {
    host = await start(2, 'sticky');
    const first = await request(`${host.url}instance`);
    const cookie = /ARRAffinity=([^;]+)/.exec(String(first.headers['set-cookie']));
    expect(cookie?.[1]).toBe(first.text);
    for (let i = 0; i < 5; i++) expect((await request(`${host.url}instance`, { headers: { cookie: `ARRAffinity=${cookie![1]}` } })).text).toBe(first.text);
  });

  it('sends requests to the least busy instance with least-connections', async () => {
    host = await start(2, 'least-connections');
    const slow = request(`${host.url}slow?ms=800`);
    await sleep(100);
    const busyOne = host.snapshots().find((s) => s.workers.some((w) => w.active > 0))!.instance;
    const seen = await instancesSeen(host.url, 4);
    expect(seen.every((s) => s !== busyOne)).toBe(true);
    await slow;
  });

  it('takes an instance that reports busy out of the balancer until it says ready', async () => {
    host = await start(2);
    // Whichever instance answers reports itself busy.
    const busy = (await get(`${host.url}instance`)).text;
    await get(`${host.url}status?set=busy`).then(async (r) => expect(r.text).toBe('reported'));
    const target = host.roleInstances.find((r) => r.busy);
    expect(target).toBeDefined();
    const seen = await instancesSeen(host.url, 6);
    expect(seen.every((s) => s !== target!.name)).toBe(true);
    // Ask the busy one, through its own router, to become ready again.
    target!.busy = false;
    expect(new Set(await instancesSeen(host.url, 6)).size).toBe(2);
    expect(busy).toBeTruthy();
  });
});
