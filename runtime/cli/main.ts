// The `cloudbench` command line. Only this folder writes to the terminal.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import { loadProject } from '../project/load-project.js';
import { SiteHost } from '../hosting/site-host.js';

const HELP = `Usage: cloudbench <command> [options]

Commands:
  serve <folder>     Host the app in <folder> as iisnode on Azure would, until Ctrl-C.
  start [folder]     What \`npm start\` runs: the desktop app when Electron is available; otherwise serve
                     mode (the folder defaults to the bundled sample, resources/samples/hello).
  help               Show this text.

Options for serve and start:
  --port <n>             Public port of the front end (default 8080; 0 = any free port).
  --host <address>       Address to listen on (default 127.0.0.1; use 0.0.0.0 to expose it to the network).
  --workers <n>          Node processes (overrides nodeProcessCountPerApplication; 0 = one per core).
  --queue-length <n>     Requests that may wait for a worker before 503 (default 1000).
  --queue-timeout <ms>   How long a request may wait for a worker before 503 (default 30000).
  --worker-port <mode>   pipe (PORT is a socket path, as iisnode; default) or tcp (PORT is a number).
  --no-hook              Do not preload the worker hook (readiness is then detected by connecting).
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  workers: { type: 'string' },
  'queue-length': { type: 'string' },
  'queue-timeout': { type: 'string' },
  'worker-port': { type: 'string' },
  'no-hook': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the command; resolves with the process exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return 0;
      case 'serve':
        return await serve(rest, false);
      case 'start':
        return await serve(rest, true);
      default:
        throw cbError('CB_ERR_CLI_UNKNOWN_COMMAND', { command, expected: 'serve, start, help' });
    }
  } catch (err) {
    printError(err);
    return 1;
  }
}

function printError(err: unknown): void {
  if (isCloudbenchError(err)) {
    process.stderr.write(`cloudbench: ${err.code}: ${err.message}\n  ${err.fix}\n`);
  } else {
    process.stderr.write(`cloudbench: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
}

function parse(rest: string[]): ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>> {
  try {
    return parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw cbError('CB_ERR_CLI_USAGE', { detail: (err as Error).message });
  }
}

function wholeNumber(option: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw cbError('CB_ERR_CONFIG_VALUE', { option: `--${option}`, value: text, expected: `a whole number from ${min} to ${max}` });
  }
  return Number(text);
}

async function serve(rest: string[], isStart: boolean): Promise<number> {
  const { values, positionals } = parse(rest);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 1) throw cbError('CB_ERR_CLI_USAGE', { detail: `serve takes one folder; got ${positionals.length}: ${positionals.join(' ')}` });
  const folder = positionals[0] ?? (isStart ? fileURLToPath(new URL('../../../resources/samples/hello', import.meta.url)) : undefined);
  if (folder === undefined) throw cbError('CB_ERR_CLI_USAGE', { detail: 'serve needs the project folder: cloudbench serve <folder>' });
  const workerPort = values['worker-port'];
  if (workerPort !== undefined && workerPort !== 'pipe' && workerPort !== 'tcp') {
    throw cbError('CB_ERR_CONFIG_VALUE', { option: '--worker-port', value: workerPort, expected: 'pipe or tcp' });
  }
  if (isStart) {
    process.stdout.write('cloudbench: no Electron binary on this machine, so the workbench runs in serve mode (open the URL below in a browser).\n');
  }

  const project = loadProject(folder);
  for (const w of project.warnings) process.stderr.write(`cloudbench: warning: ${w}\n`);
  const host = new SiteHost(project, {
    port: wholeNumber('port', values.port, 0, 65535),
    host: values.host,
    workers: wholeNumber('workers', values.workers, 0, 1024),
    queueLength: wholeNumber('queue-length', values['queue-length'], 0),
    queueTimeoutMs: wholeNumber('queue-timeout', values['queue-timeout'], 0),
    workerPort,
    hook: !values['no-hook'],
  });
  const say = (text: string): boolean => process.stdout.write(`cloudbench: ${text}\n`);
  host.events.on('recycling', ({ generation, files }) => say(`${files.length > 0 ? `${files.join(', ')} changed: ` : ''}recycling to generation ${generation}`));
  host.events.on('serving', ({ generation }) => generation > 1 && say(`generation ${generation} is serving`));
  host.events.on('worker.exited', (w) => {
    if (!w.expected) say(`worker #${w.ordinal} (pid ${w.pid}) exited ${w.signal ? `on ${w.signal}` : `with code ${w.code}`}`);
  });
  host.events.on('failed', ({ message }) => say(`the app keeps failing to start (${message}); Cloudbench stopped restarting it. Save a fix to try again.`));
  host.logs.subscribe((batch) => {
    for (const r of batch) (r.stream === 'stderr' ? process.stderr : process.stdout).write(`[${r.worker}:${r.pid}] ${r.text}\n`);
  });

  let stopping = false;
  const finished = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second Ctrl-C: kill the workers now.
        for (const w of host.group.workers) void w.kill(true);
        resolve(130);
        return;
      }
      stopping = true;
      process.stdout.write(`\ncloudbench: ${signal}: stopping (Ctrl-C again to kill at once)\n`);
      void host.stop().then(() => resolve(0));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  });

  await host.start();
  const state = await Promise.race([host.whenReady(), finished.then(() => 'stopped' as const)]);
  if (state === 'stopped') return finished;
  const s = host.snapshot();
  const rel = path.relative(process.cwd(), project.folder) || '.';
  if (state === 'failed') {
    process.stdout.write(`cloudbench: serving ${rel} at ${host.url} but the app fails to start (see stderr above); save a fix to retry\n`);
  } else {
    process.stdout.write(`cloudbench: serving ${rel} at ${host.url} (${s.workers.filter((w) => w.state === 'ready').length} workers ready, entry ${path.relative(project.folder, project.entry.script)} from ${project.entry.source})\n`);
  }
  return finished;
}
