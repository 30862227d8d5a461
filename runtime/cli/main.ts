// The `cloudbench` command line. Only this folder writes to the terminal.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import { createToken } from '../control/auth.js';
import { startControlServer } from '../control/control-server.js';
import type { ControlServer } from '../control/control-server.js';
import { Workbench } from '../control/workbench.js';
import type { SiteHostOptions } from '../hosting/site-host.js';
import { TerminalManager } from '../terminal/terminal-manager.js';

/** Where the workbench (control API and UI) listens unless --control-port says otherwise. */
const DEFAULT_CONTROL_PORT = 7070;

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
  --control-port <n>     Port of the workbench UI and control API on 127.0.0.1 (default 7070; 0 = any).
`;

const OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  workers: { type: 'string' },
  'queue-length': { type: 'string' },
  'queue-timeout': { type: 'string' },
  'worker-port': { type: 'string' },
  'no-hook': { type: 'boolean' },
  'control-port': { type: 'string' },
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

  const site: SiteHostOptions = {
    port: wholeNumber('port', values.port, 0, 65535),
    host: values.host,
    workers: wholeNumber('workers', values.workers, 0, 1024),
    queueLength: wholeNumber('queue-length', values['queue-length'], 0),
    queueTimeoutMs: wholeNumber('queue-timeout', values['queue-timeout'], 0),
    workerPort: workerPort as 'pipe' | 'tcp' | undefined,
    hook: !values['no-hook'],
  };
  const controlPort = wholeNumber('control-port', values['control-port'], 0, 65535) ?? DEFAULT_CONTROL_PORT;
  const workbench = new Workbench({ site });
  const terminals = new TerminalManager();
  const say = (text: string): boolean => process.stdout.write(`cloudbench: ${text}\n`);
  workbench.on('event', (e) => {
    if (e.kind !== 'project.opened') say(e.kind === 'failed' ? `${e.message}. Save a fix to try again.` : e.message.charAt(0).toLowerCase() + e.message.slice(1));
  });
  workbench.on('logs', (batch) => {
    for (const r of batch) (r.stream === 'stderr' ? process.stderr : process.stdout).write(`[${r.worker}:${r.pid}] ${r.text}\n`);
  });

  let stopping = false;
  let control: ControlServer | undefined;
  const stopAll = async (): Promise<void> => {
    await control?.close();
    await Promise.all([workbench.stop(), terminals.closeAll()]);
  };
  const finished = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second Ctrl-C: kill the workers now.
        for (const w of workbench.site?.group.workers ?? []) void w.kill(true);
        resolve(130);
        return;
      }
      stopping = true;
      process.stdout.write(`\ncloudbench: ${signal}: stopping (Ctrl-C again to kill at once)\n`);
      void stopAll().then(() => resolve(0));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  });

  try {
    await workbench.open(folder);
    control = await startControlServer({ host: '127.0.0.1', port: controlPort, token: createToken(), workbench, terminals });
  } catch (err) {
    await stopAll();
    throw err;
  }
  const host = workbench.requireSite();
  for (const w of host.project.warnings) process.stderr.write(`cloudbench: warning: ${w}\n`);
  const state = await Promise.race([host.whenReady(), finished.then(() => 'stopped' as const)]);
  if (state === 'stopped') return finished;
  const s = host.snapshot();
  const project = host.project;
  const rel = path.relative(process.cwd(), project.folder) || '.';
  if (state === 'failed') {
    say(`serving ${rel} at ${host.url} but the app fails to start (see stderr above); save a fix to retry`);
  } else {
    say(`serving ${rel} at ${host.url} (${s.workers.filter((w) => w.state === 'ready').length} workers ready, entry ${path.relative(project.folder, project.entry.script)} from ${project.entry.source})`);
  }
  say(`workbench at ${control.url}`);
  return finished;
}
