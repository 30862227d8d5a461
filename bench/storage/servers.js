// Starting the two emulators the storage benchmark compares, as separate processes on free ports, and timing
// their start-up (spawn → both ports accept connections). Ours runs on a temporary data folder (the durable
// default); Azurite runs with --inMemoryPersistence (its fastest mode) and --skipApiVersionCheck (needed for
// @azure/storage-queue 12.30).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEV_ACCOUNT, DEV_KEY_FOR_BENCH } from './workloads.js';
import { REPO, freePort, makeTempDir, registerCleanup, removeTempDir } from '../hosting/lib.js';

// Our emulator in a process of its own (as Azurite is), never in the benchmark's process: the SDK client that
// generates the load must not share an event loop with the server it measures.
const OURS_SCRIPT = `
  const { startStorageEmulator } = await import(${JSON.stringify(path.join(REPO, 'dist/runtime/emulators/storage/index.js'))});
  const emu = await startStorageEmulator({ dataDir: process.argv[1], inMemory: process.argv[4] === 'memory', tablesPort: Number(process.argv[2]), queuesPort: Number(process.argv[3]) });
  // Lets --cpu-prof (CB_BENCH_PROFILE) write its profile on SIGTERM.
  process.once('SIGTERM', () => emu.close().then(() => process.exit(0)));
`;

/** The servers the benchmark knows: ours on disk (the durable default), ours in memory, Azurite in memory and on disk. */
export const SERVERS = {
  ours: { label: 'ours (disk)', ours: true, memory: false },
  'ours-mem': { label: 'ours (memory)', ours: true, memory: true },
  azurite: { label: 'Azurite (memory)', ours: false, memory: true },
  // Azurite's default, durable mode: LokiJS with its 5 s autosave to files under --location.
  'azurite-disk': { label: 'Azurite (disk)', ours: false, memory: false },
};

function accepting(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitForPorts(ports, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`emulator exited with ${child.exitCode} before listening`);
    const ok = await Promise.all(ports.map(accepting));
    if (ok.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error('emulator did not listen in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** CPU time (user + system) the process has used so far, in ms (from /proc/<pid>/stat; clock ticks of 10 ms). */
export function cpuMsOf(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Starts one emulator; returns { name, tablesUrl, queuesUrl, connectionString, startupMs, rss(), stop() }. */
export async function startServer(name) {
  const [tablePort, queuePort, blobPort] = [await freePort(), await freePort(), await freePort()];
  const dir = makeTempDir(`cb-bench-storage-${name}-`);
  const spec = SERVERS[name];
  // CB_BENCH_PROFILE=DIR writes a CPU profile of our emulator process (node --cpu-prof) into DIR.
  const profile = spec.ours && process.env.CB_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.CB_BENCH_PROFILE] : [];
  const args =
    spec.ours
      ? [...profile, '--input-type=module', '-e', OURS_SCRIPT, dir, String(tablePort), String(queuePort), spec.memory ? 'memory' : 'disk']
      : [path.join(REPO, 'node_modules/azurite/dist/src/azurite.js'), '--silent', ...(spec.memory ? ['--inMemoryPersistence'] : ['--location', dir]), '--disableTelemetry', '--skipApiVersionCheck',
         '--blobPort', String(blobPort), '--queuePort', String(queuePort), '--tablePort', String(tablePort), '--debug', '/dev/null'];
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  // After a signal, exitCode stays null and signalCode is set: checking exitCode alone made a second stop()
  // (cleanupAll after measure) wait for an exit that had already happened.
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (running()) {
      const exited = new Promise((r) => child.once('exit', r));
      if (profile.length > 0) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (!running()) return removeTempDir(dir);
      }
      child.kill('SIGKILL');
      await exited;
    }
    removeTempDir(dir);
  };
  registerCleanup({ name: `storage ${name}`, close: stop, closeSync: () => running() && child.kill('SIGKILL') });
  await waitForPorts([tablePort, queuePort], child);
  const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
  const tablesUrl = `http://127.0.0.1:${tablePort}`;
  const queuesUrl = `http://127.0.0.1:${queuePort}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY_FOR_BENCH};TableEndpoint=${tablesUrl}/${DEV_ACCOUNT};QueueEndpoint=${queuesUrl}/${DEV_ACCOUNT};`;
  return { name, label: spec.label, pid: child.pid, tablesUrl, queuesUrl, connectionString, startupMs, rss: () => rssOf(child.pid), cpuMs: () => cpuMsOf(child.pid), stop };
}

/**
 * Start-up of each server (spawn → both ports accept), as the median of `runs` fresh spawns per server taken in
 * turn (ours in memory, ours on disk, Azurite, then again), each on an empty data folder and before any load,
 * so a busy moment on this noisy machine shifts one sample, not one server's number.
 */
export async function startupMedians(names, runs = 5) {
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const name of names) {
      const server = await startServer(name);
      times[name].push(server.startupMs);
      await server.stop();
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n])]));
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Start-up of the whole `cloudbench emulators --in-memory` command (CLI, storage and Service Bus), spawn until
 * it prints `ready`: what a user waits for. The median of `runs`.
 */
export async function cliStartupMs(runs = 3) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [path.join(REPO, 'bin/cloudbench.js'), 'emulators', '--in-memory', '--tables-port', '0', '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((r) => child.once('exit', r));
    registerCleanup({ name: 'cloudbench emulators', close: async () => { child.kill('SIGKILL'); await exited; }, closeSync: () => child.exitCode === null && child.kill('SIGKILL') });
    await new Promise((resolve, reject) => {
      let out = '';
      const onData = (chunk) => {
        out += chunk;
        if (/\bready\b/.test(out)) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`cloudbench emulators exited with ${code}: ${out.slice(-500)}`)));
    });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    child.kill('SIGKILL');
    await exited;
  }
  return median(times);
}
