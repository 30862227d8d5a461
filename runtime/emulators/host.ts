// Runs the emulators together (Table + Queue storage, Service Bus) in the current process and says how to
// reach them. `cloudbench emulators` calls this directly; `cloudbench serve` runs it in a child process
// (emulator-process.ts) so storage load never stalls the request path and a crash of one side loses none
// of the other's state. One emulator failing to start (a busy port) does not stop the others.

import os from 'node:os';
import path from 'node:path';
import { isCloudbenchError } from '../shared/errors.js';
import { startServiceBusEmulator } from './servicebus/index.js';
import type { RunningServiceBusEmulator } from './servicebus/index.js';
import { startStorageEmulator } from './storage/index.js';
import type { RunningStorageEmulator } from './storage/index.js';

export interface EmulatorsOptions {
  /** Folder for the databases (`storage/` and `servicebus/` under it). @default ~/.cloudbench (or $CLOUDBENCH_HOME) */
  dataDir?: string;
  /** Keep nothing on disk. @default false */
  inMemory?: boolean;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 10002 */
  tablesPort?: number;
  /** @default 10001 */
  queuesPort?: number;
  /** AMQP. @default 5672 */
  serviceBusPort?: number;
  /** Legacy REST, ATOM management, /health. @default 5300 */
  serviceBusHttpPort?: number;
  /** Microsoft's Service Bus emulator Config.json to import. */
  serviceBusConfig?: string;
  /** Table and Queue storage refuse x-ms-version values that are not Azure Storage service versions. @default false */
  strictApiVersion?: boolean;
  /** Table and Queue storage serve HTTPS with this PEM certificate and key (`cloudbench emulators` only). */
  tls?: { certFile: string; keyFile: string };
  /** Table and Queue storage accept OAuth bearer tokens, claims checked (`--oauth basic`; needs tls). */
  oauth?: 'basic';
}

/** One emulator as the workbench shows it. */
export interface EmulatorStatus {
  readonly name: 'tables' | 'queues' | 'servicebus';
  readonly url: string;
  readonly state: 'running' | 'failed';
  /** Why it failed (the coded error's message and fix). */
  readonly detail?: string;
}

export interface EmulatorEndpoints {
  readonly status: EmulatorStatus[];
  /** Variables for workers and terminals: connection strings the SDKs (current and legacy) read. */
  readonly environment: Record<string, string>;
  /** For the workbench's explorers. */
  readonly connections: { storage?: string; serviceBus?: string };
  /** Where the data lives (null in memory). */
  readonly dataDir: string | null;
}

export interface RunningEmulators extends EmulatorEndpoints {
  close(): Promise<void>;
}

export function defaultEmulatorData(): string {
  return process.env.CLOUDBENCH_HOME ?? path.join(os.homedir(), '.cloudbench');
}

export async function startEmulators(options: EmulatorsOptions = {}): Promise<RunningEmulators> {
  const root = options.inMemory ? null : path.resolve(options.dataDir ?? defaultEmulatorData());
  const host = options.host ?? '127.0.0.1';
  const [storage, serviceBus] = await Promise.allSettled([
    startStorageEmulator({ host, inMemory: options.inMemory, dataDir: root === null ? undefined : path.join(root, 'storage'), tablesPort: options.tablesPort, queuesPort: options.queuesPort, strictApiVersion: options.strictApiVersion, tls: options.tls, oauth: options.oauth }),
    startServiceBusEmulator({
      host,
      inMemory: options.inMemory,
      dataDir: root === null ? undefined : path.join(root, 'servicebus'),
      amqpPort: options.serviceBusPort,
      httpPort: options.serviceBusHttpPort,
      configFile: options.serviceBusConfig,
    }),
  ]);
  const status: EmulatorStatus[] = [];
  const environment: Record<string, string> = {};
  const connections: { storage?: string; serviceBus?: string } = {};
  let st: RunningStorageEmulator | undefined;
  let sb: RunningServiceBusEmulator | undefined;
  if (storage.status === 'fulfilled') {
    st = storage.value;
    status.push({ name: 'tables', url: st.tablesUrl, state: 'running' }, { name: 'queues', url: st.queuesUrl, state: 'running' });
    Object.assign(environment, st.environment());
    connections.storage = st.connectionString();
  } else {
    const detail = describe(storage.reason);
    status.push({ name: 'tables', url: `http://${host}:${options.tablesPort ?? 10002}/`, state: 'failed', detail }, { name: 'queues', url: `http://${host}:${options.queuesPort ?? 10001}/`, state: 'failed', detail });
  }
  if (serviceBus.status === 'fulfilled') {
    sb = serviceBus.value;
    status.push({ name: 'servicebus', url: `amqp://${host}:${sb.amqpPort} (http://${host}:${sb.httpPort}/)`, state: 'running' });
    Object.assign(environment, sb.environment());
    connections.serviceBus = sb.connectionString();
  } else {
    status.push({ name: 'servicebus', url: `amqp://${host}:${options.serviceBusPort ?? 5672}`, state: 'failed', detail: describe(serviceBus.reason) });
  }
  return {
    status,
    environment,
    connections,
    dataDir: root,
    close: async () => {
      await Promise.all([st?.close(), sb?.close()]);
    },
  };
}

function describe(reason: unknown): string {
  if (isCloudbenchError(reason)) return `${reason.code}: ${reason.message} ${reason.fix}`;
  return reason instanceof Error ? reason.message : String(reason);
}
