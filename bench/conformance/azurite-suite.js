// Runs Azurite's own Table and Queue API tests (its mocha suites, tag v3.35.0) against our storage emulator.
//
//   node bench/conformance/azurite-suite.js <azurite-checkout> [--strict] [file …]
//
// <azurite-checkout>: Azurite's repository at v3.35.0 with `npm ci` done (not part of this repository; clone it
// from github.com/Azure/Azurite). Each test file starts an in-process Azurite on 127.0.0.1:11002 (tables) or
// :11001 (queues) through one of two factories; this script adds a guard at the top of both factories (a few
// lines, written once, kept idempotent) so that with AZURITE_EXTERNAL_SERVER set they return a stand-in whose
// start/close/clean do nothing, and the tests talk to whatever listens on those ports. Each file then runs
// against a fresh `cloudbench emulators --in-memory` on those ports (Azurite's tests expect an empty server per
// file), `--strict-api-version` when --strict is given (the files that check version refusal need it).
// The files that use HTTPS run against the emulators started with --cert/--key (Azurite's test certificate);
// the OAuth files with --oauth basic as well. Left out: the keep-alive files and those that parse Azurite's own
// command line.
// Prints passed/failed per file and every failure's title and message; the JSON goes to
// bench/results/azurite-suite-*.json.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { REPO, timestamp, writeResults } from '../hosting/lib.js';

const DEFAULT_FILES = [
  'tests/table/apis/table.test.ts',
  'tests/table/apis/table.entity.test.ts',
  'tests/table/apis/table.service.test.ts',
  'tests/table/apis/table.entity.apostrophe.azure-storage.test.ts',
  'tests/table/apis/table.entity.rest.test.ts',
  'tests/table/apis/table.validation.rest.test.ts',
  'tests/table/auth/sas.test.ts',
  'tests/queue/apis/queue.test.ts',
  'tests/queue/apis/messages.test.ts',
  'tests/queue/apis/messageid.test.ts',
  'tests/queue/apis/queueService.test.ts',
  'tests/queue/queueSas.test.ts',
  'tests/queue/queueSpecialnaming.test.ts',
  'tests/queue/queueAuthentication.test.ts',
  'tests/queue/queueCorsRequest.test.ts',
];

/** Files whose clients use https://127.0.0.1:11002 (or 11001): run against the emulators with --cert/--key. */
const HTTPS_FILES = [
  'tests/table/apis/table.entity.azure.data-tables.test.ts',
  'tests/table/apis/table.entity.apostrophe.data-tables.test.ts',
  'tests/table/apis/table.entity.issues.test.ts',
  'tests/table/apis/table.entity.query.test.ts',
  'tests/table/apis/table.batch.errorhandling.test.ts',
  'tests/queue/https.test.ts',
  'tests/table/auth/tableCorsRequest.test.ts',
  'tests/table/auth/oauth.test.ts',
  'tests/queue/oauth.test.ts',
];

/** Files that authenticate with OAuth tokens: the emulators run with --oauth basic (and HTTPS). */
const OAUTH_FILES = ['tests/table/auth/oauth.test.ts', 'tests/queue/oauth.test.ts'];

const GUARD_MARK = '// cloudbench: AZURITE_EXTERNAL_SERVER';
const guard = (port) => `    ${GUARD_MARK} (the tests talk to the server already listening on the port)
    if (process.env.AZURITE_EXTERNAL_SERVER) return { start: async () => {}, close: async () => {}, clean: async () => {}, config: { host: "127.0.0.1", port: ${port} } } as any;
`;

/** Adds the stand-in guard at the top of createServer() in both test-server factories (replacing an older one). */
function addGuards(checkout) {
  for (const [rel, port] of [['tests/table/utils/TableTestServerFactory.ts', 11002], ['tests/queue/utils/QueueTestServerFactory.ts', 11001]]) {
    const file = path.join(checkout, rel);
    let text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes(GUARD_MARK));
    if (at !== -1) lines.splice(at, 2);
    text = lines.join('\n');
    const open = /public createServer\([^)]*\)[^{]*\{\n/.exec(text);
    if (!open) throw new Error(`${rel}: no createServer( … ) { to guard — is this Azurite v3.35.0?`);
    const end = open.index + open[0].length;
    fs.writeFileSync(file, text.slice(0, end) + guard(port) + text.slice(end));
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function startEmulators(strict, tls, oauth) {
  for (const port of [11001, 11002]) if (!(await portFree(port))) throw new Error(`port ${port} is busy: stop what listens there (an Azurite?) first`);
  const args = [path.join(REPO, 'bin/cloudbench.js'), 'emulators', '--in-memory', '--tables-port', '11002', '--queues-port', '11001', '--servicebus-port', '0', '--servicebus-http-port', '0', ...(strict ? ['--strict-api-version'] : []), ...(tls ? ['--cert', tls.cert, '--key', tls.key] : []), ...(oauth ? ['--oauth', 'basic'] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const running = () => child.exitCode === null && child.signalCode === null;
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`the emulators did not get ready:\n${out}`))), 20_000);
    child.stdout.on('data', () => out.includes('ready') && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the emulators exited (${code}):\n${out}`))));
  });
  return async () => {
    // Already gone (it crashed during the file): nothing to wait for.
    if (!running()) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
  };
}

/** Runs one mocha file with the JSON reporter; returns its stats and failures. */
function runMocha(checkout, file) {
  const mocha = path.join(checkout, 'node_modules/mocha/bin/mocha.js');
  const reportFile = path.join(checkout, '.cloudbench-mocha-report.json');
  fs.rmSync(reportFile, { force: true });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mocha, '--require', 'ts-node/register', '--no-timeouts', '--exit', '--reporter', 'json', '--reporter-option', `output=${reportFile}`, file], {
      cwd: checkout,
      env: { ...process.env, AZURITE_EXTERNAL_SERVER: '1', NODE_TLS_REJECT_UNAUTHORIZED: '0', TS_NODE_TRANSPILE_ONLY: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.once('exit', () => {
      if (!fs.existsSync(reportFile)) return resolve({ file, error: err.slice(-2000) || 'mocha wrote no report' });
      const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
      resolve({
        file,
        passes: report.stats.passes,
        failures: report.stats.failures,
        pending: report.stats.pending,
        failed: report.failures.map((f) => ({
          title: f.fullTitle,
          message: String(f.err?.message ?? '').split('\n').filter((l) => l.trim() !== '').slice(0, 4).join(' | ').slice(0, 400),
          ...(f.err && 'expected' in f.err ? { expected: String(f.err.expected).slice(0, 200), actual: String(f.err.actual).slice(0, 200) } : {}),
        })),
      });
    });
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const strict = argv.includes('--strict');
  const [checkout, ...files] = argv.filter((a) => a !== '--strict');
  if (!checkout || !fs.existsSync(path.join(checkout ?? '', 'tests/table/utils/TableTestServerFactory.ts'))) {
    console.error('usage: node bench/conformance/azurite-suite.js <Azurite v3.35.0 checkout, npm ci done> [--strict] [test files…]');
    process.exit(2);
  }
  if (!fs.existsSync(path.join(checkout, 'node_modules/mocha'))) throw new Error(`${checkout}: run npm ci there first`);
  addGuards(checkout);
  const results = [];
  for (const file of files.length > 0 ? files : [...DEFAULT_FILES, ...HTTPS_FILES]) {
    // Azurite's test certificate (its clients do not check it: NODE_TLS_REJECT_UNAUTHORIZED=0).
    const tls = HTTPS_FILES.includes(file) ? { cert: path.join(checkout, 'tests/server.cert'), key: path.join(checkout, 'tests/server.key') } : undefined;
    const stop = await startEmulators(strict, tls, OAUTH_FILES.includes(file));
    try {
      const r = await runMocha(checkout, file);
      results.push(r);
      console.log(r.error ? `${file}: did not run: ${r.error.split('\n').slice(-3).join(' ')}` : `${file}: ${r.passes} passed, ${r.failures} failed${r.pending ? `, ${r.pending} pending` : ''}`);
      for (const f of r.failed ?? []) console.log(`    ✗ ${f.title}\n      ${f.message}${f.expected !== undefined ? `\n      expected ${f.expected}, got ${f.actual}` : ''}`);
    } finally {
      await stop();
    }
  }
  const total = results.reduce((t, r) => ({ passes: t.passes + (r.passes ?? 0), failures: t.failures + (r.failures ?? 0) }), { passes: 0, failures: 0 });
  console.log(`\nAzurite v3.35.0 suites against cloudbench emulators${strict ? ' --strict-api-version' : ''}: ${total.passes} passed, ${total.failures} failed`);
  console.log(`results: ${writeResults('azurite-suite', { strict, results, total, at: timestamp() })}`);
}

main().catch((error) => {
  console.error(error.stack ?? error);
  process.exit(1);
});
