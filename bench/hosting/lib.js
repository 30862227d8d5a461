// Shared plumbing for the hosting benchmarks: options, preconditions, /proc process trees and CPU ticks,
// starting and stopping process trees without leaving orphans, wrk runs and the parsing of their output.
// Linux only (everything here reads /proc).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const HELLO_APP = path.join(import.meta.dirname, 'apps', 'hello');
export const RESULTS_DIR = path.join(REPO, 'bench', 'results');
export const INSTALL_COMMAND = 'apt-get install -y wrk nginx';

// ---------------------------------------------------------------------------------------------------------
// Options: flags win over environment variables, which win over the defaults (--quick changes the defaults).

export const OPTION_SPEC = {
  quick: { type: 'boolean' },
  reps: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  connections: { type: 'string' },
  only: { type: 'string' },
  'resilience-duration': { type: 'string' },
  'quiet-wait': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  list: { type: 'boolean' },
};

export const OPTION_HELP = `Options (flag, or environment variable):
  --quick                   smoke test: 1 repetition, 1 s warm-up + 3 s measured; resilience 10 s   (BENCH_QUICK=1)
  --reps N                  throughput repetitions, interleaved with rotated order (default 3)     (BENCH_REPS)
  --duration S              throughput measured seconds per run (default 10)                      (BENCH_DURATION)
  --warmup S                throughput warm-up seconds per run, discarded (default 2)             (BENCH_WARMUP)
  --connections N           wrk connections (default 50)                                          (BENCH_CONNECTIONS)
  --only a,b                variants: ours, cluster, nginx, pm2 (default all)                     (BENCH_ONLY)
  --resilience-duration S   resilience run length; events scale with it (default 20)              (BENCH_RESILIENCE_DURATION)
  --quiet-wait S            wait up to S s for the machine to be quiet before each run (default 5, quick 0) (BENCH_QUIET_WAIT)`;

/** Parses argv (without node and script) into { options, positionals }. Throws on unknown flags. */
export function parseBenchArgs(argv) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTION_SPEC, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const { values, positionals } = parsed;
  const env = process.env;
  const quick = values.quick ?? ['1', 'true', 'yes'].includes((env.BENCH_QUICK ?? '').toLowerCase());
  const num = (flag, envName, fallback, { integer = false, min = 0 } = {}) => {
    const raw = values[flag] ?? env[envName];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new UsageError(`--${flag} / ${envName}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${raw}"`);
    }
    return value;
  };
  const only = (values.only ?? env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    positionals,
    options: {
      quick,
      help: values.help ?? false,
      list: values.list ?? false,
      reps: num('reps', 'BENCH_REPS', quick ? 1 : 3, { integer: true, min: 1 }),
      duration: num('duration', 'BENCH_DURATION', quick ? 3 : 10, { min: 1 }),
      warmup: num('warmup', 'BENCH_WARMUP', quick ? 1 : 2),
      connections: num('connections', 'BENCH_CONNECTIONS', 50, { integer: true, min: 1 }),
      resilienceDuration: num('resilience-duration', 'BENCH_RESILIENCE_DURATION', quick ? 10 : 20, { min: 4 }),
      quietWait: num('quiet-wait', 'BENCH_QUIET_WAIT', quick ? 0 : 5),
      only,
    },
  };
}

export class UsageError extends Error {}

/** The variant could not be started (e.g. `cloudbench serve` does not exist yet): reported, not fatal. */
export class Unavailable extends Error {}

// ---------------------------------------------------------------------------------------------------------
// Preconditions

const SBIN_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin'];

export function findBinary(name) {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SBIN_DIRS];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Returns { wrk, nginx } paths, or throws a PreconditionError whose message says how to install them. */
export function checkPreconditions() {
  if (process.platform !== 'linux') throw new PreconditionError(`the hosting benchmarks read /proc and need Linux (this is ${process.platform}).`);
  const wrk = findBinary('wrk');
  const nginx = findBinary('nginx');
  const missing = [!wrk && 'wrk', !nginx && 'nginx'].filter(Boolean);
  if (missing.length > 0) {
    throw new PreconditionError(
      `missing ${missing.join(' and ')}, which the hosting benchmarks need (wrk generates the load, nginx is the reference front end).\n` +
        `Install them with:\n\n    ${INSTALL_COMMAND}\n\n(as root, or prefixed with sudo; run apt-get update first if the package lists are stale).`,
    );
  }
  return { wrk, nginx };
}

export class PreconditionError extends Error {}

export function toolVersions({ wrk, nginx }) {
  const first = (r) => `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0] ?? '';
  let pm2 = 'not installed';
  try {
    pm2 = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'pm2', 'package.json'), 'utf8')).version;
  } catch {
    // reported as not installed
  }
  let commit = '';
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' });
  if (git.status === 0) commit = git.stdout.trim();
  return {
    node: process.version,
    wrk: first(spawnSync(wrk, ['-v'], { encoding: 'utf8' })),
    nginx: first(spawnSync(nginx, ['-v'], { encoding: 'utf8' })),
    pm2,
    kernel: `${os.type()} ${os.release()}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    commit,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Cleanup registry: everything started registers a closer; Ctrl-C, errors and exit run them all.

const closers = new Set();
const abortController = new AbortController();
export const abortSignal = abortController.signal;

/** Registers { name, close: async () => void, closeSync: () => void }; returns an unregister function. */
export function registerCleanup(entry) {
  closers.add(entry);
  return () => closers.delete(entry);
}

export async function cleanupAll() {
  for (const entry of [...closers].reverse()) {
    try {
      await entry.close();
    } catch (error) {
      process.stderr.write(`cleanup of ${entry.name} failed: ${error?.message ?? error}\n`);
    }
    closers.delete(entry);
  }
}

function cleanupAllSync() {
  for (const entry of [...closers].reverse()) {
    try {
      entry.closeSync();
    } catch {
      // best effort while exiting
    }
    closers.delete(entry);
  }
}

let handlersInstalled = false;
/** Ctrl-C / SIGTERM / SIGHUP: abort what runs, stop every started process, exit. A second signal kills at once. */
export function installSignalHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (stopping) {
        process.stderr.write(`\n${sig} again: killing everything now.\n`);
        cleanupAllSync();
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`\n${sig}: stopping every process the benchmark started…\n`);
      abortController.abort(new Error(`interrupted by ${sig}`));
      cleanupAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
  process.on('exit', cleanupAllSync);
}

export function throwIfAborted() {
  if (abortSignal.aborted) throw abortSignal.reason;
}

/** sleep() that rejects when the benchmark is interrupted. */
export function pause(ms) {
  return sleep(ms, undefined, { signal: abortSignal });
}

// ---------------------------------------------------------------------------------------------------------
// Temp dirs

const tempDirs = new Map();

/** A fresh temp dir, removed by removeTempDir() or at cleanup. Its path doubles as the variant's marker. */
export function makeTempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cb-bench-${prefix}-`));
  const remove = () => {
    fs.rmSync(dir, { recursive: true, force: true });
    unregister();
    tempDirs.delete(dir);
  };
  const unregister = registerCleanup({ name: `temp dir ${dir}`, close: async () => remove(), closeSync: remove });
  tempDirs.set(dir, remove);
  return dir;
}

export function removeTempDir(dir) {
  tempDirs.get(dir)?.();
}

/** Copies the hello app into dir/app (so a variant's processes are identifiable by path, and edits stay out of the repo). */
export function copyHelloApp(dir) {
  const appDir = path.join(dir, 'app');
  fs.cpSync(HELLO_APP, appDir, { recursive: true });
  return appDir;
}

// ---------------------------------------------------------------------------------------------------------
// /proc

let clockTicks;
export function clkTck() {
  if (clockTicks === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(r.stdout?.trim());
    clockTicks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** Fields of /proc/<pid>/stat we use; undefined if the process is gone. */
export function readStat(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' '); // f[0] is field 3 (state)
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: f[0],
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    utime: Number(f[11]),
    stime: Number(f[12]),
    cutime: Number(f[13]),
    cstime: Number(f[14]),
    starttime: Number(f[19]),
  };
}

export function listProcesses() {
  const out = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

export function cmdlineOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

export function environOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return '';
  }
}

export function cwdOf(pid) {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return '';
  }
}

/** The given pids and all their live descendants (by ppid), as stat records. */
export function processTree(rootPids, procs = listProcesses()) {
  const byParent = new Map();
  for (const p of procs) {
    if (!byParent.has(p.ppid)) byParent.set(p.ppid, []);
    byParent.get(p.ppid).push(p);
  }
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const out = [];
  const seen = new Set();
  const queue = rootPids.filter((pid) => byPid.has(pid));
  while (queue.length > 0) {
    const pid = queue.shift();
    if (seen.has(pid)) continue;
    seen.add(pid);
    const p = byPid.get(pid);
    if (p.state !== 'Z') out.push(p);
    for (const child of byParent.get(pid) ?? []) queue.push(child.pid);
  }
  return out;
}

export function isAlive(pid, starttime) {
  const s = readStat(pid);
  return s !== undefined && s.state !== 'Z' && (starttime === undefined || s.starttime === starttime);
}

/** CPU ticks (utime+stime) per process, keyed "pid:starttime" so a reused pid is never confused. */
export function cpuSnapshot(groups) {
  const snap = new Map();
  for (const [group, pids] of Object.entries(groups)) {
    for (const pid of pids) {
      const s = readStat(pid);
      if (s) snap.set(`${pid}:${s.starttime}`, { group, ticks: s.utime + s.stime });
    }
  }
  return snap;
}

/** CPU seconds per group between two snapshots (processes new in `after` count from 0; vanished ones are lost). */
export function cpuDelta(before, after) {
  const out = {};
  for (const [key, { group, ticks }] of after) {
    const prev = before.get(key)?.ticks ?? 0;
    out[group] = (out[group] ?? 0) + Math.max(0, ticks - prev) / clkTck();
  }
  return out;
}

/** This process's own CPU plus that of its reaped children (wrk, once it has exited), in seconds. */
export function selfCpu() {
  const s = readStat(process.pid);
  return { self: (s.utime + s.stime) / clkTck(), children: (s.cutime + s.cstime) / clkTck() };
}

/** Whole-machine busy CPU seconds so far (all cores, idle and iowait excluded). */
export function machineBusy() {
  const line = fs.readFileSync('/proc/stat', 'latin1').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return (user + nice + system + irq + softirq + (steal ?? 0)) / clkTck();
}

/** Waits (up to maxSeconds) until the machine's busy cores over 0.5 s fall below threshold. Returns info. */
export async function waitForQuiet(maxSeconds, threshold = 0.35) {
  const start = Date.now();
  let busy;
  if (maxSeconds <= 0) return { waitedMs: 0, busyCores: undefined };
  for (;;) {
    const b0 = machineBusy();
    await pause(500);
    busy = (machineBusy() - b0) / 0.5;
    if (busy < threshold || Date.now() - start >= maxSeconds * 1000) break;
  }
  return { waitedMs: Date.now() - start, busyCores: round(busy, 2) };
}

// ---------------------------------------------------------------------------------------------------------
// Starting and stopping process trees

/**
 * Spawns a long-running process in its own process group and registers it for cleanup.
 * `marker` is a unique string (a temp dir) in the command lines of everything the variant starts: whatever still
 * carries it (in its command line or environment) after the root is gone is an orphan, and is killed.
 * Returns { child, pid, output(), stop(), onLine(fn) }.
 */
export function startProcess(name, command, args, { cwd = REPO, env = process.env, marker, stopSignal = 'SIGTERM', graceMs = 5000 } = {}) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const listeners = new Set();
  const feed = (stream) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop();
      for (const raw of parts) {
        const line = raw.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ''); // eslint-disable-line no-control-regex
        lines.push(line);
        if (lines.length > 200) lines.shift();
        for (const fn of listeners) fn(line);
      }
    });
  };
  feed(child.stdout);
  feed(child.stderr);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => {
      lines.push(`spawn error: ${error.message}`);
      for (const fn of listeners) fn(`spawn error: ${error.message}`);
      if (child.pid === undefined) resolve({ code: -1, signal: null, error: error.message });
    });
  });
  let stopping;
  const handle = {
    name,
    child,
    pid: child.pid,
    exited,
    exitInfo: undefined,
    output: () => lines.join('\n'),
    tail: (n = 12) => lines.slice(-n).join('\n'),
    onLine: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stop: () => (stopping ??= stopTree({ rootPid: child.pid, marker, signal: stopSignal, graceMs, name }).finally(unregister)),
  };
  exited.then((info) => (handle.exitInfo = info));
  const unregister = registerCleanup({
    name,
    close: () => handle.stop(),
    closeSync: () => killTreeSync({ rootPid: child.pid, marker }),
  });
  return handle;
}

function members(rootPid, marker) {
  const procs = listProcesses();
  const found = new Map();
  if (rootPid !== undefined) {
    for (const p of processTree([rootPid], procs)) found.set(p.pid, p);
    for (const p of procs) if (p.pgrp === rootPid && p.state !== 'Z') found.set(p.pid, p);
  }
  if (marker) {
    for (const p of procs) {
      if (p.pid === process.pid || p.state === 'Z' || found.has(p.pid)) continue;
      // The environment too: a process may retitle itself (PM2's daemon) and lose the marker from its cmdline.
      if (cmdlineOf(p.pid).includes(marker) || environOf(p.pid).includes(marker)) found.set(p.pid, p);
    }
  }
  found.delete(process.pid);
  return [...found.values()];
}

function signalPid(pid, sig) {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a process tree: `signal` to the root, up to graceMs for it (and everything it started) to exit, then
 * SIGKILL to whatever is left: its descendants, its process group, and any process whose command line or environment carries
 * `marker`. Descendants are recorded before the root can exit, since orphans lose their ancestry.
 * Returns notes (empty when everything exited on its own within the grace period).
 */
export async function stopTree({ rootPid, marker, signal = 'SIGTERM', graceMs = 5000, name = String(rootPid) }) {
  const notes = [];
  const seen = new Map();
  const remember = () => {
    for (const p of members(rootPid, marker)) if (!seen.has(p.pid)) seen.set(p.pid, p.starttime);
  };
  remember();
  if (rootPid !== undefined && isAlive(rootPid)) signalPid(rootPid, signal);
  const alive = () => [...seen].filter(([pid, start]) => isAlive(pid, start)).map(([pid]) => pid);
  const deadline = Date.now() + graceMs;
  let left = alive();
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    if (isAlive(rootPid)) remember();
    left = alive();
  }
  if (!isAlive(rootPid)) {
    // The root is gone: anything still carrying the marker is an orphan.
    remember();
    left = alive();
  }
  if (left.length > 0) {
    const rootLeft = isAlive(rootPid);
    notes.push(
      rootLeft
        ? `${name}: still running ${graceMs} ms after ${signal}; killed with SIGKILL (pids ${left.join(', ')})`
        : `${name}: exited on ${signal} but left ${left.length} process(es) behind (pids ${left.join(', ')}: ${left.map((p) => cmdlineOf(p).slice(0, 80)).join(' | ')}); killed with SIGKILL`,
    );
    for (let round = 0; round < 3 && left.length > 0; round++) {
      for (const pid of left) signalPid(pid, 'SIGKILL');
      await sleep(200);
      remember();
      left = alive();
    }
    if (left.length > 0) notes.push(`${name}: could not kill pids ${left.join(', ')}`);
  }
  return notes;
}

export function killTreeSync({ rootPid, marker }) {
  for (let round = 0; round < 2; round++) {
    const list = members(rootPid, marker);
    if (list.length === 0) return;
    for (const p of list) signalPid(p.pid, 'SIGKILL');
  }
}

/** Runs a short-lived command to completion (with a timeout); resolves { code, signal, stdout, stderr }. */
export function runCommand(command, args, { env = process.env, cwd = REPO, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const onAbort = () => child.kill('SIGKILL');
    abortSignal.addEventListener('abort', onAbort, { once: true });
    child.once('error', (error) => {
      clearTimeout(timer);
      abortSignal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      abortSignal.removeEventListener('abort', onAbort);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// Network helpers (127.0.0.1 only)

export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One GET; resolves the status code or rejects. target: { port } on 127.0.0.1, or { socketPath }. */
export function httpGet(target, timeoutMs = 1000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', path: '/', agent: false, timeout: timeoutMs, ...target }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
  });
}

/** Polls until GET / answers 200; `check()` may throw to give up early (e.g. the process exited). */
export async function waitForHttp(target, { timeoutMs = 30_000, check = () => {} } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    throwIfAborted();
    check();
    try {
      const status = await httpGet(target);
      if (status === 200) return;
      last = `HTTP ${status}`;
    } catch (error) {
      last = error.code ?? error.message;
    }
    if (Date.now() > deadline) throw new Error(`no HTTP 200 from ${JSON.stringify(target)} within ${timeoutMs} ms (last: ${last})`);
    await pause(100);
  }
}

// ---------------------------------------------------------------------------------------------------------
// wrk

/** Runs wrk to completion and returns its parsed output. Killed if the benchmark is interrupted. */
export async function runWrk(wrkPath, url, { duration, connections = 50, threads = 1, latency = true }) {
  throwIfAborted();
  const args = [`-t${threads}`, `-c${connections}`, `-d${duration}s`, ...(latency ? ['--latency'] : []), url];
  const child = spawn(wrkPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const unregister = registerCleanup({
    name: 'wrk',
    close: async () => {
      child.kill('SIGKILL');
    },
    closeSync: () => child.kill('SIGKILL'),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
  const guard = setTimeout(() => child.kill('SIGKILL'), (duration + 30) * 1000);
  try {
    const { code, signal } = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, s) => resolve({ code: c, signal: s }));
    });
    throwIfAborted();
    if (code !== 0) throw new Error(`wrk ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${(stderr || stdout).trim()}`);
    return { command: `wrk ${args.join(' ')}`, ...parseWrk(stdout), raw: stdout };
  } finally {
    clearTimeout(guard);
    unregister();
  }
}

const UNIT_MS = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
function durationMs(text) {
  const m = /^([\d.]+)(us|ms|s|m|h)$/.exec(text ?? '');
  return m ? Number(m[1]) * UNIT_MS[m[2]] : undefined;
}

/** Parses wrk 4.x output (with --latency). Latencies in ms. wrk counts status ≥ 400 as "Non-2xx or 3xx". */
export function parseWrk(text) {
  const latency = /^\s*Latency\s+(\S+)\s+(\S+)\s+(\S+)/m.exec(text);
  const percentiles = {};
  for (const m of text.matchAll(/^\s*(\d+(?:\.\d+)?)%\s+(\S+)\s*$/gm)) percentiles[`p${m[1]}`] = durationMs(m[2]);
  const summary = /(\d+) requests in ([\d.]+\w+), ([\d.]+\w+) read/.exec(text);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (!summary || !rps) throw new Error(`could not parse wrk output:\n${text}`);
  const socketErrors = sock
    ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
    : { connect: 0, read: 0, write: 0, timeout: 0 };
  return {
    requests: Number(summary[1]),
    elapsedMs: durationMs(summary[2]),
    rps: Number(rps[1]),
    latencyMs: {
      avg: durationMs(latency?.[1]),
      stdev: durationMs(latency?.[2]),
      max: durationMs(latency?.[3]),
      p50: percentiles.p50,
      p75: percentiles.p75,
      p90: percentiles.p90,
      p99: percentiles.p99,
    },
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors,
    socketErrorTotal: socketErrors.connect + socketErrors.read + socketErrors.write + socketErrors.timeout,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reporting

export function round(value, digits = 0) {
  if (value === undefined || value === null || !Number.isFinite(value)) return undefined;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function formatTable(headers, rows, alignRight = []) {
  const cells = rows.map((r) => r.map((c) => (c === undefined || c === null ? '–' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const fmt = (r) => r.map((c, i) => (alignRight[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

export function fmtNumber(value, digits = 0) {
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function timestamp() {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

export function writeResults(name, data) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}-${timestamp()}.json`);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return path.relative(process.cwd(), file) || file;
}

// ---------------------------------------------------------------------------------------------------------
// Entry points

/** Runs body() with signal handlers and cleanup; maps failures to exit codes (2: usage or preconditions, 1: error). */
export async function runMain(body) {
  installSignalHandlers();
  let code;
  try {
    code = (await body()) ?? 0;
  } catch (error) {
    if (abortSignal.aborted) code = 130;
    else if (error instanceof PreconditionError) {
      process.stderr.write(`bench: cannot run: ${error.message}\n`);
      code = 2;
    } else if (error instanceof UsageError) {
      process.stderr.write(`bench: ${error.message}\n\n${OPTION_HELP}\n`);
      code = 2;
    } else {
      process.stderr.write(`bench: failed: ${error?.stack ?? error}\n`);
      code = 1;
    }
  } finally {
    await cleanupAll();
  }
  // When interrupted, the signal handler exits once its own cleanup is done.
  if (!abortSignal.aborted) process.exit(code);
}
