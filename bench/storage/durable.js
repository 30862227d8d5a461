// The storage benchmark's durable rows: what a write costs while the data is kept on disk, the mode a developer's
// data lives in. Ours on disk (SQLite WAL: a commit per event-loop turn, SQLite's automatic checkpoint every
// 1,000 WAL pages) against Azurite on disk (its default: LokiJS, the whole database serialized every 5 s). Each
// server gets a table of `count` entities (the seed of the other rows), then single inserts into it one at a
// time for a fixed time, through the raw client (raw-client.js) so the client's own cost stays small and equal;
// every insert's latency is kept. Printed: p50, p99, p99.9, the slowest, and how many took 100 ms or more.
import { RawStorage } from './raw-client.js';
import { startServer } from './servers.js';
import { seed, table } from './workloads.js';

const now = () => Number(process.hrtime.bigint()) / 1e6;

function percentile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Latencies (ms) of sequential inserts into a `count`-entity table for `seconds`, on one fresh server. */
async function insertLatencies(name, count, seconds, log) {
  const server = await startServer(name);
  const raw = new RawStorage(server);
  try {
    const client = await table(server, 'durable');
    await seed(client, count);
    const latencies = [];
    const began = now();
    const end = began + seconds * 1000;
    for (let i = 0; now() < end; i++) {
      const start = now();
      await raw.insert(client.tableName, { PartitionKey: `q${i % 100}`, RowKey: String(i).padStart(8, '0'), n: i, payload: 'x'.repeat(50) });
      latencies.push(now() - start);
    }
    // The last insert may end well after `end` (a stall): the rate is over the time actually taken.
    const elapsedS = (now() - began) / 1000;
    latencies.sort((a, b) => a - b);
    const result = {
      inserts: latencies.length,
      rate: latencies.length / elapsedS,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      p999: percentile(latencies, 0.999),
      max: latencies[latencies.length - 1],
      over100ms: latencies.filter((ms) => ms >= 100).length,
    };
    log(`${server.label}: ${result.inserts} inserts in ${seconds} s into a ${count / 1000}k table; p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms, p99.9 ${result.p999.toFixed(2)} ms, max ${result.max.toFixed(1)} ms, ${result.over100ms} ≥ 100 ms`);
    return result;
  } finally {
    raw.close();
    await server.stop();
  }
}

/** Both servers, ours first; returns { seconds, count, ours, azurite } and the rows for compare.js's table. */
export async function durableRows(quick, log) {
  const count = quick ? 30_000 : 100_000;
  const seconds = quick ? 5 : 15;
  log(`durable: single inserts for ${seconds} s into a ${count / 1000}k-entity table, ours (disk) and Azurite (disk, its 5 s autosave):`);
  const ours = await insertLatencies('ours', count, seconds, log);
  const azurite = await insertLatencies('azurite-disk', count, seconds, log);
  const label = `durable: insert into ${count / 1000}k, ${seconds} s seq`;
  return {
    result: { seconds, count, ours, azurite },
    rows: [
      [`${label}: inserts/s`, 'ops/s', ours.rate, azurite.rate, true],
      [`${label}: p50 latency`, 'ms', ours.p50, azurite.p50, false],
      [`${label}: p99 latency`, 'ms', ours.p99, azurite.p99, false],
      [`${label}: p99.9 latency`, 'ms', ours.p999, azurite.p999, false],
      [`${label}: slowest`, 'ms', ours.max, azurite.max, false],
      [`${label}: inserts ≥ 100 ms`, 'count', ours.over100ms, azurite.over100ms, false],
    ],
  };
}
