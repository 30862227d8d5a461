// Fabric under load: what clients see during a swap, a scale 1 → 4 → 1 and an instance kill, next to the
// peer a Node developer would use for a zero-downtime code switch (`pm2 reload` of a 2-process cluster).
// 16 keep-alive request loops run throughout; for each event we count failed requests (socket errors and
// 5xx) and compare the p99 latency in the event's window with the steady state before it (the "spike").
// Also: the time a swap of a 2-instance deployment takes, start to finish.
//
//   node bench/fabric/events.js [--quick]
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, fmtNumber, formatTable, makeTempDir, parseBenchArgs, pause, round, runCommand, runMain, writeResults } from '../hosting/lib.js';
import { pm2 } from '../hosting/variants.js';

const dist = (p) => import(pathToFileURL(path.join(REPO, 'dist', p)).href);

class Load {
  constructor(url, loops = 16) {
    this.samples = [];
    this.running = true;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: loops });
    this.loops = Array.from({ length: loops }, () => this.#loop(url));
  }
  async #loop(url) {
    while (this.running) {
      const t0 = performance.now();
      const ok = await new Promise((resolve) => {
        const req = http.get(url, { agent: this.agent }, (res) => {
          res.resume();
          res.on('end', () => resolve((res.statusCode ?? 0) < 500));
        });
        req.on('error', () => resolve(false));
      });
      this.samples.push({ at: Date.now(), ms: performance.now() - t0, ok });
    }
  }
  window(from, to) {
    const s = this.samples.filter((x) => x.at >= from && x.at <= to);
    const ms = s.map((x) => x.ms).sort((a, b) => a - b);
    return { requests: s.length, failed: s.filter((x) => !x.ok).length, p99: ms.length ? ms[Math.floor(0.99 * (ms.length - 1))] : 0 };
  }
  async stop() {
    this.running = false;
    await Promise.all(this.loops);
    this.agent.destroy();
  }
}

/** Runs `action` under load: steady window before, event window during (plus 1 s after). */
async function measure(load, name, action, steadyMs) {
  const steadyFrom = Date.now();
  await pause(steadyMs);
  const start = Date.now();
  await action();
  const end = Date.now();
  await pause(1000);
  const steady = load.window(steadyFrom, start);
  const during = load.window(start, Date.now());
  return { event: name, durationMs: end - start, requests: during.requests, failed: during.failed, steadyP99: round(steady.p99, 2), eventP99: round(during.p99, 2), spike: round(during.p99 / Math.max(0.01, steady.p99), 1) };
}

async function ours(quick) {
  const { Fabric } = await dist('runtime/fabric/fabric.js');
  const app = path.join(REPO, 'test', 'fixtures', 'apps', 'versioned');
  const config = { instances: 1, balancer: 'round-robin', environments: [{ name: 'bench', instances: 2, settings: {}, slotSettings: { production: {}, staging: {} } }], warmupPath: '/', warmupStatuses: [200], workerRoles: [], sources: [] };
  const fabric = new Fabric({ config, store: makeTempDir('cb-bench-deployments'), site: { workers: 1 } });
  await fabric.start();
  try {
    await fabric.deploy('bench', app);
    await fabric.swap('bench');
    await fabric.deploy('bench', app);
    const url = fabric.view()[0].slots.find((s) => s.name === 'production').url;
    const load = new Load(url);
    const steady = quick ? 1000 : 3000;
    const rows = [];
    rows.push(await measure(load, 'swap (2 instances)', () => fabric.swap('bench'), steady));
    rows.push(await measure(load, 'scale 2 → 4', () => fabric.scale('bench', 'production', 4), steady));
    rows.push(await measure(load, 'scale 4 → 1', () => fabric.scale('bench', 'production', 1), steady));
    await fabric.scale('bench', 'production', 2);
    const victim = fabric.view()[0].slots.find((s) => s.name === 'production').instances[1];
    rows.push(await measure(load, 'kill an instance', () => fabric.site('bench', 'production').killInstance(victim), steady));
    await load.stop();
    return rows;
  } finally {
    await fabric.close();
  }
}

async function peer(quick) {
  const running = await pm2.start({ workers: 2 });
  try {
    const env = { ...process.env, PM2_HOME: path.join(path.dirname(running.appDir), 'pm2home') };
    const bin = path.join(REPO, 'node_modules', '.bin', 'pm2');
    const load = new Load(running.url);
    const row = await measure(load, 'pm2 reload (2 processes)', async () => {
      const r = await runCommand(process.execPath, [bin, 'reload', 'cb-hello'], { env, timeoutMs: 60_000 });
      if (r.code !== 0) throw new Error(`pm2 reload failed: ${r.stderr}`);
    }, quick ? 1000 : 3000);
    await load.stop();
    return [row];
  } finally {
    await running.stop();
  }
}

export async function run(options = {}) {
  const quick = Boolean(options.quick);
  const rows = [...(await ours(quick)), ...(await peer(quick).catch((e) => [{ event: `pm2 reload: unavailable (${e.message})` }]))];
  console.log('\nFabric events under load (16 keep-alive loops):\n');
  console.log(formatTable(
    ['event', 'took ms', 'requests', 'failed', 'p99 steady ms', 'p99 during ms', 'spike ×'],
    rows.map((r) => [r.event, fmtNumber(r.durationMs), fmtNumber(r.requests), r.failed, r.steadyP99, r.eventP99, r.spike]),
    [false, true, true, true, true, true, true],
  ));
  const file = writeResults('fabric-events', { rows, quick });
  console.log(`\n${file}`);
  return { file };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runMain(() => run(parseBenchArgs(process.argv.slice(2)).options));
