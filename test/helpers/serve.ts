// Starts the real `cloudbench serve` command on a fixture folder and waits for the line that says where it
// listens. Every test talks to it over real sockets; stop() sends SIGINT as Ctrl-C would.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = path.join(ROOT, 'bin', 'cloudbench.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

export interface Served {
  readonly url: string;
  /** The workbench URL as printed, token included (`…/#token=…`). */
  readonly workbenchUrl: string;
  readonly proc: ChildProcess;
  output(): string;
  /** Worker pids: the CLI's child node processes. */
  workerPids(): number[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Copies a fixture app into a temp folder so tests may edit it and it may write logs. */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cb-fixture-${name.replace(/\W/g, '-')}-`));
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export async function serve(folder: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  // Emulators only when a test asks for them (with ports of its own: tests run in parallel).
  const emulatorFlags = ['--in-memory', '--data', '--tables-port', '--queues-port', '--servicebus-port', '--servicebus-http-port'];
  const withEmulators = args.some((a) => emulatorFlags.includes(a));
  const proc = spawn(process.execPath, [CLI, 'serve', folder, '--port', '0', '--control-port', '0', ...(withEmulators ? [] : ['--no-emulators']), ...args], {
    // node_modules of the repo must be found by fixtures copied to /tmp (they require 'ws').
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cloudbench did not start in time:\n${out}`)), 20_000);
    const check = (): void => {
      const m = /serving .* at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    proc.stdout?.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cloudbench exited with ${code}:\n${out}`));
    });
  });
  const workbenchUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no workbench URL printed:\n${out}`)), 10_000);
    const check = (): void => {
      const m = /workbench at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    };
    check();
    proc.stdout?.on('data', check);
  });
  return {
    url: url.replace(/\/$/, ''),
    workbenchUrl,
    proc,
    output: () => out,
    // Node children only: the workbench also runs short-lived helpers (pidusage's getconf, for one), which a
    // loaded machine can catch alive.
    workerPids: () => childPids(proc.pid as number).filter((pid) => commOf(pid) === 'node'),
    stop: (signal = 'SIGINT') =>
      new Promise((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve(proc.exitCode);
        proc.once('exit', (code) => resolve(code));
        proc.kill(signal);
      }),
  };
}

/** Child processes of pid (Linux /proc; the tests run on Linux in CI). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // The process went away while we looked.
    }
  }
  return out;
}

function commOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string; agent?: http.Agent | false } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString() });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const get = (url: string): Promise<Reply> => request(url);

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls fn until it returns a truthy value or the time is up. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, what = "condition"): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Keeps `concurrency` request loops busy until stopped; counts statuses and errors. The load used by the
 * "nothing dropped" tests: every non-2xx and every socket error is a failure.
 */
export function load(url: string, concurrency = 16): { stop(): Promise<{ ok: number; failed: Array<string> }> } {
  let running = true;
  let ok = 0;
  const failed: string[] = [];
  const loadAgent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const r = await request(url, { agent: loadAgent });
        if (r.status >= 200 && r.status < 300) ok++;
        else failed.push(`${r.status} ${r.text.replace(/<style>[^]*?<\/style>/, "").slice(0, 600)}`);
      } catch (err) {
        failed.push(String(err));
        // A request that fails synchronously (a malformed URL) must not spin this loop without yielding.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      loadAgent.destroy();
      return { ok, failed };
    },
  };
}
