// The Service Bus emulator: one engine (engine/) behind an AMQP 1.0 listener for @azure/service-bus
// (amqp/) and an HTTP listener for the legacy runtime REST API, the ATOM management API and /health
// (http/). Data lives in <dataDir>/servicebus.sqlite, or in memory. docs/servicebus.md describes it all.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:net';
import { cbError } from '../../shared/errors.js';
import { createAmqpServer } from './amqp/server.js';
import { ServiceBusEngine } from './engine/engine.js';
import { MemoryServiceBusStore } from './engine/memory-store.js';
import type { ServiceBusStore } from './engine/store.js';
import { createHttpServer } from './http/server.js';
import { DEFAULT_KEY, DEFAULT_KEY_NAME } from './sas.js';

export interface ServiceBusEmulatorOptions {
  /** Folder for servicebus.sqlite; without it (or with inMemory) nothing is kept. */
  dataDir?: string;
  /** @default false */
  inMemory?: boolean;
  /** @default '127.0.0.1' */
  host?: string;
  /** AMQP port; 0 = any free port. @default 5672 */
  amqpPort?: number;
  /** HTTP port (legacy REST, ATOM admin, /health); 0 = any free port. @default 5300 */
  httpPort?: number;
  /** Microsoft's emulator Config.json to import at start-up. */
  configFile?: string;
}

export interface RunningServiceBusEmulator {
  readonly amqpPort: number;
  readonly httpPort: number;
  readonly dataDir: string | null;
  /** For @azure/service-bus (AMQP, UseDevelopmentEmulator=true). */
  connectionString(): string;
  /** Variables for workers and terminals (see docs/servicebus.md, "Connection strings"). */
  environment(): Record<string, string>;
  /** The engine, for in-process tools (the explorer) and tests. */
  readonly engine: ServiceBusEngine;
  close(): Promise<void>;
}

// better-sqlite3 (a native addon) and jsonc-parser load only when a data folder or a Config.json is
// given: start-up time is a goal (< 300 ms from spawn to a listening port) and the in-memory case needs neither.
async function openStore(options: ServiceBusEmulatorOptions): Promise<{ store: ServiceBusStore; dataDir: string | null }> {
  if (options.inMemory || options.dataDir === undefined) return { store: new MemoryServiceBusStore(), dataDir: null };
  const dataDir = path.resolve(options.dataDir);
  try {
    mkdirSync(dataDir, { recursive: true });
    const { SqliteServiceBusStore } = await import('./engine/sqlite-store.js');
    return { store: new SqliteServiceBusStore(path.join(dataDir, 'servicebus.sqlite')), dataDir };
  } catch (err) {
    throw cbError('CB_ERR_EMULATORS_DATA_DIR', { path: dataDir, problem: err instanceof Error ? err.message : String(err) }, err);
  }
}

function listen(server: Server, host: string, port: number, option: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(cbError('CB_ERR_EMULATORS_PORT_IN_USE', { service: 'Service Bus', host, port, problem: err.code ?? err.message, option }, err));
    };
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

export async function startServiceBusEmulator(options: ServiceBusEmulatorOptions = {}): Promise<RunningServiceBusEmulator> {
  const host = options.host ?? '127.0.0.1';
  const { store, dataDir } = await openStore(options);
  const engine = new ServiceBusEngine({ store });
  const keys = new Map([[DEFAULT_KEY_NAME, DEFAULT_KEY]]);
  const amqp = createAmqpServer(engine, keys);
  const http = createHttpServer(engine, keys);
  try {
    if (options.configFile !== undefined) (await import('./config/import-config.js')).importConfigFile(engine, options.configFile);
    const amqpPort = await listen(amqp.server, host, options.amqpPort ?? 5672, '--servicebus-port');
    const httpPort = await listen(http.server, host, options.httpPort ?? 5300, '--servicebus-http-port');
    const clientHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const connectionString = (): string =>
      `Endpoint=sb://${clientHost}:${amqpPort};SharedAccessKeyName=${DEFAULT_KEY_NAME};SharedAccessKey=${DEFAULT_KEY};UseDevelopmentEmulator=true;`;
    // azure-sb (and `azure`) read AZURE_SERVICEBUS_CONNECTION_STRING and speak HTTP: that variable must name
    // the HTTP port with an http:// endpoint (the legacy parser rejects UseDevelopmentEmulator).
    const legacy = `Endpoint=http://${clientHost}:${httpPort}/;SharedAccessKeyName=${DEFAULT_KEY_NAME};SharedAccessKey=${DEFAULT_KEY}`;
    return {
      amqpPort,
      httpPort,
      dataDir,
      engine,
      connectionString,
      environment: () => ({
        SERVICEBUS_CONNECTION_STRING: connectionString(),
        AZURE_SERVICEBUS_CONNECTION_STRING: legacy,
        SERVICEBUS_HTTP_ENDPOINT: `http://${clientHost}:${httpPort}/`,
      }),
      close: async () => {
        await Promise.all([amqp.close(), http.close()]);
        engine.close();
      },
    };
  } catch (err) {
    await Promise.all([amqp.close(), http.close()]).catch(() => undefined);
    engine.close();
    throw err;
  }
}
