// The storage benchmark's concurrent rows: the same SDK operations as the sequential rows (single insert, point
// read, queue send+receive+delete), driven by K client processes (client-worker.js) that each keep 8 in flight
// for a fixed time (3 s, --quick 1.5 s) after a warm-up (a fixed number of operations per client, then 1 s /
// 0.5 s all together); the row is the total ops/s of all clients. A sequential SDK loop is bounded
// by the SDK's own CPU per operation (~0.4–0.5 ms, paid against both emulators); spreading the clients over
// processes lets the server, not one client, be the bottleneck. On a 2-core machine the clients still share the
// cores with the server, so the ratio is a lower bound on the server-side one.
// K: BENCH_STORAGE_CLIENTS (default 3). Any failed operation fails the run; no number is reported for it.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fmtNumber, registerCleanup } from '../hosting/lib.js';

const WORKER = path.join(import.meta.dirname, 'client-worker.js');
const IN_FLIGHT = 8;

export function clientCount() {
  const raw = process.env.BENCH_STORAGE_CLIENTS;
  const k = raw ? Number(raw) : 3;
  if (!Number.isInteger(k) || k < 1) throw new Error(`BENCH_STORAGE_CLIENTS: expected an integer ≥ 1, got "${raw}"`);
  return k;
}

/** Forks one client; `next()` resolves its next IPC message (rejects if it exits first or sends 'failed'). */
function startClient(index, timeoutMs) {
  const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const unregister = registerCleanup({
    name: `storage client ${index}`,
    close: async () => { if (child.exitCode === null && child.signalCode === null) { const exited = new Promise((r) => child.once('exit', r)); child.kill('SIGKILL'); await exited; } },
    closeSync: () => child.exitCode === null && child.kill('SIGKILL'),
  });
  const queue = [];
  const waiters = [];
  let ended;
  child.on('message', (msg) => (waiters.length > 0 ? waiters.shift().resolve(msg) : queue.push(msg)));
  child.once('exit', (code, signal) => {
    ended = new Error(`storage client ${index} exited (${signal ?? code}) before reporting`);
    for (const w of waiters.splice(0)) w.reject(ended);
  });
  const next = () => {
    if (queue.length > 0) return Promise.resolve(queue.shift());
    if (ended) return Promise.reject(ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`storage client ${index}: no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      waiters.push({ resolve: (m) => (clearTimeout(timer), resolve(m)), reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  };
  const expect = async (type) => {
    const msg = await next();
    if (msg.type === 'failed') throw new Error(`storage client ${index} failed: ${msg.message}`);
    if (msg.type !== type) throw new Error(`storage client ${index}: expected '${type}', got '${msg.type}'`);
    return msg;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    unregister();
  };
  return { child, expect, stop };
}

/**
 * K clients against one server, each with its own table or queue: total ops/s over `durationMs` after
 * `warmupMs`. Throws if any operation of any client failed (with the count and a few messages).
 */
export async function runConcurrent(server, op, { clients, warmupOps, warmupMs, durationMs }) {
  const list = Array.from({ length: clients }, (_, i) => startClient(i, 120_000 + warmupMs + durationMs));
  try {
    for (const [i, c] of list.entries()) c.child.send({ type: 'setup', connectionString: server.connectionString, op, inFlight: IN_FLIGHT, index: i, warmupOps });
    await Promise.all(list.map((c) => c.expect('ready')));
    // Started together: an absolute time a little ahead, so every client's window is the same.
    const startAt = performance.timeOrigin + performance.now() + 100;
    for (const c of list) c.child.send({ type: 'run', startAt, warmupMs, durationMs });
    const reports = await Promise.all(list.map((c) => c.expect('done')));
    const errors = reports.reduce((a, r) => a + r.errors, 0);
    if (errors > 0) {
      const samples = [...new Set(reports.flatMap((r) => r.errorSamples))].slice(0, 3);
      throw new Error(`${server.name}: concurrent ${op}: ${errors} failed operations across ${clients} clients (no number reported): ${samples.join(' | ')}`);
    }
    const ops = reports.reduce((a, r) => a + r.ops, 0);
    if (ops === 0) throw new Error(`${server.name}: concurrent ${op}: no operation completed in the measured window`);
    const cpuUs = reports.reduce((a, r) => a + r.cpuUs, 0);
    console.log(`    ${server.name}: ${op} × ${clients} clients: ${reports.map((r) => fmtNumber(r.ops)).join(' + ')} ops in ${durationMs / 1000} s; client CPU ${fmtNumber(cpuUs / ops)} µs/op`);
    return (ops / durationMs) * 1000;
  } finally {
    await Promise.all(list.map((c) => c.stop()));
  }
}

/** The concurrent rows; same shape as workloads() in workloads.js. */
export function concurrentWorkloads(quick) {
  const clients = clientCount();
  // Warm-up per client: `warmupOps` requests (a queue cycle is 3), untimed, then `warmupMs` with all clients
  // running before the measured window (see client-worker.js for why by count).
  const warmupRequests = quick ? 1500 : 3000;
  const timing = { clients, warmupOps: warmupRequests, warmupMs: quick ? 500 : 1000, durationMs: quick ? 1500 : 3000 };
  const label = (what) => `SDK, ${clients} procs × ${IN_FLIGHT} in flight: ${what}`;
  return [
    { id: 'insertConc', label: label('single insert'), unit: 'ops/s', higher: true, run: (s) => runConcurrent(s, 'insert', timing) },
    { id: 'readConc', label: label('point read'), unit: 'ops/s', higher: true, run: (s) => runConcurrent(s, 'read', timing) },
    { id: 'queueConc', label: label('queue send+receive+delete'), unit: 'msgs/s', higher: true, run: (s) => runConcurrent(s, 'queue', { ...timing, warmupOps: warmupRequests / 3 }) },
  ];
}
