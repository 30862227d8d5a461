// Hosting throughput: the same hello app behind ours (cloudbench serve), node:cluster, nginx and PM2, side by side.
// Method (bench/../shared/reference/hosting-baselines.md): 2 workers each; per run a warm-up (discarded) then
// `wrk -t1 -c50 -d10s --latency`; 3 interleaved repetitions with the variant order rotated; cells are medians.
// CPU µs/request = utime+stime of the variant's processes (front + workers) over the measured run / requests.
//
//   node bench/hosting/throughput.js [--quick] [--reps N] [--duration S] [--warmup S] [--only ours,nginx,...]
import { pathToFileURL } from 'node:url';
import {
  OPTION_HELP,
  UsageError,
  abortSignal,
  checkPreconditions,
  cpuDelta,
  cpuSnapshot,
  fmtNumber,
  formatTable,
  machineBusy,
  median,
  parseBenchArgs,
  round,
  runMain,
  runWrk,
  selfCpu,
  toolVersions,
  waitForQuiet,
  writeResults,
} from './lib.js';
import { VARIANTS, describeProcesses } from './variants.js';

export const GOAL = "goal: ours ≥ 0.8× nginx throughput and p99 ≤ 1.5× nginx's";
const GOAL_RPS_RATIO = 0.8;
const GOAL_P99_RATIO = 1.5;
const WORKERS = 2;

export function selectVariants(only) {
  if (only.length === 0) return VARIANTS;
  const unknown = only.filter((k) => !VARIANTS.some((v) => v.key === k));
  if (unknown.length > 0) throw new UsageError(`unknown variant(s) ${unknown.join(', ')}; known: ${VARIANTS.map((v) => v.key).join(', ')}`);
  return VARIANTS.filter((v) => only.includes(v.key));
}

const rotate = (list, n) => list.map((_, i) => list[(i + n) % list.length]);

function mergeGroups(a, b) {
  const out = {};
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) out[key] = [...new Set([...(a[key] ?? []), ...(b[key] ?? [])])];
  return out;
}

async function measure(instance, options, tools) {
  const quiet = await waitForQuiet(options.quietWait);
  if (options.warmup > 0) await runWrk(tools.wrk, instance.url, { duration: options.warmup, connections: options.connections, latency: false });

  const groupsBefore = instance.pidGroups();
  const before = cpuSnapshot(groupsBefore);
  const self0 = selfCpu();
  const busy0 = machineBusy();
  const t0 = performance.now();
  const wrk = await runWrk(tools.wrk, instance.url, { duration: options.duration, connections: options.connections });
  const elapsed = (performance.now() - t0) / 1000;
  const busy1 = machineBusy();
  const self1 = selfCpu();
  const groupsAfter = mergeGroups(groupsBefore, instance.pidGroups());
  const after = cpuSnapshot(groupsAfter);

  const cpu = cpuDelta(before, after);
  const front = cpu.front ?? 0;
  const workers = cpu.workers ?? 0;
  const perReq = (seconds) => (wrk.requests > 0 ? (seconds / wrk.requests) * 1e6 : undefined);
  const wrkCores = (self1.children - self0.children) / elapsed;
  const variantCores = (front + workers) / elapsed;
  const benchCores = (self1.self - self0.self) / elapsed;
  const otherCores = Math.max(0, (busy1 - busy0) / elapsed - variantCores - wrkCores - benchCores);
  const notes = [];
  if (!instance.alive()) notes.push('the variant exited during the measured run');
  if (before.size === 0) notes.push('no processes found for CPU accounting');

  return {
    requests: wrk.requests,
    rps: wrk.rps,
    latencyMs: wrk.latencyMs,
    non2xx: wrk.non2xx,
    socketErrors: wrk.socketErrors,
    cpuUsPerRequest: { front: round(perReq(front), 1), workers: round(perReq(workers), 1), total: round(perReq(front + workers), 1) },
    cores: { variant: round(variantCores, 2), wrk: round(wrkCores, 2), other: round(otherCores, 2) },
    quietWait: quiet,
    processes: describeProcesses(groupsAfter),
    notes,
    wrkCommand: wrk.command,
    wrkOutput: wrk.raw,
  };
}

function summarize(variants, runs, unavailable) {
  const byKey = {};
  for (const v of variants) {
    const ok = runs.filter((r) => r.variant === v.key && !r.error);
    const all = runs.filter((r) => r.variant === v.key);
    const m = (fn) => median(ok.map(fn));
    const sum = (fn) => ok.reduce((a, r) => a + fn(r), 0);
    byKey[v.key] = {
      key: v.key,
      label: v.label,
      unavailable: unavailable[v.key],
      runs: ok.length,
      failedRuns: all.length - ok.length,
      median: ok.length
        ? {
            rps: round(m((r) => r.rps)),
            p50Ms: round(m((r) => r.latencyMs.p50), 2),
            p99Ms: round(m((r) => r.latencyMs.p99), 2),
            cpuUsPerRequest: {
              front: round(m((r) => r.cpuUsPerRequest.front), 1),
              workers: round(m((r) => r.cpuUsPerRequest.workers), 1),
              total: round(m((r) => r.cpuUsPerRequest.total), 1),
            },
            cores: { variant: round(m((r) => r.cores.variant), 2), wrk: round(m((r) => r.cores.wrk), 2), other: round(m((r) => r.cores.other), 2) },
          }
        : undefined,
      totals: ok.length
        ? {
            requests: sum((r) => r.requests),
            non2xx: sum((r) => r.non2xx),
            socketErrors: {
              connect: sum((r) => r.socketErrors.connect),
              read: sum((r) => r.socketErrors.read),
              write: sum((r) => r.socketErrors.write),
              timeout: sum((r) => r.socketErrors.timeout),
            },
          }
        : undefined,
    };
  }
  const base = byKey.nginx?.median;
  for (const s of Object.values(byKey)) {
    if (!s.median || !base) continue;
    s.ratiosToNginx = { throughput: round(s.median.rps / base.rps, 2), p99: round(s.median.p99Ms / base.p99Ms, 2) };
  }
  return byKey;
}

function goalVerdict(summary) {
  const ours = summary.ours;
  if (!ours) return { status: 'not run', text: 'ours: not selected' };
  if (ours.unavailable) return { status: 'unavailable', text: `ours: unavailable: ${ours.unavailable.split('\n')[0]}` };
  if (!ours.ratiosToNginx) return { status: 'unknown', text: 'ours: no ratio to nginx (nginx or ours produced no successful run)' };
  const { throughput, p99 } = ours.ratiosToNginx;
  const met = throughput >= GOAL_RPS_RATIO && p99 <= GOAL_P99_RATIO;
  const errs = ours.totals.non2xx + Object.values(ours.totals.socketErrors).reduce((a, b) => a + b, 0);
  return {
    status: met ? 'met' : 'not met',
    throughputRatio: throughput,
    p99Ratio: p99,
    text:
      `ours: ${throughput}× nginx throughput (needs ≥ ${GOAL_RPS_RATIO}), p99 ${p99}× nginx's (needs ≤ ${GOAL_P99_RATIO}) → ${met ? 'MET' : 'NOT MET'}` +
      (errs > 0 ? `; note ${errs} non-2xx/socket errors` : ''),
  };
}

function printTable(summary) {
  const headers = ['variant', 'req/s', '×nginx', 'p50 ms', 'p99 ms', 'p99 ×nginx', 'non-2xx', 'sock err c/r/w/t', 'CPU µs/req front+workers=total', 'wrk cores', 'other cores', 'runs'];
  const rows = Object.values(summary).map((s) => {
    if (s.unavailable) return [s.label, `unavailable: ${s.unavailable.split('\n')[0]}`, '', '', '', '', '', '', '', '', '', ''];
    if (!s.median) return [s.label, 'no successful run', '', '', '', '', '', '', '', '', '', `0/${s.failedRuns}`];
    const c = s.median.cpuUsPerRequest;
    const e = s.totals.socketErrors;
    return [
      s.label,
      fmtNumber(s.median.rps),
      s.ratiosToNginx ? s.ratiosToNginx.throughput.toFixed(2) : undefined,
      s.median.p50Ms?.toFixed(2),
      s.median.p99Ms?.toFixed(2),
      s.ratiosToNginx ? s.ratiosToNginx.p99.toFixed(2) : undefined,
      String(s.totals.non2xx),
      `${e.connect}/${e.read}/${e.write}/${e.timeout}`,
      `${c.front} + ${c.workers} = ${c.total}`,
      s.median.cores.wrk?.toFixed(2),
      s.median.cores.other?.toFixed(2),
      s.failedRuns ? `${s.runs} (+${s.failedRuns} failed)` : String(s.runs),
    ];
  });
  // Long "unavailable" reasons would stretch the req/s column: print them under the table instead.
  const table = formatTable(
    headers,
    rows.map((r) => (r[1]?.startsWith('unavailable') ? [r[0], 'unavailable (see below)', ...r.slice(2)] : r)),
    [false, true, true, true, true, true, true, true, false, true, true, true],
  );
  console.log(table);
  for (const s of Object.values(summary)) if (s.unavailable) console.log(`  ${s.label}: unavailable: ${s.unavailable.split('\n').join('\n    ')}`);
}

/** Runs the suite; returns { file, summary, goal }. */
export async function run(options) {
  const tools = checkPreconditions();
  const variants = selectVariants(options.only);
  const startedAt = new Date();
  const method = {
    workers: WORKERS,
    repetitions: options.reps,
    warmupSeconds: options.warmup,
    durationSeconds: options.duration,
    connections: options.connections,
    wrk: `wrk -t1 -c${options.connections} -d${options.duration}s --latency`,
    order: 'interleaved; the variant order is rotated by one each repetition',
    cells: 'medians over repetitions; non-2xx and socket errors are totals over all runs',
    cpu: 'utime+stime from /proc/<pid>/stat of the variant processes (front = process in front of the workers; workers = node workers) over the measured run, divided by wrk requests',
    quietWaitSeconds: options.quietWait,
    variants: {
      ours: 'node bin/cloudbench.js serve <copy of apps/hello> --port <p> --host 127.0.0.1 --workers 2',
      cluster: 'node:cluster primary (launchers/cluster-primary.js), default scheduling (SCHED_RR), workers on 127.0.0.1:<p>',
      nginx: 'nginx 1 worker_process → 2 node on Unix sockets; upstream keepalive 64, max_fails=0; client keepalive_requests 1000000',
      pm2: 'pm2 start server.js -i 2 (cluster mode) with a private PM2_HOME; pm2 kill afterwards',
    },
  };
  console.log(`\n== hosting/throughput: ${variants.map((v) => v.key).join(', ')}; ${WORKERS} workers each; ${options.reps} rep(s) of ${options.warmup} s warm-up + wrk -t1 -c${options.connections} -d${options.duration}s${options.quick ? ' (quick)' : ''}`);
  console.log(GOAL);

  const runs = [];
  const unavailable = {};
  for (let rep = 0; rep < options.reps; rep++) {
    for (const variant of rotate(variants, rep)) {
      if (unavailable[variant.key]) continue;
      const prefix = `  rep ${rep + 1}/${options.reps}  ${variant.label.padEnd(30)}`;
      let instance;
      try {
        instance = await variant.start({ workers: WORKERS, tools });
      } catch (error) {
        if (abortSignal.aborted) throw error;
        unavailable[variant.key] = error.message;
        console.log(`${prefix} unavailable: ${error.message.split('\n')[0]}`);
        continue;
      }
      let result;
      try {
        result = { variant: variant.key, rep: rep + 1, ...(await measure(instance, options, tools)) };
      } catch (error) {
        if (abortSignal.aborted) throw error;
        result = { variant: variant.key, rep: rep + 1, error: error.message };
      } finally {
        const notes = await instance.stop();
        if (result && notes.length > 0) result.notes = [...(result.notes ?? []), ...notes];
      }
      runs.push(result);
      if (result.error) console.log(`${prefix} error: ${result.error.split('\n')[0]}`);
      else {
        const e = result.socketErrors;
        console.log(
          `${prefix} ${fmtNumber(result.rps).padStart(7)} req/s  p50 ${result.latencyMs.p50?.toFixed(2)} ms  p99 ${result.latencyMs.p99?.toFixed(2)} ms  ` +
            `cpu ${result.cpuUsPerRequest.total} µs/req  non-2xx ${result.non2xx}  sock ${e.connect}/${e.read}/${e.write}/${e.timeout}  other cores ${result.cores.other}`,
        );
      }
      for (const note of result.notes ?? []) console.log(`      note: ${note}`);
    }
  }

  const summary = summarize(variants, runs, unavailable);
  const goal = goalVerdict(summary);
  console.log(`\nhosting/throughput — medians of ${options.reps} run(s); ratios to nginx; errors are totals`);
  printTable(summary);
  console.log(`\n${GOAL}`);
  console.log(goal.text);
  if (options.reps < 3 || options.duration < 10) console.log(`(indicative only: ${options.reps} run(s) of ${options.duration} s; the goal is judged on the full method, 3 × 10 s)`);
  const file = writeResults('hosting', {
    suite: 'hosting/throughput',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick: options.quick,
    method,
    environment: toolVersions(tools),
    goal: { text: GOAL, throughputRatioAtLeast: GOAL_RPS_RATIO, p99RatioAtMost: GOAL_P99_RATIO, result: goal },
    summary,
    runs,
  });
  console.log(`results: ${file}`);
  return { file, summary, goal };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMain(async () => {
    const { options } = parseBenchArgs(process.argv.slice(2));
    if (options.help) {
      console.log(`usage: node bench/hosting/throughput.js [options]\n\n${OPTION_HELP}`);
      return 0;
    }
    await run(options);
    return 0;
  });
}
