// The SDK scripts the storage benchmark runs, identically, against each emulator. Each returns a number with
// its unit; sequential workloads have one request in flight, as an app's request handler usually does.
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';

export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY_FOR_BENCH = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const opts = { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } };

const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let tableCounter = 0;

/**
 * The timed part of the last workload that ran: wall time and this process's CPU time (user + system) over it,
 * per operation or query. The CPU is what the SDK client itself costs; a server that answered in no time
 * could not make the operation faster than that, which bounds the ratio any server can reach (the ceiling).
 */
export const lastTiming = { elapsedMs: 0, clientCpuMs: 0 };

export async function table(server, prefix) {
  const name = `${prefix}${Date.now().toString(36)}${++tableCounter}`;
  await TableServiceClient.fromConnectionString(server.connectionString, opts).createTable(name);
  return TableClient.fromConnectionString(server.connectionString, name, opts);
}

async function timed(n, fn) {
  const start = now();
  const cpu = cpuNow();
  for (let i = 0; i < n; i++) await fn(i);
  const elapsed = now() - start;
  lastTiming.elapsedMs = elapsed / n;
  lastTiming.clientCpuMs = (cpuNow() - cpu) / n;
  return (n / elapsed) * 1000;
}

/** Seeds `count` entities (batches of 100, 4 in flight); n = row index, 100 partitions. */
export async function seed(client, count) {
  const batches = [];
  for (let b = 0; b < count / 100; b++) {
    batches.push(Array.from({ length: 100 }, (_, i) => {
      const n = b * 100 + i;
      return ['create', { partitionKey: `p${String(b % 100).padStart(3, '0')}`, rowKey: String(n).padStart(8, '0'), n, mod10: n % 10, flag: n % 2 === 0, payload: 'x'.repeat(50) }];
    }));
  }
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < batches.length) await client.submitTransaction(batches[next++]);
  }));
}

async function medianMs(reps, fn) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const start = now();
    const cpu = cpuNow();
    await fn();
    times.push({ elapsed: now() - start, cpu: cpuNow() - cpu });
  }
  times.sort((a, b) => a.elapsed - b.elapsed);
  const median = times[Math.floor(times.length / 2)];
  lastTiming.elapsedMs = median.elapsed;
  lastTiming.clientCpuMs = median.cpu;
  return median.elapsed;
}

async function drain(iter) {
  let n = 0;
  for await (const _ of iter) n++;
  return n;
}

/** The non-key filter the filter rows run: 100 matching rows, in the first partition. */
async function filterQuery(t) {
  const n = await drain(t.listEntities({ queryOptions: { filter: 'n lt 100' } }));
  if (n !== 100) throw new Error(`the filter n lt 100 returned ${n} entities, not 100`);
}

/** The 10k table of the first filter row, reused by the repeated one (per server). */
const filterTables = new Map();

/**
 * The sequential SDK workloads. `warm: true` rows are first run WARM_PASSES times untimed on each server (on
 * their own tables and queues): a fresh SDK client and a fresh server both need thousands of operations before
 * V8 has optimized them, and without this the first server measured paid for warming the client's SDK.
 */
export function workloads(quick) {
  const n = quick ? 300 : 2000;
  const big = quick ? 30_000 : 100_000;
  const waiting = quick ? 5_000 : 20_000;
  return [
    { id: 'insert', warm: true, label: 'single insert, seq', unit: 'ops/s', higher: true, run: async (s) => { const t = await table(s, 'ins'); return timed(n, (i) => t.createEntity({ partitionKey: 'p', rowKey: String(i), v: i })); } },
    { id: 'batch', warm: true, label: 'batch of 100, seq', unit: 'entities/s', higher: true, run: async (s) => { const t = await table(s, 'bat'); const rate = await timed(quick ? 10 : 40, (b) => t.submitTransaction(Array.from({ length: 100 }, (_, i) => ['create', { partitionKey: `b${b}`, rowKey: String(i), v: i }]))); return rate * 100; } },
    { id: 'read', warm: true, label: 'point read, seq', unit: 'ops/s', higher: true, run: async (s) => { const t = await table(s, 'get'); await seed(t, 1000); return timed(n, (i) => { const k = (i * 7) % 1000; return t.getEntity(`p${String(Math.floor(k / 100)).padStart(3, '0')}`, String(k).padStart(8, '0')); }); } },
    // Non-key filters: the first query on a table, then the median of the next 9. Ours builds an index on a
    // property after the third slow query that filters on it (adaptive-index.ts), so the first rows show the
    // scan and the repeated rows what an app that keeps running the same query sees.
    { id: 'filter10kFirst', label: 'non-key filter over 10k (100 rows), first query', unit: 'ms', higher: false, run: async (s) => { const t = await table(s, 'f10k'); await seed(t, 10_000); filterTables.set(s, t); return medianMs(1, () => filterQuery(t)); } },
    { id: 'filter10k', label: 'non-key filter over 10k, queries 2–10 (median)', unit: 'ms', higher: false, run: async (s) => medianMs(9, () => filterQuery(filterTables.get(s))) },
    { id: 'filterBigFirst', label: `non-key filter over ${big / 1000}k (100 rows), first query`, unit: 'ms', higher: false, shared: 'big', run: async (_s, t) => medianMs(1, () => filterQuery(t)) },
    { id: 'filterBig', label: `non-key filter over ${big / 1000}k, queries 2–10 (median)`, unit: 'ms', higher: false, shared: 'big', run: async (_s, t) => medianMs(9, () => filterQuery(t)) },
    { id: 'rangeBig', label: `PK eq + RK range over ${big / 1000}k (10 rows)`, unit: 'ms', higher: false, shared: 'big', run: async (_s, t) => medianMs(5, () => drain(t.listEntities({ queryOptions: { filter: "PartitionKey eq 'p053' and RowKey ge '00005300' and RowKey lt '00005310'" } }))) },
    { id: 'listBig', label: `list all ${big / 1000}k`, unit: 'ms', higher: false, shared: 'big', run: async (_s, t) => medianMs(quick ? 1 : 3, async () => { const c = await drain(t.listEntities()); if (c !== big) throw new Error(`listed ${c} of ${big}`); }) },
    { id: 'queueSeq', warm: true, label: 'queue send+receive+delete, seq', unit: 'msgs/s', higher: true, run: async (s) => { const q = new QueueClient(s.connectionString, `seq${Date.now()}`, opts); await q.create(); return timed(quick ? 200 : 1000, async () => { await q.sendMessage('hello'); const m = (await q.receiveMessages()).receivedMessageItems[0]; await q.deleteMessage(m.messageId, m.popReceipt); }); } },
    { id: 'queueDeep', label: `receive+delete with ${waiting / 1000}k waiting`, unit: 'msgs/s', higher: true, run: async (s) => {
      const q = new QueueClient(s.connectionString, `deep${Date.now()}`, opts);
      await q.create();
      let sent = 0;
      await Promise.all(Array.from({ length: 16 }, async () => { while (sent < waiting) { sent++; await q.sendMessage('waiting message'); } }));
      return timed(quick ? 20 : 100, async () => { const m = (await q.receiveMessages()).receivedMessageItems[0]; await q.deleteMessage(m.messageId, m.popReceipt); });
    } },
  ];
}

/** The big table shared by the filterBig/rangeBig/listBig workloads (seeded once per server). */
export async function bigTable(server, count) {
  const t = await table(server, 'big');
  const start = now();
  await seed(t, count);
  return { table: t, seedRate: (count / (now() - start)) * 1000 };
}
