// The shell's runtime launcher on the real CLI: `bin/cloudbench.js serve` on the echo fixture, started the
// way Electron's utilityProcess would (here a Node child with an IPC channel stands in for it). It reports
// the workbench URL, stops the runtime and every worker with the shutdown message, reports a crash, and
// kills a runtime that ignores the message.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeLauncher } from '../../../electron/runtime-launcher.js';
import type { ForkRuntime, RuntimeChild, RuntimeStatus } from '../../../electron/runtime-launcher.js';
import { CLI, ROOT, alive, childPids, copyFixture } from '../../helpers/serve.js';

/** A Node child in the shape of Electron's UtilityProcess; records kill() calls. */
function nodeFork(kills: number[]): ForkRuntime {
  return (modulePath, args, { env }) => {
    const child = spawn(process.execPath, [modulePath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const adapter: RuntimeChild = {
      get pid() {
        return child.pid;
      },
      stdout: child.stdout,
      stderr: child.stderr,
      once(_event: 'exit', listener: (code: number) => void) {
        child.once('exit', (code, signal) => listener(code ?? (signal === null ? 1 : 128 + os.constants.signals[signal])));
        return adapter;
      },
      postMessage: (message) => {
        if (!child.connected) throw new Error('IPC channel closed');
        child.send(message as object);
      },
      kill: () => {
        kills.push(Date.now());
        return child.kill('SIGTERM');
      },
    };
    return adapter;
  };
}

const onLinux = process.platform === 'linux';

/** Every process below pid (Linux /proc; elsewhere the process-tree checks are skipped). */
function descendants(pid: number): number[] {
  if (!onLinux) return [];
  const kids = childPids(pid);
  return [...kids, ...kids.flatMap(descendants)];
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let home: string;
let folder: string;
const launchers: RuntimeLauncher[] = [];
const env = (): NodeJS.ProcessEnv => ({ ...process.env, CLOUDBENCH_HOME: home, NODE_PATH: path.join(ROOT, 'node_modules') });

function launcher(kills: number[], options: { cli?: string; stopTimeoutMs?: number; startTimeoutMs?: number } = {}): RuntimeLauncher {
  const l = new RuntimeLauncher({ cli: options.cli ?? CLI, fork: nodeFork(kills), env: env(), stopTimeoutMs: options.stopTimeoutMs ?? 20_000, startTimeoutMs: options.startTimeoutMs ?? 25_000 });
  launchers.push(l);
  return l;
}

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'cb-shell-home-'));
  folder = copyFixture('apps/echo');
});
afterEach(async () => {
  await Promise.all(launchers.splice(0).map((l) => l.stop()));
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
});

describe('RuntimeLauncher', () => {
  it('starts serve, reports the workbench URL, and stops the runtime and all its workers with the shutdown message', async () => {
    const kills: number[] = [];
    const l = launcher(kills);
    const statuses: RuntimeStatus['state'][] = [];
    l.on('status', (s) => statuses.push(s.state));
    const running = await l.start(folder, ['--port', '0', '--workers', '2']);
    expect(running.workbenchUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=\S+$/);
    expect(running.origin).toBe(new URL(running.workbenchUrl).origin);
    expect(running.appUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(l.status).toMatchObject({ state: 'running', folder, workbenchUrl: running.workbenchUrl });
    // Both ends answer: the app, and the control API with the token.
    expect((await fetch(`${running.appUrl}/`)).status).toBe(200);
    const token = new URL(running.workbenchUrl).hash.replace('#token=', '');
    expect((await fetch(`${running.origin}/api/state`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);

    const runtimePid = l.pid as number;
    await until('both workers run', () => !onLinux || descendants(runtimePid).length >= 2);
    const tree = [runtimePid, ...descendants(runtimePid)];
    expect(await l.stop()).toBe(0);
    expect(kills).toEqual([]); // the message did it, not a kill
    await until('every process is gone', () => tree.every((pid) => !alive(pid)), 5_000);
    expect(statuses).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(l.tail.join('\n')).toMatch(/SIGTERM: stopping/);
  });

  it.runIf(onLinux)('reports a crash (the runtime killed), and its workers exit with it', async () => {
    const l = launcher([]);
    await l.start(folder, ['--port', '0', '--workers', '2']);
    const runtimePid = l.pid as number;
    await until('both workers run', () => descendants(runtimePid).length >= 2);
    const workers = descendants(runtimePid);
    const crashed = new Promise<RuntimeStatus>((resolve) => l.on('status', (s) => s.state === 'crashed' && resolve(s)));
    process.kill(runtimePid, 'SIGKILL');
    const status = await crashed;
    expect(status.state === 'crashed' && status.error.code).toBe('CB_ERR_SHELL_RUNTIME_EXITED');
    expect(status.state === 'crashed' && status.error.message).toMatch(/exit code 137/);
    await until('the orphaned workers exit', () => workers.every((pid) => !alive(pid)), 10_000);
    // A crashed runtime can be started again.
    expect(await l.stop()).toBeUndefined();
    const again = await l.start(folder, ['--port', '0', '--workers', '1']);
    expect(again.workbenchUrl).toMatch(/#token=/);
  });

  it('rejects with the runtime output when it cannot start', async () => {
    const l = launcher([]);
    const missing = path.join(home, 'no-such-project');
    const error = (await l.start(missing).then(
      () => new Error('it started'),
      (e: unknown) => e as Error,
    )) as Error & { code?: string };
    expect(error).toMatchObject({ code: 'CB_ERR_SHELL_RUNTIME_START' });
    expect(error.message).toMatch(/exited with code 1/);
    expect(error.message).toMatch(/CB_ERR_PROJECT_NOT_FOUND/);
    expect(l.status.state).toBe('crashed');
  });

  it('kills a runtime that does not stop when asked', async () => {
    const stubborn = path.join(home, 'stubborn.js');
    writeFileSync(stubborn, "process.on('message', () => {}); console.log('cloudbench: workbench at http://127.0.0.1:1/#token=t'); setInterval(() => {}, 1000);\n");
    const kills: number[] = [];
    const l = launcher(kills, { cli: stubborn, stopTimeoutMs: 300 });
    await l.start(folder);
    const started = Date.now();
    expect(await l.stop()).toBe(128 + os.constants.signals.SIGTERM);
    expect(kills).toHaveLength(1);
    expect((kills[0] as number) - started).toBeGreaterThanOrEqual(250);
  });

  it('gives up on a runtime that never prints its URL', async () => {
    const silent = path.join(home, 'silent.js');
    writeFileSync(silent, 'setInterval(() => {}, 1000);\n');
    const l = launcher([], { cli: silent, startTimeoutMs: 500 });
    await expect(l.start(folder)).rejects.toThrow(/CB_ERR_SHELL_RUNTIME_START|printed no workbench URL within 0.5 s/);
    expect(l.pid).toBeUndefined();
  });
});
