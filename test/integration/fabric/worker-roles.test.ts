// Worker roles: background scripts beside the web role, with their identity, their logs in the workbench,
// a replacement when one crashes, and scaling (control API and CLI).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, copyFixture, get, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

describe('worker roles', () => {
  let app: Served;
  let folder: string;
  beforeAll(async () => {
    folder = copyFixture('apps/worker-role');
    writeFileSync(path.join(folder, 'crash-once'), '');
    app = await serve(folder, ['--workers', '1']);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('runs each worker role instance with its identity next to the web role', async () => {
    expect((await get(app.url)).text).toBe('web');
    await waitFor(() => app.output().includes('worker role consumer instance consumer_IN_0 started') && app.output().includes('instance consumer_IN_1 started'), 10_000, 'both worker role instances');
    await waitFor(() => /tick from consumer_IN_1/.test(app.output()), 5000, 'ticks');
  });

  it('replaces a worker role instance that crashes', async () => {
    await waitFor(() => app.output().includes('worker role crash for the test'), 10_000, 'the crash');
    const starts = () => (app.output().match(/worker role consumer instance consumer_IN_\d started/g) ?? []).length;
    await waitFor(() => starts() >= 3, 10_000, 'a restart after the crash');
  });

  it('lists the worker role instances in the workbench state', async () => {
    const { origin, hash } = new URL(app.workbenchUrl);
    const token = new URLSearchParams(hash.slice(1)).get('token');
    const state = (await fetch(`${origin}/api/state`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as any;
    expect(state.project.instances.map((i: any) => i.name)).toEqual(['local', 'consumer_IN_0', 'consumer_IN_1']);
  });

  it('scales a worker role up and down through the control API and the CLI', async () => {
    const { origin, hash } = new URL(app.workbenchUrl);
    const token = new URLSearchParams(hash.slice(1)).get('token');
    const api = (method: string, route: string, body?: unknown) =>
      fetch(`${origin}${route}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const roles = async () => ((await (await api('GET', '/api/fabric')).json()) as any).local.workerRoles;
    expect(await roles()).toEqual([{ name: 'consumer', instances: ['consumer_IN_0', 'consumer_IN_1'] }]);

    const up = await api('POST', '/api/fabric/scale', { environment: 'local', role: 'consumer', instances: 3 });
    expect(up.status).toBe(200);
    expect(((await up.json()) as any).local.workerRoles[0].instances).toEqual(['consumer_IN_0', 'consumer_IN_1', 'consumer_IN_2']);
    await waitFor(() => /tick from consumer_IN_2/.test(app.output()), 10_000, 'the new instance working');

    // The CLI, from another terminal: the newest instances stop, the oldest keeps working.
    const cli = await promisify(execFile)(process.execPath, [CLI, 'scale', 'local', '1', '--role', 'consumer', '--workbench', app.workbenchUrl]);
    expect(cli.stdout).toContain('local worker role consumer runs 1 instance');
    expect(await roles()).toEqual([{ name: 'consumer', instances: ['consumer_IN_0'] }]);
    const state = (await (await api('GET', '/api/state')).json()) as any;
    expect(state.project.instances.map((i: any) => i.name)).toEqual(['local', 'consumer_IN_0']);
    // The web role is untouched.
    expect((await get(app.url)).text).toBe('web');

    const unknown = await api('POST', '/api/fabric/scale', { environment: 'local', role: 'nope', instances: 2 });
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(await unknown.json())).toContain('nope');
  });
});
