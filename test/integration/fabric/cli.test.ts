// `cloudbench status | deploy | swap | scale` against a running `cloudbench serve`, which records its
// control URL (with the token) for them in $CLOUDBENCH_HOME/workbench.json.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, copyFixture, get, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

const run = promisify(execFile);

describe('fabric commands', () => {
  let app: Served;
  let folder: string;
  const home = mkdtempSync(path.join(os.tmpdir(), 'cb-home-'));
  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, [CLI, ...args], { env: { ...process.env, CLOUDBENCH_HOME: home } });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (err: any) {
      return { code: err.code as number, out: String(err.stdout) + String(err.stderr) };
    }
  };
  beforeAll(async () => {
    folder = copyFixture('apps/versioned');
    writeFileSync(path.join(folder, 'cloudbench.json'), JSON.stringify({ environments: { test: { slotSettings: { production: { STICKY: 'prod' }, staging: { STICKY: 'stage' } } }, prod: {} } }));
    app = await serve(folder, ['--workers', '1'], { CLOUDBENCH_HOME: home });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('prints each environment with its slot URLs when serving', async () => {
    // serve() returns once the workbench URL is out; the environment lines follow it, maybe in a later chunk.
    await waitFor(() => app.output().includes('environment test:'), 5000, 'the environment line').catch(() => undefined);
    expect(app.output()).toMatch(/environment test: production http:\/\/127\.0\.0\.1:\d+\/, staging http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('deploys, swaps, scales and reports status from another terminal', async () => {
    const deployed = await cli('deploy', 'test');
    expect(deployed.out).toMatch(/deployed [0-9a-f]{16} to test\/staging at (http:\S+)/);
    const staging = /at (http:\S+)/.exec(deployed.out)![1] as string;
    expect(JSON.parse((await get(staging)).text)).toMatchObject({ version: 'v1', sticky: 'stage' });
    const swapped = await cli('swap', 'test');
    expect(swapped.out).toContain('swap completed');
    expect(swapped.out).toContain('ok  switch the VIP routing');
    expect((await cli('scale', 'local', '2')).out).toContain('local runs 2 instances');
    const status = await cli('status');
    expect(status.out).toMatch(/local \(live folder\): .* 2 instance\(s\)/);
    expect(status.out).toMatch(/test\/production: http:\S+ — deployment [0-9a-f]{16}/);
    expect(status.out).toMatch(/swap test at .*: completed/);
  });

  it('kills an instance, which the fabric replaces, and promotes a deployment to another environment', async () => {
    const killed = await cli('kill', 'local', 'local_1');
    expect(killed.code).toBe(0);
    expect(killed.out).toMatch(/killed local_1 in local; (local_\d+) replaces it/);
    expect((await cli('status')).out).toMatch(/local \(live folder\): .* 2 instance\(s\) \[local, local_\d+\]/);
    const promoted = await cli('promote', 'test', 'prod');
    expect(promoted.out).toMatch(/promoted [0-9a-f]{16} from test\/production to prod\/staging at (http:\S+)/);
    const url = /at (http:\S+)/.exec(promoted.out)![1] as string;
    expect(JSON.parse((await get(url)).text)).toMatchObject({ version: 'v1' });
    const missing = await cli('kill', 'local', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.out).toContain('CB_ERR_CONTROL_NOT_FOUND');
    expect((await cli('promote', 'test')).out).toContain('promote needs two environments');
  });

  it('reports errors with their code, and when no workbench runs', async () => {
    const bad = await cli('swap', 'nope');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('CB_ERR_FABRIC_UNKNOWN');
    const none = await run(process.execPath, [CLI, 'status'], { env: { ...process.env, CLOUDBENCH_HOME: mkdtempSync(path.join(os.tmpdir(), 'cb-empty-')) } }).catch((e) => e);
    expect(String(none.stderr)).toContain('CB_ERR_FABRIC_NO_WORKBENCH');
  });

  it('forgets the workbench when serve stops', async () => {
    expect(existsSync(path.join(home, 'workbench.json'))).toBe(true);
    await app.stop();
    expect(existsSync(path.join(home, 'workbench.json'))).toBe(false);
  });
});
