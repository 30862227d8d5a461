// One load-generating client process of the storage benchmark's concurrent rows (forked by concurrent.js, talks
// to it over IPC). Protocol:
//   parent → { type: 'setup', connectionString, op: 'insert' | 'read' | 'queue', inFlight, index, warmupOps }
//   child  → { type: 'ready' }          its own table or queue exists (and, for 'read', holds 1000 entities), and
//                                       it has run `warmupOps` operations (`inFlight` at a time), untimed
//   parent → { type: 'run', startAt, warmupMs, durationMs }   startAt: epoch ms (performance.timeOrigin-based)
//   child  → { type: 'done', ops, errors, errorSamples, cpuUs }   ops completed inside the measured window
//   child  → { type: 'failed', message }  set-up failed
// From startAt the client keeps `inFlight` SDK operations going until the window ends; operations completing in
// [startAt + warmupMs, startAt + warmupMs + durationMs] are counted. Every failed operation (during warm-up too)
// is counted in `errors`; the parent refuses to report a number for a run with any.
// Why warm up by count: a fresh client process needs thousands of SDK operations before V8 has optimized the
// pipeline (measured: ~1.5 ms of client CPU per insert in the first second, ~0.3 ms after ~10k). A timed warm-up
// would give the slower server's clients fewer of them; a count gives each server equally warm clients.
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';

const opts = { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } };
const epochNow = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function setup({ connectionString, op, index }) {
  const suffix = `${index}x${process.pid}x${Date.now().toString(36)}`;
  if (op === 'queue') {
    const q = new QueueClient(connectionString, `conc${suffix}`, opts);
    await q.create();
    return async () => {
      await q.sendMessage('hello');
      const m = (await q.receiveMessages()).receivedMessageItems[0];
      if (!m) throw new Error('receiveMessages returned no message');
      await q.deleteMessage(m.messageId, m.popReceipt);
    };
  }
  const name = `conc${op}${suffix}`;
  await TableServiceClient.fromConnectionString(connectionString, opts).createTable(name);
  const t = TableClient.fromConnectionString(connectionString, name, opts);
  if (op === 'insert') {
    let next = 0;
    return () => t.createEntity({ partitionKey: 'p', rowKey: String(next++), v: next });
  }
  if (op === 'read') {
    for (let b = 0; b < 10; b++) {
      await t.submitTransaction(Array.from({ length: 100 }, (_, i) => ['create', { partitionKey: `p${b}`, rowKey: String(b * 100 + i).padStart(8, '0'), n: b * 100 + i, payload: 'x'.repeat(50) }]));
    }
    let i = 0;
    return async () => {
      const k = (i++ * 7) % 1000;
      const e = await t.getEntity(`p${Math.floor(k / 100)}`, String(k).padStart(8, '0'));
      if (e.n !== k) throw new Error(`read ${k}, got n=${e.n}`);
    };
  }
  throw new Error(`unknown op ${op}`);
}

async function run(fn, { inFlight }, { startAt, warmupMs, durationMs }) {
  const from = startAt + warmupMs;
  const to = from + durationMs;
  let ops = 0;
  let errors = 0;
  const errorSamples = [];
  let cpuFrom;
  let cpuTo;
  await sleep(startAt - epochNow());
  const cpuMarks = [
    sleep(from - epochNow()).then(() => (cpuFrom = process.cpuUsage())),
    sleep(to - epochNow()).then(() => (cpuTo = process.cpuUsage(cpuFrom))),
  ];
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (epochNow() < to) {
      try {
        await fn();
        const t = epochNow();
        if (t >= from && t <= to) ops++;
      } catch (error) {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(String(error?.message ?? error).slice(0, 300));
      }
    }
  }));
  await Promise.all(cpuMarks);
  return { ops, errors, errorSamples, cpuUs: cpuTo.user + cpuTo.system };
}

let config;
let fn;
let warmupErrors = 0;
const warmupSamples = [];

async function warmUp(count, inFlight) {
  let left = count;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (left-- > 0) {
      try {
        await fn();
      } catch (error) {
        warmupErrors++;
        if (warmupSamples.length < 3) warmupSamples.push(`warm-up: ${String(error?.message ?? error).slice(0, 300)}`);
      }
    }
  }));
}

process.on('message', async (msg) => {
  try {
    if (msg.type === 'setup') {
      config = msg;
      fn = await setup(msg);
      await warmUp(msg.warmupOps, msg.inFlight);
      process.send({ type: 'ready' });
    } else if (msg.type === 'run') {
      const report = await run(fn, config, msg);
      report.errors += warmupErrors;
      report.errorSamples = [...warmupSamples, ...report.errorSamples].slice(0, 3);
      process.send({ type: 'done', ...report }, () => process.exit(0));
    }
  } catch (error) {
    process.send({ type: 'failed', message: String(error?.stack ?? error) }, () => process.exit(1));
  }
});
process.on('disconnect', () => process.exit(0));
