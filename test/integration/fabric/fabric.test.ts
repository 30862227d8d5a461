// The fabric under continuous load: deploy to staging, swap (also with preview), a failed warm-up that must
// leave production alone, scale 1 → 4 → 1; deployments are immutable and slot-sticky settings stay put.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Fabric } from '../../../runtime/fabric/fabric.js';
import type { FabricConfig } from '../../../runtime/fabric/fabric-config.js';
import { ROOT, copyFixture, get, load, sleep } from '../../helpers/serve.js';

let fabric: Fabric | undefined;
afterEach(async () => {
  await fabric?.close();
  fabric = undefined;
});

const CONFIG: FabricConfig = {
  instances: 1,
  balancer: 'round-robin',
  environments: [{ name: 'test', instances: 2, settings: { SHARED: 'all' }, slotSettings: { production: { STICKY: 'prod' }, staging: { STICKY: 'stage' } }, ports: {} }],
  warmupPath: '/health',
  warmupStatuses: [200],
  workerRoles: [],
  healthProbe: undefined,
  sources: [],
  webRole: 'WebRole',
  localSettings: {}, workerRoleSettings: {},
};

async function startFabric(): Promise<Fabric> {
  const f = new Fabric({ config: CONFIG, store: mkdtempSync(path.join(os.tmpdir(), 'cb-deployments-')), site: { workers: 1, env: { ...process.env, NODE_PATH: `${ROOT}node_modules` } } });
  await f.start();
  return f;
}

const json = async (url: string) => JSON.parse((await get(url)).text);
const urls = (f: Fabric) => {
  const slots = f.view()[0]!.slots;
  return { production: slots.find((s) => s.name === 'production')!.url, staging: slots.find((s) => s.name === 'staging')!.url };
};

describe('fabric: deploy, swap, scale', () => {
  it('deploys an immutable snapshot to staging, with the slot settings and a distinct URL', async () => {
    fabric = await startFabric();
    const folder = copyFixture('apps/versioned');
    const { production, staging } = urls(fabric);
    expect(production).not.toBe(staging);
    expect((await get(production)).status).toBe(503); // nothing deployed yet
    const d = await fabric.deploy('test', folder);
    // Editing the folder afterwards changes nothing in the slot.
    writeFileSync(path.join(folder, 'version.txt'), 'v2\n');
    const r = await json(staging);
    expect(r).toMatchObject({ version: 'v1', slot: 'staging', sticky: 'stage', shared: 'all' });
    expect(fabric.view()[0]!.slots.find((s) => s.name === 'staging')!.deployment!.id).toBe(d.id);
    // The same content deploys to the same snapshot.
    writeFileSync(path.join(folder, 'version.txt'), 'v1\n');
    expect((await fabric.deploy('test', folder)).id).toBe(d.id);
  });

  it('swaps under load with no failed request; sticky settings stay with their slot; a second swap rolls back', async () => {
    fabric = await startFabric();
    const folder = copyFixture('apps/versioned');
    await fabric.deploy('test', folder);
    await fabric.swap('test'); // v1 to production
    writeFileSync(path.join(folder, 'version.txt'), 'v2\n');
    await fabric.deploy('test', folder); // v2 to staging
    const { production, staging } = urls(fabric);
    expect(await json(production)).toMatchObject({ version: 'v1', sticky: 'prod' });
    const traffic = load(production, 12);
    await sleep(300);
    const record = await fabric.swap('test');
    await sleep(300);
    const { ok, failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(50);
    expect(record.result).toBe('completed');
    expect(record.steps.map((s) => s.ok)).toEqual([true, true, true, true, true]);
    expect(await json(production)).toMatchObject({ version: 'v2', slot: 'production', sticky: 'prod' });
    expect(await json(staging)).toMatchObject({ version: 'v1', slot: 'staging', sticky: 'stage' });
    // Roll back: swap again.
    await fabric.swap('test');
    expect(await json(production)).toMatchObject({ version: 'v1', sticky: 'prod' });
    expect(fabric.history.map((h) => h.result)).toEqual(['completed', 'completed', 'completed']);
  });

  it('aborts a swap whose warm-up fails and leaves production untouched', async () => {
    fabric = await startFabric();
    const folder = copyFixture('apps/versioned');
    await fabric.deploy('test', folder);
    await fabric.swap('test');
    writeFileSync(path.join(folder, 'version.txt'), 'v3-unhealthy\n');
    await fabric.deploy('test', folder);
    const { production } = urls(fabric);
    await expect(fabric.swap('test')).rejects.toMatchObject({ code: 'CB_ERR_FABRIC_SWAP' });
    const last = fabric.history.at(-1)!;
    expect(last.result).toBe('failed');
    expect(last.steps.at(-1)).toMatchObject({ ok: false });
    expect(last.steps.at(-1)!.detail).toContain('answered 500');
    expect(await json(production)).toMatchObject({ version: 'v1', sticky: 'prod' });
  });

  it('swaps with preview: staging runs with production settings until completed; cancel drops it', async () => {
    fabric = await startFabric();
    const folder = copyFixture('apps/versioned');
    await fabric.deploy('test', folder);
    await fabric.swap('test');
    writeFileSync(path.join(folder, 'version.txt'), 'v2\n');
    await fabric.deploy('test', folder);
    const { production } = urls(fabric);
    expect((await fabric.swap('test', 'preview')).result).toBe('previewing');
    expect(await json(production)).toMatchObject({ version: 'v1' });
    expect((await fabric.swap('test', 'cancel')).result).toBe('cancelled');
    expect((await fabric.swap('test', 'preview')).result).toBe('previewing');
    await expect(fabric.swap('test')).rejects.toMatchObject({ code: 'CB_ERR_FABRIC_SWAP' });
    expect((await fabric.swap('test', 'complete')).result).toBe('completed');
    expect(await json(production)).toMatchObject({ version: 'v2', sticky: 'prod' });
  });

  it('scales a slot 2 → 4 → 1 under load with no failed request', async () => {
    fabric = await startFabric();
    await fabric.deploy('test', copyFixture('apps/versioned'));
    const { staging } = urls(fabric);
    const traffic = load(staging, 12);
    await sleep(200);
    await fabric.scale('test', 'staging', 4);
    const seen = new Set<string>();
    // The load shares the round-robin with these requests, so ask until every instance has answered
    // (an instance that never answers fails this after 200 requests).
    for (let i = 0; i < 200 && seen.size < 4; i++) seen.add((await json(staging)).instance);
    expect(seen.size).toBe(4);
    await fabric.scale('test', 'staging', 1);
    await sleep(200);
    const { failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(fabric.view()[0]!.slots.find((s) => s.name === 'staging')!.instances).toHaveLength(1);
  });
});
