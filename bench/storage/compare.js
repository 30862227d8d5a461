// bench/storage/compare: our Table/Queue emulator vs Azurite 3.35 with the same SDK scripts, side by side in
// one run: start-up time, per-operation throughput, queries over 10k/100k entities, listing 100k, queues with
// 20k messages waiting, and RSS. Prints both and the ratio (>1 means ours is better). `--quick` shrinks the
// sizes (30k entities, 5k waiting) for a smoke run.
// Then, in a fresh process of each emulator (so the rows above, RSS included, are as before), rows that show the
// server without the SDK client's per-operation CPU as the bound: the same SDK operations from several client
// processes at once (concurrent.js), and the SDK's REST requests replayed by a bare signed node:http client,
// sequentially and for listing the big table (raw-client.js). Last, both durable modes side by side: single
// inserts into a big table on ours (disk) and Azurite (disk), with their latency tail (durable.js).
import { bigTable, lastTiming, workloads } from './workloads.js';
import { concurrentWorkloads } from './concurrent.js';
import { rawWorkloads } from './raw-client.js';
import { cliStartupMs, startServer, startupMedians } from './servers.js';
import { durableRows } from './durable.js';
import { cleanupAll, formatTable, fmtNumber, installSignalHandlers, round, timestamp, writeResults } from '../hosting/lib.js';

const GOALS = {
  insert: 3, batch: 3, read: 3, filter10k: 3, filterBig: 3, queueSeq: 3, listBig: 10, queueDeep: 10,
  insertConc: 3, readConc: 3, queueConc: 3, rawInsert: 3, rawRead: 3, rawQueueSeq: 3, rawListBig: 10,
};

/** Untimed passes of each `warm: true` workload before its timed one, on every server alike (server JIT). */
const WARM_PASSES = 2;

/**
 * The SDK client in this process warmed before any row is timed: full-size `warm: true` workloads, twice, against
 * a throwaway server of ours. Otherwise the first server measured (ours) paid for V8 optimizing the SDK: its
 * client CPU per insert read 450 µs against 190 µs for the servers after it.
 */
async function warmClient(log) {
  const server = await startServer('ours-mem');
  const list = workloads(false).filter((w) => w.warm);
  for (let pass = 0; pass < 2; pass++) for (const w of list) await w.run(server);
  await server.stop();
  log('SDK client warmed (2 full passes of the sequential rows against a throwaway server)');
}

async function measure(name, list, bigCount, log, warmPasses = 0) {
  const server = await startServer(name);
  log(`${name}: listening after ${round(server.startupMs, 1)} ms`);
  const results = { startupMs: server.startupMs };
  let big;
  for (const w of list) {
    if (w.shared === 'big' && !big) {
      big = await bigTable(server, bigCount);
      results.seedBig = big.seedRate;
      log(`${name}: seeded ${bigCount} entities at ${fmtNumber(big.seedRate)} entities/s`);
    }
    for (let i = 0; w.warm && i < warmPasses; i++) await w.run(server, big?.table);
    const cpuBefore = server.cpuMs();
    lastTiming.elapsedMs = lastTiming.clientCpuMs = Number.NaN;
    results[w.id] = await w.run(server, big?.table);
    // Wall time and the SDK client's own CPU per operation (or query) over the timed part (workloads.js).
    results[`${w.id}Timing`] = { ...lastTiming };
    // The server process's own CPU for the whole workload (set-up included): what it costs the server,
    // independent of how fast the SDK client in this process can go.
    results[`${w.id}CpuMs`] = server.cpuMs() - cpuBefore;
    log(`${name}: ${w.label}: ${fmtNumber(results[w.id], w.unit === 'ms' ? 1 : 0)} ${w.unit} (server CPU ${fmtNumber(results[`${w.id}CpuMs`], 0)} ms)`);
  }
  results.rssBytes = server.rss();
  await server.stop();
  return results;
}

export async function run(options) {
  installSignalHandlers();
  const list = workloads(options.quick);
  // Concurrent first: several seconds of every operation also bring each fresh server's JIT to its steady state
  // before the sequential raw rows.
  const extra = [...concurrentWorkloads(options.quick), ...rawWorkloads(options.quick)];
  const bigCount = options.quick ? 30_000 : 100_000;
  const log = (line) => console.log(`  ${line}`);
  console.log(`storage/compare: ours vs Azurite 3.35 (${options.quick ? 'quick' : 'full'} run)`);
  try {
    // Both of ours, each in a process of its own like Azurite; Azurite runs in memory (its fastest mode), so
    // 'ours (memory)' is the like-for-like comparison and 'ours (disk)' the durable default.
    const startup = await startupMedians(['ours-mem', 'ours', 'azurite'], options.quick ? 1 : 5);
    log(`start-up, median of ${options.quick ? 1 : 5} fresh spawns each: ours (memory) ${round(startup['ours-mem'], 1)} ms, ours (disk) ${round(startup.ours, 1)} ms, Azurite ${round(startup.azurite, 1)} ms`);
    await warmClient(log);
    const warm = WARM_PASSES;
    const ours = await measure('ours-mem', list, bigCount, log, warm);
    const oursDisk = await measure('ours', list, bigCount, log, warm);
    const azurite = await measure('azurite', list, bigCount, log, warm);
    const cliMs = await cliStartupMs(options.quick ? 1 : 3);
    log(`cloudbench emulators --in-memory (CLI + storage + Service Bus): ready after ${round(cliMs, 1)} ms`);
    log('concurrent SDK clients and raw HTTP, each server started afresh:');
    const x = { ours: await measure('ours-mem', extra, bigCount, log), oursDisk: await measure('ours', extra, bigCount, log), azurite: await measure('azurite', extra, bigCount, log) };
    // Last and on its own: a failure here is reported without losing the rows above.
    const durable = await durableRows(options.quick, log).catch((error) => {
      log(`durable rows failed: ${error.stack ?? error}`);
      process.exitCode = 1;
      return { result: { error: String(error.message ?? error) }, rows: [] };
    });
    const ratio = (w, a, b) => (w.higher ? a / b : b / a);
    // The ceiling of a sequential SDK row: the ratio ours would reach if our server took no time at all, i.e.
    // Azurite's wall time per operation ÷ the SDK client's own CPU per operation against ours. A goal above it
    // cannot be met by any server with this client on this machine.
    const ceiling = (w) => azurite[`${w.id}Timing`].elapsedMs / ours[`${w.id}Timing`].clientCpuMs;
    const rows = [
      ['start-up (spawn → listening, median)', 'ms', startup['ours-mem'], startup.ours, startup.azurite, startup.azurite / startup['ours-mem'], startup.azurite / startup.ours],
      ['start-up, `cloudbench emulators` (→ ready, + Service Bus)', 'ms', cliMs, undefined, startup.azurite, startup.azurite / cliMs, undefined],
      [`seed ${bigCount / 1000}k (batches, 4 in flight)`, 'entities/s', ours.seedBig, oursDisk.seedBig, azurite.seedBig, ours.seedBig / azurite.seedBig, oursDisk.seedBig / azurite.seedBig],
      ...list.map((w) => [w.label, w.unit, ours[w.id], oursDisk[w.id], azurite[w.id], ratio(w, ours[w.id], azurite[w.id]), ratio(w, oursDisk[w.id], azurite[w.id]), GOALS[w.id], ceiling(w)]),
      ...list.map((w) => [`  SDK client CPU per ${w.unit === 'ms' ? 'query' : 'op'}: ${w.label}`, 'µs', ours[`${w.id}Timing`].clientCpuMs * 1000, oursDisk[`${w.id}Timing`].clientCpuMs * 1000, azurite[`${w.id}Timing`].clientCpuMs * 1000]),
      ...extra.map((w) => [w.label, w.unit, x.ours[w.id], x.oursDisk[w.id], x.azurite[w.id], ratio(w, x.ours[w.id], x.azurite[w.id]), ratio(w, x.oursDisk[w.id], x.azurite[w.id]), GOALS[w.id]]),
      ...list.map((w) => [`  server CPU: ${w.label}`, 'ms', ours[`${w.id}CpuMs`], oursDisk[`${w.id}CpuMs`], azurite[`${w.id}CpuMs`], azurite[`${w.id}CpuMs`] / ours[`${w.id}CpuMs`], azurite[`${w.id}CpuMs`] / oursDisk[`${w.id}CpuMs`]]),
      ['RSS at the end', 'MiB', ours.rssBytes / 2 ** 20, oursDisk.rssBytes / 2 ** 20, azurite.rssBytes / 2 ** 20, azurite.rssBytes / ours.rssBytes, azurite.rssBytes / oursDisk.rssBytes],
    ];
    const fmt = (v, unit) => (v === undefined || Number.isNaN(v) ? '–' : fmtNumber(v, unit === 'ms' || unit === 'MiB' ? 1 : 0));
    const sdkClientCpu = (label) => label.startsWith('  SDK client CPU');
    const fmtRatio = (r) => (r !== undefined && Number.isFinite(r) ? `${round(r, 1)}×` : '–');
    console.log(
      '\n' +
        formatTable(
          ['workload', 'unit', 'ours (mem)', 'ours (disk)', 'Azurite (mem)', 'ratio mem', 'ratio disk', 'goal', 'ceiling'],
          rows.map(([label, unit, a, d, b, r, rd, goal, ceil]) => [label, unit, fmt(a, unit), fmt(d, unit), fmt(b, unit), sdkClientCpu(label) ? '' : fmtRatio(r), sdkClientCpu(label) ? '' : fmtRatio(rd), goal ? `≥${goal}×` : '', fmtRatio(ceil)]),
          [false, false, true, true, true, true, true, true, true],
        ),
    );
    console.log('ratio = Azurite ÷ ours for times, CPU and RSS; ours ÷ Azurite for rates. Server CPU: the emulator process\'s user+system time over the workload (10 ms ticks).');
    console.log('ceiling = the ratio (mem) a server that took no time would reach: Azurite\'s time per operation ÷ the SDK client\'s own CPU per operation against ours (SDK client CPU rows). The SDK client is warmed first, and the single-operation rows (insert, batch, point read, queue cycle) run 2 untimed passes on every server before the timed one.');
    console.log(
      '\n' +
        formatTable(
          ['durable (both on disk)', 'unit', 'ours (disk)', 'Azurite (disk)', 'ratio'],
          durable.rows.map(([label, unit, a, b, higher]) => [label, unit, fmtNumber(a, unit === 'ms' ? 2 : 0), fmtNumber(b, unit === 'ms' ? 2 : 0), unit === 'count' ? '' : fmtRatio(higher ? a / b : b / a)]),
          [false, false, true, true, true],
        ),
    );
    const file = writeResults('storage', { quick: options.quick, node: process.version, bigCount, startup, ours, oursDisk, azurite, extraRuns: x, durable: durable.result, cliStartupMs: cliMs, rows: rows.map(([label, unit, a, d, b, ratio, ratioDisk, goal, ceilingRatio]) => ({ label, unit, oursMemory: a, oursDisk: d, azurite: b, ratio, ratioDisk, goal, ceiling: ceilingRatio })), at: timestamp() });
    console.log(`results: ${file}`);
    return { file };
  } finally {
    await cleanupAll();
  }
}
