// The load balancer's health probe: an instance that fails it leaves the rotation (the others serve, nothing
// fails), comes back when it passes again, and when every instance fails none is excluded.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, load, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

const SERVER = `
const fs = require('node:fs');
const id = process.env.CLOUDBENCH_INSTANCE_ID;
require('node:http').createServer((req, res) => {
  if (req.url === '/health') {
    res.statusCode = fs.existsSync(__dirname + '/sick-' + id) ? 500 : 200;
    return res.end(res.statusCode === 200 ? 'ok' : 'sick');
  }
  res.end(id);
}).listen(process.env.PORT);
`;

describe('health probe', () => {
  let app: Served;
  let folder: string;
  const sick = (instance: string) => path.join(folder, `sick-${instance}`);
  const answers = async (n: number) => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add((await get(`${app.url}/`)).text);
    return seen;
  };

  beforeAll(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'cb-probe-'));
    writeFileSync(path.join(folder, 'server.js'), SERVER);
    writeFileSync(path.join(folder, 'cloudbench.json'), JSON.stringify({ instances: 2, healthProbe: { path: '/health', intervalSeconds: 1, failures: 2 } }));
    app = await serve(folder, ['--workers', '1', '--no-emulators']);
    await waitFor(async () => ((await answers(6)).size === 2 ? true : undefined), 20_000, 'both instances serving');
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('takes an instance that fails the probe out of the balancer and puts it back when it passes, with no failed request', async () => {
    const traffic = load(`${app.url}/`, 4);
    writeFileSync(sick('local_1'), '');
    await waitFor(() => app.output().includes('instance local_1 out of the load balancer: health probe GET /health: answered 500 (2 times in a row)'), 15_000, 'the instance taken out');
    expect([...(await answers(12))]).toEqual(['local']);
    // The workbench shows why (Overview: "Out of the load balancer: …").
    const { origin, hash } = new URL(app.workbenchUrl);
    const state = (await fetch(`${origin}/api/state`, { headers: { authorization: `Bearer ${hash.replace('#token=', '')}` } }).then((r) => r.json())) as any;
    expect(state.project.instances.map((i: any) => [i.name, i.outOfRotation])).toEqual([['local', undefined], ['local_1', 'it fails its health probe']]);
    rmSync(sick('local_1'));
    await waitFor(() => app.output().includes('instance local_1 back in the load balancer: passed the health probe GET /health'), 15_000, 'the instance back');
    await waitFor(async () => ((await answers(6)).size === 2 ? true : undefined), 10_000, 'both instances serving again');
    const { ok, failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(20);
  });

  it('excludes no instance when every instance fails the probe', async () => {
    writeFileSync(sick('local'), '');
    writeFileSync(sick('local_1'), '');
    try {
      await waitFor(() => (app.output().match(/out of the load balancer/g) ?? []).length >= 3 ? true : undefined, 15_000, 'both judged failing');
      expect((await answers(8)).size).toBe(2);
    } finally {
      rmSync(sick('local'));
      rmSync(sick('local_1'));
    }
  });

  it('applies a probe added, changed or removed in cloudbench.json while running', async () => {
    await waitFor(() => ((app.output().match(/instance local_1 back in the load balancer/g) ?? []).length >= 2 ? true : undefined), 15_000, 'local_1 back after the last test');
    writeFileSync(sick('local_1'), '');
    try {
      await waitFor(() => (app.output().match(/instance local_1 out of the load balancer/g) ?? []).length >= 3 ? true : undefined, 15_000, 'local_1 out again');
      writeFileSync(path.join(folder, 'cloudbench.json'), JSON.stringify({ instances: 2 }));
      await waitFor(() => app.output().includes('configuration: local: no health probe'), 15_000, 'the probe removed');
      expect((await answers(8)).size).toBe(2);
      writeFileSync(path.join(folder, 'cloudbench.json'), JSON.stringify({ instances: 2, healthProbe: { path: '/health', intervalSeconds: 1, failures: 1 } }));
      await waitFor(() => app.output().includes('configuration: local: health probe GET /health every 1 s'), 15_000, 'the probe back');
      await waitFor(async () => ((await answers(8)).size === 1 ? true : undefined), 15_000, 'local_1 out under the new probe');
    } finally {
      rmSync(sick('local_1'));
    }
  });
});
