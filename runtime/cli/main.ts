// The `cloudbench` command line. Only this folder writes to the terminal.
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import { createToken } from '../control/auth.js';
import type { ControlServer } from '../control/control-server.js';
import type { SiteHostOptions } from '../hosting/site-host.js';
import { startEmulators } from '../emulators/host.js';
import { FABRIC_HELP, fabricCommand, recordWorkbench } from './fabric-commands.js';
import type { EmulatorEndpoints, EmulatorsOptions } from '../emulators/host.js';
import { startEmulatorProcess } from '../emulators/emulator-process.js';
import type { EmulatorProcess } from '../emulators/emulator-process.js';
import { findElectron, onShutdownRequest, openInBrowser, runDesktop } from './desktop.js';

/** Where the workbench (control API and UI) listens unless --control-port says otherwise. */
const DEFAULT_CONTROL_PORT = 7070;

const HELP = `Usage: cloudbench <command> [options]

Commands:
  serve <folder>     Host the app in <folder> as iisnode on Azure would, until Ctrl-C.
  start [folder]     What \`npm start\` runs: the desktop app when Electron is available; otherwise serve
                     mode (the folder defaults to the bundled sample, resources/samples/tasklist).
  emulators          Run only the emulators (Table and Queue storage, Service Bus) until Ctrl-C.
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
  --no-emulators         Do not start the emulators (serve and start run them in a process of their own).

Options for the emulators (emulators, serve, start):
  --data <dir>               Folder for their data (default ~/.cloudbench, or $CLOUDBENCH_HOME).
  --in-memory                Keep nothing on disk.
  --tables-port <n>          Table storage (default 10002; 0 = any free port).
  --queues-port <n>          Queue storage (default 10001).
  --servicebus-port <n>      Service Bus AMQP (default 5672).
  --servicebus-http-port <n> Service Bus legacy REST, management and /health (default 5300).
  --servicebus-config <file> Microsoft's Service Bus emulator Config.json to import.
  --strict-api-version       Table and Queue storage refuse an x-ms-version that is not an Azure Storage
                             service version (400 InvalidHeaderValue), for conformance tests; by default
                             any version is accepted.
  --cert <pem> --key <pem>   emulators only: Table and Queue storage serve HTTPS with this certificate and
                             key (connection strings name https endpoints).
  --oauth basic              emulators only, with --cert/--key: also accept OAuth bearer tokens (their
                             claims are checked, not their signatures), as Azurite's --oauth basic.
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
  'no-emulators': { type: 'boolean' },
  data: { type: 'string' },
  'in-memory': { type: 'boolean' },
  'tables-port': { type: 'string' },
  'queues-port': { type: 'string' },
  'servicebus-port': { type: 'string' },
  'servicebus-http-port': { type: 'string' },
  'servicebus-config': { type: 'string' },
  'strict-api-version': { type: 'boolean' },
  cert: { type: 'string' },
  oauth: { type: 'string' },
  key: { type: 'string' },
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
        process.stdout.write(HELP + FABRIC_HELP);
        return 0;
      case 'serve':
        return await serve(rest);
      case 'emulators':
        return await emulators(rest);
      case 'status':
      case 'deploy':
      case 'swap':
      case 'scale':
      case 'kill':
      case 'promote':
        return await fabricCommand(command, rest, (text) => process.stdout.write(`cloudbench: ${text}\n`));
      case 'start': {
        const electron = findElectron();
        if ('binary' in electron) return await runDesktop(electron.binary, rest);
        return await serve(rest, electron.reason);
      }
      default:
        throw cbError('CB_ERR_CLI_UNKNOWN_COMMAND', { command, expected: 'serve, start, emulators, status, deploy, swap, scale, kill, promote, help' });
    }
  } catch (err) {
    printError(err);
    return 1;
  }
}

function printError(err: unknown): void {
  if (err instanceof Error && (err as { printed?: boolean }).printed) {
    process.stderr.write(`cloudbench: ${err.message}\n`);
  } else if (isCloudbenchError(err)) {
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

type ParsedValues = ReturnType<typeof parse>['values'];

function emulatorOptions(values: ParsedValues): EmulatorsOptions {
  if (values.data !== undefined && values['in-memory']) throw cbError('CB_ERR_CLI_USAGE', { detail: '--data and --in-memory exclude each other: choose where the data goes, or that it goes nowhere' });
  return {
    dataDir: values.data === undefined ? undefined : path.resolve(values.data),
    inMemory: values['in-memory'] ?? false,
    tablesPort: wholeNumber('tables-port', values['tables-port'], 0, 65535),
    queuesPort: wholeNumber('queues-port', values['queues-port'], 0, 65535),
    serviceBusPort: wholeNumber('servicebus-port', values['servicebus-port'], 0, 65535),
    serviceBusHttpPort: wholeNumber('servicebus-http-port', values['servicebus-http-port'], 0, 65535),
    serviceBusConfig: values['servicebus-config'] === undefined ? undefined : path.resolve(values['servicebus-config']),
    ...(values['strict-api-version'] ? { strictApiVersion: true } : {}),
    ...tlsOption(values),
  };
}

function tlsOption(values: ParsedValues): Pick<EmulatorsOptions, 'tls' | 'oauth'> {
  const { cert, key, oauth } = values;
  if (oauth !== undefined && oauth !== 'basic') throw cbError('CB_ERR_CONFIG_VALUE', { option: '--oauth', value: oauth, expected: 'basic (token claims checked, signatures not)' });
  if (oauth !== undefined && (cert === undefined || key === undefined)) throw cbError('CB_ERR_CLI_USAGE', { detail: '--oauth basic needs HTTPS: add --cert and --key (the SDKs send tokens over HTTPS only)' });
  if (cert === undefined && key === undefined) return {};
  if (cert === undefined || key === undefined) throw cbError('CB_ERR_CLI_USAGE', { detail: '--cert and --key go together: the PEM certificate and its PEM private key' });
  return { tls: { certFile: path.resolve(cert), keyFile: path.resolve(key) }, ...(oauth === 'basic' ? { oauth: 'basic' as const } : {}) };
}

function printEmulators(endpoints: EmulatorEndpoints, say: (text: string) => void): void {
  for (const e of endpoints.status) {
    if (e.state === 'running') say(`${e.name} emulator at ${e.url}`);
    else process.stderr.write(`cloudbench: the ${e.name} emulator did not start: ${e.detail ?? 'unknown error'}
`);
  }
  say(`emulator data: ${endpoints.dataDir ?? 'in memory (nothing is kept)'}`);
}

/** `cloudbench emulators`: the emulators alone, in this process, until Ctrl-C. */
async function emulators(rest: string[]): Promise<number> {
  const { values, positionals } = parse(rest);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 0) throw cbError('CB_ERR_CLI_USAGE', { detail: `emulators takes no folder; got ${positionals.join(' ')}` });
  const say = (text: string): boolean => process.stdout.write(`cloudbench: ${text}
`);
  const running = await startEmulators(emulatorOptions(values));
  printEmulators(running, say);
  if (running.status.some((e) => e.state === 'failed')) {
    await running.close();
    return 1;
  }
  if (running.connections.storage) say(`storage connection string: ${running.connections.storage}`);
  if (running.connections.serviceBus) say(`service bus connection string: ${running.connections.serviceBus}`);
  say('ready (Ctrl-C stops)');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await running.close();
  return 0;
}

/** `startReason`: for `start`, why it runs in serve mode instead of the desktop app. */
async function serve(rest: string[], startReason?: string): Promise<number> {
  const isStart = startReason !== undefined;
  const { values, positionals } = parse(rest);
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length > 1) throw cbError('CB_ERR_CLI_USAGE', { detail: `serve takes one folder; got ${positionals.length}: ${positionals.join(' ')}` });
  const folder = positionals[0] ?? (isStart ? fileURLToPath(new URL('../../../resources/samples/tasklist', import.meta.url)) : undefined);
  if (folder === undefined) throw cbError('CB_ERR_CLI_USAGE', { detail: 'serve needs the project folder: cloudbench serve <folder>' });
  const workerPort = values['worker-port'];
  if (workerPort !== undefined && workerPort !== 'pipe' && workerPort !== 'tcp') {
    throw cbError('CB_ERR_CONFIG_VALUE', { option: '--worker-port', value: workerPort, expected: 'pipe or tcp' });
  }
  if (isStart) {
    process.stdout.write(`cloudbench: no desktop app: ${startReason}. The workbench runs in serve mode (open the URL below in a browser).\n`);
  }

  if (values.cert !== undefined || values.key !== undefined || values.oauth !== undefined) {
    throw cbError('CB_ERR_CLI_USAGE', { detail: "--cert, --key and --oauth are options of `cloudbench emulators` only: beside an app the emulators serve HTTP on 127.0.0.1, which the workers and the workbench's explorers use" });
  }
  let site: SiteHostOptions = {
    port: wholeNumber('port', values.port, 0, 65535),
    host: values.host,
    workers: wholeNumber('workers', values.workers, 0, 1024),
    queueLength: wholeNumber('queue-length', values['queue-length'], 0),
    queueTimeoutMs: wholeNumber('queue-timeout', values['queue-timeout'], 0),
    workerPort: workerPort as 'pipe' | 'tcp' | undefined,
    hook: !values['no-hook'],
  };
  const controlPort = wholeNumber('control-port', values['control-port'], 0, 65535) ?? DEFAULT_CONTROL_PORT;
  const say = (text: string): boolean => process.stdout.write(`cloudbench: ${text}\n`);
  // The workbench's modules (control API, explorers with their Azure SDKs, terminals) load while the emulator
  // process starts; `cloudbench emulators` and the fabric commands never load them.
  const modules = Promise.all([import('../control/workbench.js'), import('../terminal/terminal-manager.js'), import('../control/control-server.js')]);
  // The emulators first, so the workers start with their connection strings.
  let emulatorProcess: EmulatorProcess | undefined;
  if (!values['no-emulators']) {
    const options = emulatorOptions(values);
    try {
      emulatorProcess = await startEmulatorProcess(options);
      printEmulators(emulatorProcess, say);
      site = { ...site, env: { ...process.env, ...emulatorProcess.environment } };
    } catch (err) {
      process.stderr.write(`cloudbench: the emulators did not start: ${err instanceof Error ? err.message : String(err)}; the app runs without them\n`);
    }
  }
  const [{ Workbench }, { TerminalManager }, { startControlServer }] = await modules;
  const workbench = new Workbench({ site, emulators: emulatorProcess });
  const terminals = new TerminalManager();
  let configBroken = false;
  workbench.on('event', (e) => {
    if (e.kind === 'project.opened' && configBroken) {
      configBroken = false;
      say(`the configuration is fixed: ${e.message.charAt(0).toLowerCase() + e.message.slice(1)}`);
    }
    if (e.kind !== 'project.opened') say(e.kind === 'failed' ? `${e.message}. Save a fix to try again.` : e.kind === 'warning' ? `warning: ${e.message}` : e.message.charAt(0).toLowerCase() + e.message.slice(1));
  });
  workbench.on('logs', (batch) => {
    for (const r of batch) (r.stream === 'stderr' ? process.stderr : process.stdout).write(`[${r.worker}:${r.pid}] ${r.text}\n`);
  });

  let stopping = false;
  let control: ControlServer | undefined;
  let forgetWorkbench = (): void => {};
  const stopAll = async (): Promise<void> => {
    await control?.close();
    forgetWorkbench();
    await Promise.all([workbench.stop(), terminals.closeAll()]);
    await emulatorProcess?.stop();
  };
  let unlistenShutdown = (): void => {};
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
    // The desktop app stops a runtime it started with a message (electron/runtime-launcher.ts).
    unlistenShutdown = onShutdownRequest(() => onSignal('SIGTERM'));
  });
  void finished.then(() => unlistenShutdown());

  try {
    await workbench.open(folder).catch((err: unknown) => {
      // A web.config / iisnode.yml that cannot be read: keep serving its error page and wait for a fix,
      // as iisnode did. Anything else (no folder, no entry point, a busy port) stops here.
      if (workbench.configErrorUrl === undefined) throw err;
      configBroken = true;
      printError(err);
    });
    control = await startControlServer({ host: '127.0.0.1', port: controlPort, token: createToken(), workbench, terminals });
    forgetWorkbench = recordWorkbench(control.url);
  } catch (err) {
    unlistenShutdown();
    await stopAll();
    throw err;
  }
  if (configBroken) {
    const rel = path.relative(process.cwd(), path.resolve(folder)) || '.';
    say(`serving ${rel} at ${workbench.configErrorUrl} with its configuration error page; save a fix to start the app`);
    say(`workbench at ${control.url}`);
    if (isStart) say(openInBrowser(control.url));
    return finished;
  }
  const host = workbench.requireSite();
  for (const w of host.project.warnings) process.stderr.write(`cloudbench: warning: ${w}\n`);
  const state = await Promise.race([host.whenReady(), finished.then(() => 'stopped' as const)]);
  // Say "serving" only once file changes are being watched, so an edit right after it is not missed.
  await host.watching();
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
  for (const env of workbench.fabric?.view() ?? []) say(`environment ${env.name}: production ${env.slots[0]?.url ?? ""}, staging ${env.slots[1]?.url ?? ""} (cloudbench deploy ${env.name})`);
  if (isStart) say(openInBrowser(control.url));
  return finished;
}
