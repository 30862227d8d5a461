// Service Bus emulator: start-up time, SDK batched send msg/s, peek-lock receive+complete msg/s, send
// round-trip latency (p50/p99), 500 concurrent connections, and the broker's RSS — for the in-memory and
// the SQLite (WAL) store. The broker runs in its own process (broker.js); clients use the unmodified
// @azure/service-bus. Goals on 2 cores: ≥ 5,000 msg/s batched send, ≥ 1,000 msg/s receive+complete,
// start-up < 300 ms. Microsoft's emulator (Docker + SQL Server) cannot run here; docs/servicebus.md quotes
// its documented quotas instead.
//
//   node bench/servicebus/throughput.js [--quick]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ServiceBusClient } from '@azure/service-bus';
import { OPTION_HELP, REPO, fmtNumber, formatTable, makeTempDir, parseBenchArgs, removeTempDir, round, runMain, writeResults } from '../hosting/lib.js';

const BROKER = path.join(import.meta.dirname, 'broker.js');
const BODY = 'x'.repeat(100);

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A bare `node` listening on a port: the floor any Node-based emulator's start-up stands on. */
const BARE = "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(JSON.stringify({ amqpPort: s.address().port }))); process.on('SIGTERM', () => process.exit(0));";

function startBroker(args = [], bare = false) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, bare ? ['-e', BARE] : [BROKER, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (d) => {
      const info = JSON.parse(d.toString());
      // Ready = the AMQP port accepts a connection.
      const s = net.connect(info.amqpPort, '127.0.0.1', () => {
        s.destroy();
        resolve({ child, info, startupMs: performance.now() - t0 });
      });
      s.on('error', reject);
    });
    child.once('exit', (code) => reject(new Error(`broker exited ${code}`)));
  });
}

function stopBroker(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round(Number(m[1]) / 1024, 1) : undefined;
}

async function batchedSend(client, total) {
  const sender = client.createSender('send');
  await sender.sendMessages({ body: 'warm-up' });
  const t0 = performance.now();
  let sent = 0;
  const inflight = [];
  while (sent < total) {
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 500 && sent < total && batch.tryAddMessage({ body: BODY }); i++) sent++;
    inflight.push(sender.sendMessages(batch));
    if (inflight.length >= 4) await inflight.shift();
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - t0) / 1000;
  await sender.close();
  return round(total / seconds);
}

async function receiveComplete(client, total) {
  const sender = client.createSender('recv');
  for (let sent = 0; sent < total;) {
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 500 && sent < total && batch.tryAddMessage({ body: BODY }); i++) sent++;
    await sender.sendMessages(batch);
  }
  const receiver = client.createReceiver('recv');
  const t0 = performance.now();
  let done = 0;
  while (done < total) {
    const ms = await receiver.receiveMessages(Math.min(200, total - done), { maxWaitTimeInMs: 1000 });
    if (ms.length === 0) break;
    await Promise.all(ms.map((m) => receiver.completeMessage(m)));
    done += ms.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  await receiver.close();
  return round(done / seconds);
}

async function latency(client, n) {
  const sender = client.createSender('lat');
  await sender.sendMessages({ body: 'warm-up' });
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await sender.sendMessages({ body: BODY });
    times.push(performance.now() - t0);
  }
  await sender.close();
  times.sort((a, b) => a - b);
  return { p50: round(percentile(times, 50), 2), p99: round(percentile(times, 99), 2) };
}

async function connections(info, n) {
  const t0 = performance.now();
  const clients = Array.from({ length: n }, () => new ServiceBusClient(info.connectionString, { retryOptions: { maxRetries: 1, timeoutInMs: 60_000 } }));
  const senders = clients.map((c) => c.createSender('conn'));
  const results = await Promise.allSettled(senders.map((s, i) => s.sendMessages({ body: `c${i}` })));
  const seconds = (performance.now() - t0) / 1000;
  const failed = results.filter((r) => r.status === 'rejected').length;
  return { clients: n, failed, seconds: round(seconds, 2), close: () => Promise.allSettled(clients.map((c) => c.close())) };
}

async function measureStore(label, args, options) {
  const started = await startBroker(args);
  const { child, info } = started;
  const client = new ServiceBusClient(info.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 60_000 } });
  const sendN = options.quick ? 10_000 : 50_000;
  const recvN = options.quick ? 3_000 : 10_000;
  try {
    const sendRate = await batchedSend(client, sendN);
    const recvRate = await receiveComplete(client, recvN);
    const lat = await latency(client, options.quick ? 200 : 1000);
    const conn = await connections(info, 500);
    const rssAt500 = rssMb(child.pid);
    await conn.close();
    return { store: label, startupMs: round(started.startupMs), sendPerS: sendRate, sendMessages: sendN, receiveCompletePerS: recvRate, receiveMessages: recvN, latencyMs: lat, connections500: { failed: conn.failed, seconds: conn.seconds, rssMb: rssAt500 }, rssMb: rssMb(child.pid) };
  } finally {
    await client.close().catch(() => undefined);
    await stopBroker(child);
  }
}

export async function run(options) {
  const startedAt = new Date();
  const startups = [];
  for (let i = 0; i < (options.quick ? 3 : 7); i++) {
    const b = await startBroker();
    startups.push(b.startupMs);
    await stopBroker(b.child);
  }
  startups.sort((a, b) => a - b);
  const bare = [];
  for (let i = 0; i < (options.quick ? 3 : 7); i++) {
    const b = await startBroker([], true);
    bare.push(b.startupMs);
    await stopBroker(b.child);
  }
  bare.sort((a, b) => a - b);
  const median = (xs) => round(xs[Math.floor(xs.length / 2)]);
  const dataDir = makeTempDir('cb-sb-bench-');
  const results = [];
  try {
    results.push(await measureStore('memory', [], options));
    results.push(await measureStore('sqlite', ['--data', dataDir], options));
  } finally {
    removeTempDir(dataDir);
  }
  console.log(`start-up (spawn → AMQP port accepting), median of ${startups.length}: ${median(startups)} ms (a bare node net server: ${median(bare)} ms)`);
  console.log(formatTable(
    ['store', 'batched send msg/s', 'receive+complete msg/s', 'send p50 / p99 ms', '500 connections (failed, s)', 'RSS MB (at 500 conn / end)'],
    results.map((r) => [r.store, fmtNumber(r.sendPerS), fmtNumber(r.receiveCompletePerS), `${r.latencyMs.p50} / ${r.latencyMs.p99}`,
      `${r.connections500.failed}, ${r.connections500.seconds}`, `${r.connections500.rssMb} / ${r.rssMb}`]),
    [false, true, true, true, true, true],
  ));
  const file = writeResults('servicebus-throughput', {
    suite: 'servicebus/throughput', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), quick: options.quick,
    method: { body: '100 bytes', batches: 'SDK createMessageBatch, 500 messages, 4 in flight', receive: 'receiveMessages(200) then completeMessage each, in parallel', latency: 'one sendMessages at a time', connections: '500 ServiceBusClient, one send each, at once' },
    startupMs: { median: median(startups), all: startups.map((x) => round(x)), bareNodeMedian: median(bare) },
    loadAverage: (await import('node:os')).loadavg().map((x) => round(x, 2)),
    goals: { sendPerS: 5000, receiveCompletePerS: 1000, startupMs: 300 },
    results,
  });
  console.log(`results: ${file}`);
  return { file, results };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMain(async () => {
    const { options } = parseBenchArgs(process.argv.slice(2));
    if (options.help) {
      console.log(`usage: node bench/servicebus/throughput.js [--quick]\n\n${OPTION_HELP}`);
      return 0;
    }
    await run(options);
    return 0;
  });
}
