// Hosting resilience: what clients see while workers are recycled and killed under load.
// ours (cloudbench serve, 2 workers): 20 s of `wrk -t1 -c50`; at ~5 s and ~12 s the app's .js file is rewritten
// (the runtime watches it and recycles the workers); at ~8 s and ~15 s one worker is killed with SIGKILL.
// nginx (1 worker_process → 2 node on Unix sockets, restarted by the harness when they die): the same two kills.
// PASS only if wrk saw no non-2xx responses and no socket errors (connect/read/write/timeout).
// With a shorter --resilience-duration the event times scale with it.
//
//   node bench/hosting/resilience.js [--quick] [--resilience-duration S] [--only ours,nginx]
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  OPTION_HELP,
  UsageError,
  abortSignal,
  checkPreconditions,
  fmtNumber,
  formatTable,
  isAlive,
  parseBenchArgs,
  pause,
  round,
  runMain,
  runWrk,
  toolVersions,
  writeResults,
} from './lib.js';
import { nginx, ours } from './variants.js';

const WORKERS = 2;
const BASE_SECONDS = 20;
const SCENARIOS = [
  {
    variant: ours,
    events: [
      { at: 5, action: 'recycle' },
      { at: 8, action: 'kill' },
      { at: 12, action: 'recycle' },
      { at: 15, action: 'kill' },
    ],
  },
  {
    variant: nginx,
    events: [
      { at: 8, action: 'kill' },
      { at: 15, action: 'kill' },
    ],
  },
];
const MONITOR_MS = 8000;

const secondsSince = (t0) => round((Date.now() - t0) / 1000, 2);

/** Polls until cond() is true (→ ms taken) or the deadline passes (→ undefined). */
async function until(cond, startedAt, deadline) {
  while (Date.now() < deadline) {
    if (cond()) return Date.now() - startedAt;
    await pause(100);
  }
  return cond() ? Date.now() - startedAt : undefined;
}

async function recycle(instance, event, count) {
  const before = instance.workerPids();
  const file = path.join(instance.appDir, 'server.js');
  const original = fs.readFileSync(file, 'utf8').replace(/\n\/\/ bench recycle .*\n?$/s, '\n');
  fs.writeFileSync(file, `${original}// bench recycle ${count} at ${new Date().toISOString()}\n`);
  const t = Date.now();
  event.detail = `rewrote ${path.basename(file)}; workers before: ${before.join(', ') || 'none found'}`;
  if (before.length === 0) {
    event.problem = 'no worker processes found before the recycle';
    return;
  }
  const ms = await until(() => {
    const now = instance.workerPids();
    return now.length >= before.length && now.every((pid) => !before.includes(pid));
  }, t, t + MONITOR_MS);
  if (ms === undefined) event.problem = `workers not replaced within ${MONITOR_MS / 1000} s of the rewrite (still ${instance.workerPids().join(', ')})`;
  else event.detail += `; all replaced after ${ms} ms (now ${instance.workerPids().join(', ')})`;
}

async function kill(instance, event, count) {
  const workers = instance.workerPids().filter((pid) => pid !== instance.rootPid);
  if (workers.length === 0) {
    event.problem = 'no worker process found to kill';
    return;
  }
  const victim = workers[count % workers.length];
  const t = Date.now();
  try {
    process.kill(victim, 'SIGKILL');
  } catch (error) {
    event.problem = `kill ${victim} failed: ${error.message}`;
    return;
  }
  event.detail = `SIGKILL worker ${victim} (of ${workers.join(', ')})`;
  const ms = await until(() => {
    const now = instance.workerPids();
    return !isAlive(victim) && now.length >= workers.length && !now.includes(victim);
  }, t, t + MONITOR_MS);
  if (ms === undefined) event.problem = `no replacement worker within ${MONITOR_MS / 1000} s (workers now ${instance.workerPids().join(', ') || 'none'})`;
  else event.detail += `; replacement process seen after ${ms} ms`;
  if (instance.pool && ms !== undefined) {
    // nginx's harness restarts its node workers itself, so it knows when the new one answers on its socket.
    const restart = () => instance.pool.events.find((e) => e.pid === victim);
    await until(() => restart()?.readyAt !== undefined || restart()?.error !== undefined, t, t + MONITOR_MS);
    if (restart()?.readyAt) event.detail += `, answering after ${restart().readyAt - t} ms`;
    else event.problem = `restarted worker not answering: ${restart()?.error ?? 'timeout'}`;
  }
}

async function runScenario(instance, events, options, tools) {
  const duration = options.resilienceDuration;
  const scale = duration / BASE_SECONDS;
  const t0 = Date.now();
  const wrkRun = runWrk(tools.wrk, instance.url, { duration, connections: options.connections });
  wrkRun.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
  const log = [];
  const monitors = [];
  const counts = { recycle: 0, kill: 0 };
  for (const spec of events) {
    const at = round(spec.at * scale, 2);
    const wait = t0 + at * 1000 - Date.now();
    if (wait > 0) await pause(wait);
    const event = { planned: at, at: secondsSince(t0), action: spec.action };
    log.push(event);
    const n = counts[spec.action]++;
    monitors.push(spec.action === 'recycle' ? recycle(instance, event, n + 1) : kill(instance, event, n));
  }
  const wrk = await wrkRun;
  await Promise.all(monitors);
  return { wrk, events: log, aliveAtEnd: instance.alive() };
}

function verdictOf({ wrk, events, aliveAtEnd }) {
  const reasons = [];
  if (wrk.non2xx > 0) reasons.push(`${wrk.non2xx} non-2xx`);
  if (wrk.socketErrorTotal > 0) reasons.push(`${wrk.socketErrorTotal} socket errors`);
  if (wrk.requests === 0) reasons.push('no requests completed');
  if (!aliveAtEnd) reasons.push('the front end exited');
  if (reasons.length > 0) return { verdict: 'FAIL', reasons };
  const problems = events.filter((e) => e.problem).map((e) => `${e.action}@${e.planned}s: ${e.problem}`);
  if (problems.length > 0) return { verdict: 'INCONCLUSIVE', reasons: problems };
  return { verdict: 'PASS', reasons: [] };
}

/** Runs the suite; returns { file, results }. */
export async function run(options) {
  const tools = checkPreconditions();
  const known = SCENARIOS.map((s) => s.variant.key);
  const unknown = options.only.filter((k) => !known.includes(k) && !['cluster', 'pm2'].includes(k));
  if (unknown.length > 0) throw new UsageError(`unknown variant(s) ${unknown.join(', ')}; the resilience suite runs: ${known.join(', ')}`);
  const scenarios = SCENARIOS.filter((s) => options.only.length === 0 || options.only.includes(s.variant.key));
  if (scenarios.length === 0) {
    console.log(`\n== hosting/resilience: skipped (it runs ${known.join(' and ')}; --only selected neither)`);
    return { results: [] };
  }
  const duration = options.resilienceDuration;
  const scale = duration / BASE_SECONDS;
  const startedAt = new Date();
  console.log(`\n== hosting/resilience: ${duration} s of wrk -t1 -c${options.connections} per target, ${WORKERS} workers${options.quick ? ' (quick)' : ''}`);

  const results = [];
  for (const { variant, events } of scenarios) {
    const plan = events.map((e) => `${e.action}@${round(e.at * scale, 1)}s`).join(', ');
    console.log(`  ${variant.label}: ${plan} …`);
    let instance;
    try {
      instance = await variant.start({ workers: WORKERS, tools });
    } catch (error) {
      if (abortSignal.aborted) throw error;
      results.push({ variant: variant.key, label: variant.label, plan, unavailable: error.message });
      console.log(`    unavailable: ${error.message.split('\n')[0]}`);
      continue;
    }
    let result;
    try {
      const outcome = await runScenario(instance, events, options, tools);
      result = { variant: variant.key, label: variant.label, plan, ...outcome, ...verdictOf(outcome) };
    } catch (error) {
      if (abortSignal.aborted) throw error;
      result = { variant: variant.key, label: variant.label, plan, verdict: 'ERROR', reasons: [error.message] };
    } finally {
      const notes = await instance.stop();
      if (result) result.notes = notes;
    }
    results.push(result);
    for (const e of result.events ?? []) console.log(`    ${e.action}@${e.at}s: ${e.detail ?? ''}${e.problem ? ` — ${e.problem}` : ''}`);
    for (const note of result.notes ?? []) console.log(`    note: ${note}`);
    console.log(`    → ${result.verdict}${result.reasons.length ? ` (${result.reasons.join('; ')})` : ''}`);
  }

  console.log(`\nhosting/resilience — ${duration} s, wrk -t1 -c${options.connections}; PASS = 0 non-2xx and 0 socket errors`);
  const rows = results.map((r) => {
    if (r.unavailable) return [r.label, 'unavailable', '', '', '', '', '', r.plan];
    if (!r.wrk) return [r.label, r.verdict, '', '', '', '', '', r.plan];
    const e = r.wrk.socketErrors;
    return [
      r.label,
      r.verdict,
      fmtNumber(r.wrk.requests),
      fmtNumber(r.wrk.rps),
      String(r.wrk.non2xx),
      `${e.connect}/${e.read}/${e.write}/${e.timeout}`,
      `${r.wrk.latencyMs.p99?.toFixed(2)} / ${r.wrk.latencyMs.max?.toFixed(2)}`,
      r.plan,
    ];
  });
  console.log(formatTable(['target', 'verdict', 'requests', 'req/s', 'non-2xx', 'sock err c/r/w/t', 'p99 / max ms', 'events'], rows, [false, false, true, true, true, true, true, false]));
  for (const r of results) if (r.unavailable) console.log(`  ${r.label}: unavailable: ${r.unavailable.split('\n').join('\n    ')}`);

  const file = writeResults('hosting-resilience', {
    suite: 'hosting/resilience',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: options.quick,
    method: {
      workers: WORKERS,
      durationSeconds: duration,
      connections: options.connections,
      wrk: `wrk -t1 -c${options.connections} -d${duration}s --latency`,
      events: 'recycle = rewrite the app\'s server.js (ours only); kill = SIGKILL one worker; times scale with the duration',
      pass: '0 non-2xx and 0 socket errors (connect/read/write/timeout); INCONCLUSIVE if an event could not be performed or observed',
    },
    environment: toolVersions(tools),
    results: results.map((r) => (r.wrk ? { ...r, wrk: { ...r.wrk, raw: undefined }, wrkOutput: r.wrk.raw } : r)),
  });
  console.log(`results: ${file}`);
  return { file, results };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMain(async () => {
    const { options } = parseBenchArgs(process.argv.slice(2));
    if (options.help) {
      console.log(`usage: node bench/hosting/resilience.js [options]\n\n${OPTION_HELP}`);
      return 0;
    }
    await run(options);
    return 0;
  });
}
