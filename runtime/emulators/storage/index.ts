// The Table and Queue storage emulators: one SQLite database per service under the data folder (or in
// memory), two HTTP listeners (tables 10002, queues 10001, as Azurite, so UseDevelopmentStorage=true works).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSecureContext } from 'node:tls';
import { cbError } from '../../shared/errors.js';
import { QueueEngine } from '../queues/queue-engine.js';
import { createQueueAdapter } from '../queues/queue-adapter.js';
import { TableEngine } from '../tables/table-engine.js';
import { createTableAdapter } from '../tables/table-adapter.js';
import { AccountRegistry, DEV_ACCOUNT, parseAccountsVariable } from './accounts.js';
import type { AccountSpec } from './accounts.js';
import { BackgroundPurge } from './background-purge.js';
import { connectionString, storageEnvironment } from './connection.js';
import { lockDataDir, openDatabase } from './sqlite.js';
import type { SqliteDatabase } from './sqlite.js';
import { listenStorage } from './storage-server.js';
import { GroupCommit } from './group-commit.js';
import type { OAuthLevel } from './oauth.js';
import type { RunningServer } from './storage-server.js';

export { DEV_ACCOUNT, DEV_KEY } from './accounts.js';
export { connectionString as formatConnectionString, storageEnvironment } from './connection.js';

export interface StorageEmulatorOptions {
  /** Folder for tables.sqlite and queues.sqlite. @default `$CLOUDBENCH_HOME/storage` (`~/.cloudbench/storage`) */
  dataDir?: string;
  /** Keep everything in memory (nothing is written; dataDir is ignored). @default false */
  inMemory?: boolean;
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 10002; 0 = any free port */
  tablesPort?: number;
  /** @default 10001; 0 = any free port */
  queuesPort?: number;
  /** Refuse x-ms-version values that are not Azure Storage service versions, as Azure does (conformance tests). @default false: any version is accepted */
  strictApiVersion?: boolean;
  /**
   * Serve HTTPS instead of HTTP with this PEM certificate and key (`--cert`, `--key`). Connection strings then
   * name https endpoints, and the environment for workers carries NODE_EXTRA_CA_CERTS=cert so Node trusts it.
   */
  tls?: { certFile: string; keyFile: string };
  /**
   * Accept OAuth bearer tokens, checking their claims but not their signatures (Azurite's `--oauth basic`);
   * needs `tls` (tokens travel over HTTPS only).
   */
  oauth?: OAuthLevel;
  /** Accounts besides devstoreaccount1 (AZURITE_ACCOUNTS adds more). @default [] */
  accounts?: ReadonlyArray<{ name: string; key: string }>;
}

export interface RunningStorageEmulator {
  readonly tablesUrl: string;
  readonly queuesUrl: string;
  readonly tablesPort: number;
  readonly queuesPort: number;
  readonly dataDir: string | null;
  /** A connection string all three SDKs accept. @default account devstoreaccount1 */
  connectionString(account?: string): string;
  /** Environment variables for processes that should use these emulators. */
  environment(account?: string): Record<string, string>;
  close(): Promise<void>;
}

export function defaultDataDir(): string {
  return path.join(process.env.CLOUDBENCH_HOME ?? path.join(os.homedir(), '.cloudbench'), 'storage');
}

const PURGE_BATCH = 500;

export async function startStorageEmulator(options: StorageEmulatorOptions = {}): Promise<RunningStorageEmulator> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = options.inMemory ? null : path.resolve(options.dataDir ?? defaultDataDir());
  const specs: AccountSpec[] = [...(options.accounts ?? []), ...parseAccountsVariable(process.env.AZURITE_ACCOUNTS)];
  const accounts = new AccountRegistry(specs);
  if (options.oauth && !options.tls) throw cbError('CB_ERR_CLI_USAGE', { detail: '--oauth basic needs HTTPS (--cert and --key): the SDKs send tokens over HTTPS only' });
  const tls = options.tls ? readTls(options.tls.certFile, options.tls.keyFile) : undefined;
  const unlock = dataDir === null ? () => undefined : lockDataDir(dataDir);
  let tablesDb: SqliteDatabase | undefined;
  let queuesDb: SqliteDatabase;
  try {
    tablesDb = openDatabase(dataDir, 'tables.sqlite', { scanPages: true });
    queuesDb = openDatabase(dataDir, 'queues.sqlite');
  } catch (error) {
    tablesDb?.close();
    unlock();
    throw error;
  }
  const tables = new TableEngine(tablesDb);
  const queues = new QueueEngine(queuesDb);
  // On disk, one commit per event-loop turn (group-commit.ts); in memory there is no write to save.
  const groups = dataDir === null ? undefined : { tables: new GroupCommit(tablesDb, () => tables.forgetCaches()), queues: new GroupCommit(queuesDb, () => queues.forgetCaches()) };
  const servers: RunningServer[] = [];
  const closeDbs = () => {
    groups?.tables.flush();
    groups?.queues.flush();
    tables.close();
    tablesDb.close();
    queuesDb.close();
    unlock();
  };
  try {
    servers.push(await listenStorage(createTableAdapter(tables, accounts, { oauth: options.oauth, group: groups?.tables }), accounts, { host, port: options.tablesPort ?? 10002, option: '--tables-port', strictApiVersion: options.strictApiVersion, tls }));
    servers.push(await listenStorage(createQueueAdapter(queues, accounts, { oauth: options.oauth, group: groups?.queues }), accounts, { host, port: options.queuesPort ?? 10001, option: '--queues-port', strictApiVersion: options.strictApiVersion, tls }));
  } catch (error) {
    await Promise.all(servers.map((s) => s.close()));
    closeDbs();
    throw error;
  }
  const purge = new BackgroundPurge([(now) => queues.purge(now, PURGE_BATCH), () => tables.purgeDropped(PURGE_BATCH)]);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const [tableServer, queueServer] = servers as [RunningServer, RunningServer];
  const scheme = tls ? 'https' : 'http';
  const endpoints = { tablesUrl: `${scheme}://${urlHost}:${tableServer.port}`, queuesUrl: `${scheme}://${urlHost}:${queueServer.port}` };
  const trust: Record<string, string> = options.tls ? { NODE_EXTRA_CA_CERTS: path.resolve(options.tls.certFile) } : {};
  const keyOf = (account: string) => {
    const key = accounts.primaryKey(account);
    if (key === undefined) throw new RangeError(`No storage account "${account}"; known: ${accounts.names().join(', ')}.`);
    return key;
  };
  let closed: Promise<void> | undefined;
  return {
    ...endpoints,
    tablesPort: tableServer.port,
    queuesPort: queueServer.port,
    dataDir,
    connectionString: (account = DEV_ACCOUNT) => connectionString(endpoints, account, keyOf(account)),
    environment: (account = DEV_ACCOUNT) => ({ ...storageEnvironment(endpoints, account, keyOf(account)), ...trust }),
    close: () =>
      (closed ??= (async () => {
        purge.close();
        await Promise.all(servers.map((s) => s.close()));
        closeDbs();
      })()),
  };
}

/** Reads and checks the PEM certificate and key: a missing file or a key that does not match is an error at start. */
function readTls(certFile: string, keyFile: string): { cert: Buffer; key: Buffer } {
  const read = (file: string, what: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (error) {
      throw cbError('CB_ERR_EMULATORS_TLS', { file: path.resolve(file), problem: `cannot read the ${what}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }, error);
    }
  };
  const cert = read(certFile, 'certificate');
  const key = read(keyFile, 'key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw cbError('CB_ERR_EMULATORS_TLS', { file: `${path.resolve(certFile)} + ${path.resolve(keyFile)}`, problem: (error as Error).message }, error);
  }
  return { cert, key };
}
