// The control API's Storage explorer: tables (list, create, delete, query in pages, entities read, written
// and deleted with ETags) and queues (list, create, delete, peek, send, dequeue, clear), through the real
// SDKs with a connection string, so the same code explores the local emulator or a real account. The
// connection string stays in memory, and only the account name and endpoints go back to the page.
import { RestError, TableClient, TableServiceClient } from '@azure/data-tables';
import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import type { z } from 'zod';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import type {
  EdmType,
  RouteName,
  StorageConnection,
  StorageDeleteEntitySchema,
  StorageDequeueSchema,
  StorageEntity,
  StorageEntityKeySchema,
  StorageEntityQuerySchema,
  StorageListQuerySchema,
  StorageMessageSchema,
  StorageSendSchema,
  StorageWriteEntitySchema,
  TypedValue,
} from '../shared/protocol.js';
import type { Workbench } from './workbench.js';
import { doublesPerEntity } from '../shared/json-doubles.js';

type Handler = (ctx: { params: Record<string, string>; body: unknown; query: unknown }) => Promise<unknown> | unknown;

/** Account name and endpoints of a connection string; the key is dropped here. */
export interface ConnectionSummary {
  readonly account: string | null;
  readonly tableEndpoint: string | null;
  readonly queueEndpoint: string | null;
}

const DEV_ACCOUNT = 'devstoreaccount1';

/** Reads `key=value;…` (values may hold `=`, as SAS tokens and keys do). */
export function parseConnectionString(text: string): Map<string, string> {
  const parts = new Map<string, string>();
  for (const piece of text.split(';')) {
    const trimmed = piece.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    if (eq <= 0) throw cbError('CB_ERR_STORAGE_CONNECTION_STRING', { detail: `"${trimmed.slice(0, 40)}" is not key=value` });
    parts.set(trimmed.slice(0, eq).toLowerCase(), trimmed.slice(eq + 1));
  }
  return parts;
}

function accountOfEndpoint(endpoint: string): string | null {
  try {
    const url = new URL(endpoint);
    const label = url.hostname.split('.')[0] ?? '';
    // Path style (the emulator, Azurite): http://127.0.0.1:10002/devstoreaccount1
    if (/^[\d.]+$/.test(url.hostname) || url.hostname === 'localhost' || url.hostname.startsWith('[')) return url.pathname.split('/').filter(Boolean)[0] ?? null;
    return label || null;
  } catch {
    return null;
  }
}

export function summarizeConnectionString(text: string): ConnectionSummary {
  const parts = parseConnectionString(text);
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    return { account: DEV_ACCOUNT, tableEndpoint: `http://127.0.0.1:10002/${DEV_ACCOUNT}`, queueEndpoint: `http://127.0.0.1:10001/${DEV_ACCOUNT}` };
  }
  const account = parts.get('accountname') ?? null;
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  const derived = (service: string): string | null => (account ? `${protocol}://${account}.${service}.${suffix}` : null);
  const tableEndpoint = parts.get('tableendpoint') ?? derived('table');
  const queueEndpoint = parts.get('queueendpoint') ?? derived('queue');
  if (!tableEndpoint && !queueEndpoint) throw cbError('CB_ERR_STORAGE_CONNECTION_STRING', { detail: 'it names no AccountName, TableEndpoint or QueueEndpoint' });
  if (!parts.has('accountkey') && !parts.has('sharedaccesssignature')) throw cbError('CB_ERR_STORAGE_CONNECTION_STRING', { detail: 'it has neither AccountKey nor SharedAccessSignature' });
  return { account: account ?? accountOfEndpoint(tableEndpoint ?? queueEndpoint ?? ''), tableEndpoint, queueEndpoint };
}

// ---- SDK errors → the catalogue ----------------------------------------------------------------------------

interface ServiceFailure {
  statusCode?: number;
  code?: string;
  details?: { errorCode?: string };
  message: string;
}

function serviceMessage(err: ServiceFailure): string {
  // data-tables puts the odata.error JSON in the message; storage-queue puts the XML message's first line.
  const text = err.message.trim();
  try {
    const parsed = JSON.parse(text) as { 'odata.error'?: { message?: { value?: string } } };
    const value = parsed['odata.error']?.message?.value;
    if (value) return value.split('\n')[0] as string;
  } catch {
    // not JSON
  }
  return (text.split('\n')[0] ?? text).replace(/^\d+:/, '');
}

/** What a failed SDK call becomes: 400 with the service's own words (a $filter's position), 404, 409, 412, 502. */
export function storageError(err: unknown, what: string, etag?: string): CloudbenchError {
  if (isCloudbenchError(err)) return err;
  const failure = err as ServiceFailure;
  const statusCode = err instanceof RestError || typeof failure.statusCode === 'number' ? (failure.statusCode ?? 0) : 0;
  const serviceCode = failure.code ?? failure.details?.errorCode ?? (statusCode === 0 ? 'no answer' : String(statusCode));
  const detail = err instanceof Error ? serviceMessage(failure) : String(err);
  switch (statusCode) {
    case 400:
      return cbError('CB_ERR_STORAGE_BAD_REQUEST', { serviceCode, detail }, err);
    case 404:
      return cbError('CB_ERR_STORAGE_NOT_FOUND', { what, serviceCode, detail }, err);
    case 409:
      return cbError('CB_ERR_STORAGE_CONFLICT', { serviceCode, detail }, err);
    case 412:
      return cbError('CB_ERR_STORAGE_CHANGED', { etag: etag ?? '(unknown)' }, err);
    default:
      return cbError('CB_ERR_STORAGE_FAILED', { statusCode: statusCode || 'no answer', serviceCode, detail }, err);
  }
}

async function guarded<T>(what: string, run: () => Promise<T>, etag?: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw storageError(err, what, etag);
  }
}

// ---- entities: typed values ↔ SDK ------------------------------------------------------------------------------

/**
 * Full metadata annotates every typed property, Double included: in minimal metadata a whole Double (2.0)
 * reads back as the JSON number 2, which the SDK would call Int32.
 */
const FULL_METADATA = { format: 'application/json;odata=fullmetadata' } as Record<string, string>;

const EDM_TYPES: ReadonlySet<string> = new Set(['String', 'Int32', 'Int64', 'Double', 'Boolean', 'DateTime', 'Guid', 'Binary']);

/** An entity as the SDK gives it with disableTypeConversion ({ value, type } per property). */
/**
 * The entity as the explorer shows it. `doubles` names the properties the response wrote as `2.0` (see
 * json-doubles.ts): JSON.parse made them whole numbers, which would otherwise read as Int32.
 */
export function toEntityView(raw: TableEntityResult<Record<string, unknown>>, doubles: ReadonlySet<string> = new Set()): StorageEntity {
  const properties: Record<string, TypedValue> = {};
  for (const [name, v] of Object.entries(raw)) {
    if (name === 'partitionKey' || name === 'rowKey' || name === 'timestamp' || name === 'etag' || name.startsWith('odata.')) continue;
    if (v && typeof v === 'object' && 'type' in v && 'value' in v && EDM_TYPES.has(String((v as { type: unknown }).type))) {
      const t = v as { type: EdmType; value: unknown };
      // The SDK infers Int32 for a whole number without annotation, which a `2.0` in the text was not.
      properties[name] = { type: t.type === 'Int32' && doubles.has(name) ? 'Double' : t.type, value: String(t.value) };
    } else if (typeof v === 'string') properties[name] = { type: 'String', value: v };
    else if (typeof v === 'boolean') properties[name] = { type: 'Boolean', value: String(v) };
    else if (typeof v === 'number') properties[name] = { type: Number.isInteger(v) && !doubles.has(name) ? 'Int32' : 'Double', value: String(v) };
  }
  const timestamp = raw.timestamp as unknown;
  return {
    partitionKey: String(raw.partitionKey ?? ''),
    rowKey: String(raw.rowKey ?? ''),
    ...(timestamp !== undefined && timestamp !== null ? { timestamp: typeof timestamp === 'object' && 'value' in timestamp ? String((timestamp as { value: unknown }).value) : String(timestamp) } : {}),
    ...(raw.etag ? { etag: raw.etag } : {}),
    properties,
  };
}

function bad(detail: string): CloudbenchError {
  return cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'entity', detail });
}

/** One typed value as the SDK sends it, checked first so a typo is our 400 and not a confusing service error. */
export function toSdkValue(name: string, p: TypedValue): unknown {
  const v = p.value;
  switch (p.type) {
    case 'String':
      return v;
    case 'Int32': {
      const n = Number(v);
      if (!/^-?\d+$/.test(v.trim()) || n < -2147483648 || n > 2147483647) throw bad(`${name}: "${v}" is not an Int32`);
      return n;
    }
    case 'Int64':
      if (!/^-?\d+$/.test(v.trim()) || BigInt(v) > 9223372036854775807n || BigInt(v) < -9223372036854775808n) throw bad(`${name}: "${v}" is not an Int64`);
      return { type: 'Int64', value: BigInt(v).toString() };
    case 'Double': {
      const n = v.trim() === '' ? Number.NaN : Number(v);
      if (Number.isNaN(n) && v !== 'NaN') throw bad(`${name}: "${v}" is not a Double`);
      return { type: 'Double', value: Number.isFinite(n) ? n : v };
    }
    case 'Boolean':
      if (v !== 'true' && v !== 'false') throw bad(`${name}: "${v}" is not true or false`);
      return v === 'true';
    case 'DateTime':
      if (Number.isNaN(Date.parse(v))) throw bad(`${name}: "${v}" is not an ISO 8601 date and time`);
      return { type: 'DateTime', value: v };
    case 'Guid':
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) throw bad(`${name}: "${v}" is not a GUID`);
      return { type: 'Guid', value: v };
    case 'Binary':
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw bad(`${name}: the value is not base64`);
      return { type: 'Binary', value: v };
  }
}

export function toSdkEntity(entity: StorageEntity): TableEntity<Record<string, unknown>> {
  const out: TableEntity<Record<string, unknown>> = { partitionKey: entity.partitionKey, rowKey: entity.rowKey };
  for (const [name, p] of Object.entries(entity.properties)) {
    if (['PartitionKey', 'RowKey', 'Timestamp', 'partitionKey', 'rowKey', 'timestamp', 'etag'].includes(name)) continue;
    out[name] = toSdkValue(name, p);
  }
  return out;
}

// ---- the explorer ---------------------------------------------------------------------------------------------

interface Clients {
  readonly tables: TableServiceClient;
  readonly queues: QueueServiceClient;
  readonly summary: ConnectionSummary;
  readonly connectionString: string;
}

function makeClients(connectionString: string): Clients {
  const summary = summarizeConnectionString(connectionString);
  try {
    // One try only: a UI waiting through exponential back-off looks hung.
    const insecure = (summary.tableEndpoint ?? '').startsWith('http:');
    const tables = TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: insecure, retryOptions: { maxRetries: 0 } });
    const queues = QueueServiceClient.fromConnectionString(connectionString, { retryOptions: { maxTries: 1 } });
    return { tables, queues, summary, connectionString };
  } catch (err) {
    throw cbError('CB_ERR_STORAGE_CONNECTION_STRING', { detail: err instanceof Error ? err.message : String(err) }, err);
  }
}

export class StorageExplorer {
  /** A pasted connection string, in memory only; null means the local emulator. */
  #custom: Clients | null = null;
  #emulator: Clients | null = null;

  constructor(private readonly emulatorConnection: () => string | undefined) {}

  connection(): StorageConnection {
    if (this.#custom) return { source: 'custom', ...this.#custom.summary, unavailable: null };
    const cs = this.emulatorConnection();
    if (!cs) return { source: 'emulator', account: null, tableEndpoint: null, queueEndpoint: null, unavailable: 'the storage emulator is not running' };
    return { source: 'emulator', ...summarizeConnectionString(cs), unavailable: null };
  }

  /** Switches to a pasted connection string after one call to either service works with it; null: the emulator. */
  async connect(connectionString: string | null | undefined): Promise<StorageConnection> {
    if (!connectionString?.trim()) {
      this.#custom = null;
      return this.connection();
    }
    const clients = makeClients(connectionString.trim());
    const tablesProbe = clients.summary.tableEndpoint ? clients.tables.listTables().byPage({ maxPageSize: 1 }).next() : Promise.reject(new Error('no table endpoint'));
    const queuesProbe = clients.summary.queueEndpoint ? clients.queues.listQueues().byPage({ maxPageSize: 1 }).next() : Promise.reject(new Error('no queue endpoint'));
    const [t, q] = await Promise.allSettled([tablesProbe, queuesProbe]);
    if (t.status === 'rejected' && q.status === 'rejected') {
      const e = storageError(t.reason, 'account');
      throw cbError('CB_ERR_STORAGE_CONNECTION_STRING', { detail: `neither service answered with it (${e.message})` }, t.reason);
    }
    this.#custom = clients;
    return this.connection();
  }

  #clients(): Clients {
    if (this.#custom) return this.#custom;
    const cs = this.emulatorConnection();
    if (!cs) throw cbError('CB_ERR_STORAGE_NOT_CONNECTED', { detail: 'the storage emulator is not running' });
    if (this.#emulator?.connectionString !== cs) this.#emulator = makeClients(cs);
    return this.#emulator;
  }

  #table(name: string): TableClient {
    const c = this.#clients();
    const insecure = (c.summary.tableEndpoint ?? '').startsWith('http:');
    return TableClient.fromConnectionString(c.connectionString, name, { allowInsecureConnection: insecure, retryOptions: { maxRetries: 0 } });
  }

  async listTables(q: z.infer<typeof StorageListQuerySchema>): Promise<{ tables: string[]; continuation: string | null }> {
    const filter = q.prefix ? `TableName ge '${q.prefix.replace(/'/g, "''")}' and TableName lt '${q.prefix.replace(/'/g, "''")}{'` : undefined;
    return guarded('table', async () => {
      const pages = this.#clients().tables.listTables(filter ? { queryOptions: { filter } } : {}).byPage({ maxPageSize: q.top ?? 1000, ...(q.continuation ? { continuationToken: q.continuation } : {}) });
      const page = (await pages.next()).value as (Array<{ name?: string }> & { continuationToken?: string }) | undefined;
      return { tables: (page ?? []).map((t) => t.name ?? ''), continuation: page?.continuationToken ?? null };
    });
  }

  createTable(name: string): Promise<void> {
    return guarded('table', async () => {
      // createTable treats TableAlreadyExists as success; the explorer says so instead.
      let status = 0;
      await this.#clients().tables.createTable(name, { onResponse: (r) => void (status = r.status) });
      if (status === 409) throw cbError('CB_ERR_STORAGE_CONFLICT', { serviceCode: 'TableAlreadyExists', detail: `The table "${name}" already exists.` });
    });
  }

  deleteTable(name: string): Promise<void> {
    return guarded('table', async () => {
      // deleteTable answers a missing table as success; the explorer reports it.
      let status = 0;
      await this.#clients().tables.deleteTable(name, { onResponse: (r) => void (status = r.status) });
      if (status === 404) throw cbError('CB_ERR_STORAGE_NOT_FOUND', { what: 'table', serviceCode: 'TableNotFound', detail: `The table "${name}" does not exist.` });
    });
  }

  async queryEntities(table: string, q: z.infer<typeof StorageEntityQuerySchema>): Promise<{ entities: StorageEntity[]; continuation: string | null }> {
    const select = q.select?.split(',').map((s) => s.trim()).filter(Boolean);
    return guarded('table', async () => {
      let body = '';
      const pages = this.#table(table)
        .listEntities<Record<string, unknown>>({
          disableTypeConversion: true,
          queryOptions: { ...FULL_METADATA, ...(q.filter?.trim() ? { filter: q.filter.trim() } : {}), ...(select?.length ? { select } : {}) },
          onResponse: (r) => void (body = r.bodyAsText ?? ''),
        })
        .byPage({ maxPageSize: q.top ?? 100, ...(q.continuation ? { continuationToken: q.continuation } : {}) });
      const page = (await pages.next()).value as (Array<TableEntityResult<Record<string, unknown>>> & { continuationToken?: string }) | undefined;
      const doubles = doublesPerEntity(body);
      return { entities: (page ?? []).map((e, i) => toEntityView(e, doubles[i])), continuation: page?.continuationToken ?? null };
    });
  }

  getEntity(table: string, key: z.infer<typeof StorageEntityKeySchema>): Promise<StorageEntity> {
    return guarded('entity', async () => {
      let body = '';
      const entity = await this.#table(table).getEntity<Record<string, unknown>>(key.partitionKey, key.rowKey, { disableTypeConversion: true, queryOptions: { ...FULL_METADATA }, onResponse: (r) => void (body = r.bodyAsText ?? '') });
      return toEntityView(entity, doublesPerEntity(body)[0]);
    });
  }

  writeEntity(table: string, b: z.infer<typeof StorageWriteEntitySchema>): Promise<{ etag: string }> {
    const entity = toSdkEntity(b.entity);
    const client = this.#table(table);
    return guarded(
      'entity',
      async () => {
        if (b.mode === 'insert') return { etag: (await client.createEntity(entity)).etag ?? '' };
        const mode = b.mode === 'merge' ? 'Merge' : 'Replace';
        const r = b.etag ? await client.updateEntity(entity, mode, { etag: b.etag }) : await client.upsertEntity(entity, mode);
        return { etag: r.etag ?? '' };
      },
      b.etag,
    );
  }

  deleteEntity(table: string, b: z.infer<typeof StorageDeleteEntitySchema>): Promise<void> {
    return guarded(
      'entity',
      async () => {
        await this.#table(table).deleteEntity(b.partitionKey, b.rowKey, { etag: b.etag ?? '*' });
      },
      b.etag,
    );
  }

  async listQueues(q: z.infer<typeof StorageListQuerySchema>): Promise<{ queues: Array<{ name: string; approximateMessagesCount: number | null }>; continuation: string | null }> {
    return guarded('queue', async () => {
      const service = this.#clients().queues;
      const pages = service.listQueues(q.prefix ? { prefix: q.prefix } : {}).byPage({ maxPageSize: q.top ?? 1000, ...(q.continuation ? { continuationToken: q.continuation } : {}) });
      const page = (await pages.next()).value as { queueItems?: Array<{ name: string }>; continuationToken?: string } | undefined;
      const names = (page?.queueItems ?? []).map((i) => i.name);
      // Counts for a screenful; beyond that the page shows the names alone.
      const counts = await Promise.all(names.map((n, i) => (i < 200 ? service.getQueueClient(n).getProperties().then((p) => p.approximateMessagesCount ?? null, () => null) : Promise.resolve(null))));
      return { queues: names.map((name, i) => ({ name, approximateMessagesCount: counts[i] ?? null })), continuation: page?.continuationToken || null };
    });
  }

  createQueue(name: string): Promise<void> {
    return guarded('queue', async () => {
      const r = await this.#clients().queues.createQueue(name);
      // 204: it was already there (with the same metadata).
      if (r._response.status === 204) throw cbError('CB_ERR_STORAGE_CONFLICT', { serviceCode: 'QueueAlreadyExists', detail: `The queue "${name}" already exists.` });
    });
  }

  deleteQueue(name: string): Promise<void> {
    return guarded('queue', async () => void (await this.#clients().queues.deleteQueue(name)));
  }

  async peek(queue: string, count: number): Promise<{ messages: Array<Message> }> {
    return guarded('queue', async () => {
      const r = await this.#clients().queues.getQueueClient(queue).peekMessages({ numberOfMessages: count });
      return { messages: r.peekedMessageItems.map((m) => ({ messageId: m.messageId, messageText: m.messageText, insertedOn: iso(m.insertedOn), expiresOn: iso(m.expiresOn), dequeueCount: m.dequeueCount })) };
    });
  }

  send(queue: string, b: z.infer<typeof StorageSendSchema>): Promise<Message> {
    return guarded('queue', async () => {
      const r = await this.#clients().queues.getQueueClient(queue).sendMessage(b.text, {
        ...(b.ttlSeconds !== undefined ? { messageTimeToLive: b.ttlSeconds } : {}),
        ...(b.visibilitySeconds !== undefined ? { visibilityTimeout: b.visibilitySeconds } : {}),
      });
      return { messageId: r.messageId, messageText: b.text, insertedOn: iso(r.insertedOn), expiresOn: iso(r.expiresOn), dequeueCount: 0, nextVisibleOn: iso(r.nextVisibleOn) };
    });
  }

  /** Receives and deletes: what a consumer would do, with the dequeue count the receive gave. */
  dequeue(queue: string, b: z.infer<typeof StorageDequeueSchema>): Promise<{ messages: Array<Message> }> {
    return guarded('queue', async () => {
      const client = this.#clients().queues.getQueueClient(queue);
      const r = await client.receiveMessages({ numberOfMessages: b.count ?? 1 });
      for (const m of r.receivedMessageItems) await client.deleteMessage(m.messageId, m.popReceipt);
      return { messages: r.receivedMessageItems.map((m) => ({ messageId: m.messageId, messageText: m.messageText, insertedOn: iso(m.insertedOn), expiresOn: iso(m.expiresOn), dequeueCount: m.dequeueCount })) };
    });
  }

  clear(queue: string): Promise<void> {
    return guarded('queue', async () => void (await this.#clients().queues.getQueueClient(queue).clearMessages()));
  }
}

type Message = z.infer<typeof StorageMessageSchema>;

function iso(d: Date | undefined): string | null {
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : null;
}

export function storageHandlers(workbench: Workbench): Record<Extract<RouteName, `storage${string}`>, Handler> {
  const explorer = new StorageExplorer(() => workbench.options.emulators?.connections.storage);
  const ok = { ok: true as const };
  return {
    storageConnection: () => explorer.connection(),
    storageConnect: ({ body }) => explorer.connect((body as { connectionString?: string | null }).connectionString),
    storageTables: ({ query }) => explorer.listTables(query as z.infer<typeof StorageListQuerySchema>),
    storageCreateTable: async ({ body }) => (await explorer.createTable((body as { name: string }).name), ok),
    storageDeleteTable: async ({ params }) => (await explorer.deleteTable(params.table as string), ok),
    storageEntities: ({ params, query }) => explorer.queryEntities(params.table as string, query as z.infer<typeof StorageEntityQuerySchema>),
    storageEntity: ({ params, query }) => explorer.getEntity(params.table as string, query as z.infer<typeof StorageEntityKeySchema>),
    storageWriteEntity: ({ params, body }) => explorer.writeEntity(params.table as string, body as z.infer<typeof StorageWriteEntitySchema>),
    storageDeleteEntity: async ({ params, body }) => (await explorer.deleteEntity(params.table as string, body as z.infer<typeof StorageDeleteEntitySchema>), ok),
    storageQueues: ({ query }) => explorer.listQueues(query as z.infer<typeof StorageListQuerySchema>),
    storageCreateQueue: async ({ body }) => (await explorer.createQueue((body as { name: string }).name), ok),
    storageDeleteQueue: async ({ params }) => (await explorer.deleteQueue(params.queue as string), ok),
    storagePeek: ({ params, query }) => explorer.peek(params.queue as string, (query as { count?: number }).count ?? 32),
    storageSend: ({ params, body }) => explorer.send(params.queue as string, body as z.infer<typeof StorageSendSchema>),
    storageDequeue: ({ params, body }) => explorer.dequeue(params.queue as string, body as z.infer<typeof StorageDequeueSchema>),
    storageClear: async ({ params }) => (await explorer.clear(params.queue as string), ok),
  };
}
