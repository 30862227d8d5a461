#!/usr/bin/env node
// Cloudbench benchmarks: `npm run bench` (builds first) or `node bench/run.js [suite filter…] [options]`.
//   node bench/run.js                 every suite
//   node bench/run.js hosting         the suites under hosting/
//   node bench/run.js hosting/resilience --quick
//   node bench/run.js --list
// Each suite module exports run(options) and writes its JSON to bench/results/ (git-ignored).
// To add a suite (storage, servicebus, fabric, …), append it to SUITES.
import { OPTION_HELP, UsageError, parseBenchArgs, runMain } from './hosting/lib.js';

const SUITES = [
  {
    name: 'fabric/events',
    description: 'swap, scale 1→4→1 and an instance kill under load: failed requests, p99 spike, swap time; pm2 reload beside it',
    load: () => import('./fabric/events.js'),
  },
  {
    name: 'hosting/throughput',
    description: 'ours vs node:cluster, nginx and PM2 (2 workers each): req/s, p50/p99, CPU µs/request, ratios to nginx',
    load: () => import('./hosting/throughput.js'),
  },
  {
    name: 'ui/logs',
    description: 'the Logs view in Chromium while a worker prints 10,000 lines/s for 10 s: frame times, lines lost',
    load: () => import('./ui/logs.js'),
  },
  {
    name: 'hosting/resilience',
    description: 'recycles and SIGKILLed workers under load: errors seen by clients (ours, and nginx for comparison)',
    load: () => import('./hosting/resilience.js'),
  },
  {
    name: 'servicebus/throughput',
    description: 'Service Bus emulator: start-up, SDK batched send and receive+complete msg/s, p50/p99, 500 connections, RSS',
    load: () => import('./servicebus/throughput.js'),
  },
  {
    name: 'storage/compare',
    description: 'Table/Queue emulator vs Azurite 3.35, same SDK scripts: start-up, inserts, batches, reads, filters over 10k/100k, list 100k, queues with 20k waiting, RSS',
    load: () => import('./storage/compare.js'),
  },
];

function selectSuites(filters) {
  if (filters.length === 0) return SUITES;
  const matches = (suite, f) => suite.name === f || suite.name.startsWith(`${f}/`) || suite.name.endsWith(`/${f}`);
  const unknown = filters.filter((f) => !SUITES.some((s) => matches(s, f)));
  if (unknown.length > 0) throw new UsageError(`no suite matches ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}`);
  return SUITES.filter((s) => filters.some((f) => matches(s, f)));
}

const usage = () => `usage: node bench/run.js [suite filter…] [options]

Suites:
${SUITES.map((s) => `  ${s.name.padEnd(22)}${s.description}`).join('\n')}

${OPTION_HELP}

Needs wrk and nginx (apt-get install -y wrk nginx). Results: bench/results/*.json.`;

runMain(async () => {
  const { options, positionals } = parseBenchArgs(process.argv.slice(2));
  if (options.help || options.list) {
    console.log(usage());
    return 0;
  }
  const suites = selectSuites(positionals);
  const files = [];
  for (const suite of suites) {
    const mod = await suite.load();
    const result = await mod.run(options);
    if (result?.file) files.push(`${suite.name}: ${result.file}`);
  }
  if (files.length > 1) console.log(`\nResults:\n  ${files.join('\n  ')}`);
  return 0;
});
