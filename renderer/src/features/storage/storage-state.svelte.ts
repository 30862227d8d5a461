// The Storage explorer's state: the connection, the tables and the page of entities shown, the queues and
// the messages peeked or dequeued. Every call goes through the control API (the runtime talks to storage
// with the SDKs); a failure is kept beside the pane it belongs to, with the catalogue's message and fix.
import { errorInfo } from '../../lib/api';
import type { Api } from '../../lib/api';
import type { z } from 'zod';
import type { ErrorInfoMessage, StorageConnection, StorageEntity, StorageMessageSchema } from '../../lib/protocol';

export type Message = z.infer<typeof StorageMessageSchema>;
type Queue = { name: string; approximateMessagesCount: number | null };

export interface EntityQuery {
  filter: string;
  select: string;
  top: number;
}

export class StorageState {
  connection = $state.raw<StorageConnection | null>(null);
  connectionError = $state.raw<ErrorInfoMessage | null>(null);

  tables = $state.raw<readonly string[]>([]);
  tablesError = $state.raw<ErrorInfoMessage | null>(null);
  table = $state<string | null>(null);

  /** The page shown: never the whole table. */
  entities = $state.raw<readonly StorageEntity[]>([]);
  /** Tokens of the pages before this one (for Previous) and of the next one. */
  #pageTokens: (string | undefined)[] = [];
  pageIndex = $state(0);
  nextToken = $state<string | null>(null);
  query = $state<EntityQuery>({ filter: '', select: '', top: 100 });
  entitiesError = $state.raw<ErrorInfoMessage | null>(null);
  loading = $state(false);

  queues = $state.raw<readonly Queue[]>([]);
  queuesError = $state.raw<ErrorInfoMessage | null>(null);
  queue = $state<string | null>(null);
  messages = $state.raw<readonly Message[]>([]);
  /** What the last dequeue took (deleted), shown with its dequeue count. */
  dequeued = $state.raw<readonly Message[]>([]);
  messagesError = $state.raw<ErrorInfoMessage | null>(null);

  constructor(private readonly api: Api) {}

  /** Runs a call and files its failure under `slot`; resolves true when it worked. */
  async #run(slot: 'connectionError' | 'tablesError' | 'entitiesError' | 'queuesError' | 'messagesError', work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      this[slot] = null;
      return true;
    } catch (err) {
      this[slot] = errorInfo(err);
      return false;
    }
  }

  load = async (): Promise<void> => {
    await this.#run('connectionError', async () => {
      this.connection = await this.api.storageConnection();
    });
    if (this.connection && !this.connection.unavailable) await Promise.all([this.loadTables(), this.loadQueues()]);
  };

  connect = async (connectionString: string | null): Promise<boolean> => {
    const ok = await this.#run('connectionError', async () => {
      this.connection = await this.api.storageConnect({ body: { connectionString } });
    });
    if (ok) {
      this.table = null;
      this.queue = null;
      this.entities = [];
      this.messages = [];
      this.dequeued = [];
      await Promise.all([this.loadTables(), this.loadQueues()]);
    }
    return ok;
  };

  // ---- tables ---------------------------------------------------------------------------------------------

  loadTables = (): Promise<boolean> =>
    this.#run('tablesError', async () => {
      const names: string[] = [];
      let continuation: string | undefined;
      // Table lists are short; a few pages at most.
      for (let i = 0; i < 10; i++) {
        const page = await this.api.storageTables({ query: { top: 1000, continuation } });
        names.push(...page.tables);
        if (!page.continuation) break;
        continuation = page.continuation;
      }
      this.tables = names;
    });

  createTable = async (name: string): Promise<boolean> => {
    const ok = await this.#run('tablesError', async () => void (await this.api.storageCreateTable({ body: { name } })));
    if (ok) {
      await this.loadTables();
      await this.openTable(name);
    }
    return ok;
  };

  deleteTable = async (name: string): Promise<void> => {
    const ok = await this.#run('tablesError', async () => void (await this.api.storageDeleteTable({ params: { table: name } })));
    if (ok && this.table === name) {
      this.table = null;
      this.entities = [];
    }
    if (ok) await this.loadTables();
  };

  openTable = async (name: string): Promise<void> => {
    this.table = name;
    this.entities = [];
    await this.runQuery();
  };

  /** Runs the query from its first page. */
  runQuery = async (query: EntityQuery = this.query): Promise<void> => {
    this.query = query;
    this.#pageTokens = [undefined];
    this.pageIndex = 0;
    await this.#loadPage(undefined);
  };

  nextPage = async (): Promise<void> => {
    if (!this.nextToken) return;
    const token = this.nextToken;
    this.#pageTokens[this.pageIndex + 1] = token;
    if (await this.#loadPage(token)) this.pageIndex++;
  };

  previousPage = async (): Promise<void> => {
    if (this.pageIndex === 0) return;
    if (await this.#loadPage(this.#pageTokens[this.pageIndex - 1])) this.pageIndex--;
  };

  reloadPage = (): Promise<boolean> => this.#loadPage(this.#pageTokens[this.pageIndex]);

  async #loadPage(continuation: string | undefined): Promise<boolean> {
    const table = this.table;
    if (!table) return false;
    this.loading = true;
    try {
      return await this.#run('entitiesError', async () => {
        const q = this.query;
        const page = await this.api.storageEntities({
          params: { table },
          query: { filter: q.filter.trim() || undefined, select: q.select.trim() || undefined, top: q.top, continuation },
        });
        this.entities = page.entities;
        this.nextToken = page.continuation;
      });
    } finally {
      this.loading = false;
    }
  }

  /** Writes an entity; on failure the error is returned for the editor to show (412: changed since loaded). */
  writeEntity = async (entity: Pick<StorageEntity, 'partitionKey' | 'rowKey' | 'properties'>, mode: 'insert' | 'replace' | 'merge', etag?: string): Promise<ErrorInfoMessage | null> => {
    const table = this.table;
    if (!table) return null;
    try {
      await this.api.storageWriteEntity({ params: { table }, body: { entity, mode, ...(etag ? { etag } : {}) } });
    } catch (err) {
      return errorInfo(err);
    }
    await this.reloadPage();
    return null;
  };

  deleteEntity = async (e: StorageEntity): Promise<ErrorInfoMessage | null> => {
    const table = this.table;
    if (!table) return null;
    try {
      await this.api.storageDeleteEntity({ params: { table }, body: { partitionKey: e.partitionKey, rowKey: e.rowKey, ...(e.etag ? { etag: e.etag } : {}) } });
    } catch (err) {
      return errorInfo(err);
    }
    await this.reloadPage();
    return null;
  };

  // ---- queues ---------------------------------------------------------------------------------------------

  loadQueues = (): Promise<boolean> =>
    this.#run('queuesError', async () => {
      this.queues = (await this.api.storageQueues({ query: { top: 1000 } })).queues;
    });

  createQueue = async (name: string): Promise<boolean> => {
    const ok = await this.#run('queuesError', async () => void (await this.api.storageCreateQueue({ body: { name } })));
    if (ok) {
      await this.loadQueues();
      await this.openQueue(name);
    }
    return ok;
  };

  deleteQueue = async (name: string): Promise<void> => {
    const ok = await this.#run('queuesError', async () => void (await this.api.storageDeleteQueue({ params: { queue: name } })));
    if (ok && this.queue === name) {
      this.queue = null;
      this.messages = [];
    }
    if (ok) await this.loadQueues();
  };

  openQueue = async (name: string): Promise<void> => {
    this.queue = name;
    this.dequeued = [];
    await this.peek();
  };

  peek = async (): Promise<void> => {
    const queue = this.queue;
    if (!queue) return;
    await this.#run('messagesError', async () => {
      this.messages = (await this.api.storagePeek({ params: { queue }, query: { count: 32 } })).messages;
    });
  };

  #afterChange = async (): Promise<void> => {
    await this.peek();
    await this.loadQueues();
  };

  send = async (text: string, ttlSeconds: number | undefined, visibilitySeconds: number | undefined): Promise<boolean> => {
    const queue = this.queue;
    if (!queue) return false;
    const ok = await this.#run('messagesError', async () => void (await this.api.storageSend({ params: { queue }, body: { text, ttlSeconds, visibilitySeconds } })));
    if (ok) await this.#afterChange();
    return ok;
  };

  dequeue = async (): Promise<void> => {
    const queue = this.queue;
    if (!queue) return;
    const ok = await this.#run('messagesError', async () => {
      this.dequeued = (await this.api.storageDequeue({ params: { queue }, body: { count: 1 } })).messages;
    });
    if (ok) await this.#afterChange();
  };

  clear = async (): Promise<void> => {
    const queue = this.queue;
    if (!queue) return;
    const ok = await this.#run('messagesError', async () => void (await this.api.storageClear({ params: { queue } })));
    if (ok) await this.#afterChange();
  };
}
