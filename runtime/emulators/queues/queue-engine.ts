// The Queue service's domain logic over its SQLite store. Times are milliseconds since the epoch; `-1` TTL
// means never expires. Receive cost does not depend on queue depth: one index range scan from the first
// visible message. Expired messages are skipped by every read and deleted by purge() off the request path.
// https://learn.microsoft.com/rest/api/storageservices/operations-on-messages
import { randomBytes, randomUUID } from 'node:crypto';
import type { SignedIdentifier } from '../storage/acl.js';
import { domainError } from '../storage/domain-error.js';
import { DEFAULT_SERVICE_PROPERTIES } from '../storage/service-properties.js';
import type { SqliteDatabase } from '../storage/sqlite.js';
import { checkQueueName } from './queue-names.js';
import { createQueueStatements } from './queue-store.js';
import type { MessageRow, QueueRow, QueueStatements } from './queue-store.js';

/** 9999-12-31T23:59:59Z: what Azure reports as the expiry of a message put with messagettl=-1. */
export const NEVER = Date.UTC(9999, 11, 31, 23, 59, 59);

export interface QueueMessage {
  readonly id: string;
  readonly text: string;
  readonly inserted: number;
  readonly expires: number;
  readonly visible: number;
  readonly dequeueCount: number;
  readonly popReceipt?: string;
}

export type Metadata = Record<string, string>;

function toMessage(row: MessageRow, receipt?: string, visible?: number, dequeues?: number): QueueMessage {
  return {
    id: row.mid,
    text: row.body,
    inserted: row.inserted,
    expires: row.expires,
    visible: visible ?? row.visible,
    dequeueCount: dequeues ?? row.dequeues,
    ...(receipt ? { popReceipt: receipt } : {}),
  };
}

// Pop receipts are 12 random bytes. They come from a pool filled 6 KiB at a time: one getrandom() per
// receipt cost more than the rest of a receive (a system call is tens of µs on a VM).
let receiptPool = Buffer.alloc(0);
let receiptOffset = 0;
function newReceipt(): string {
  if (receiptOffset + 12 > receiptPool.length) {
    receiptPool = randomBytes(12 * 512);
    receiptOffset = 0;
  }
  receiptOffset += 12;
  return receiptPool.toString('base64url', receiptOffset - 12, receiptOffset);
}

export class QueueEngine {
  readonly db: SqliteDatabase;
  readonly #st: QueueStatements;
  /** Queue rows by account and name: every message operation resolves its queue. Dropped on every change. */
  readonly #queues = new Map<string, QueueRow>();

  constructor(db: SqliteDatabase) {
    this.db = db;
    this.#st = createQueueStatements(db);
  }

  queue(account: string, name: string): QueueRow {
    const key = `${account}\n${name}`;
    let row = this.#queues.get(key);
    if (row === undefined) {
      row = this.#st.queue.get(account, name);
      if (!row) throw domainError('QueueNotFound', 'The specified queue does not exist.');
      if (this.#queues.size >= 4096) this.#queues.clear();
      this.#queues.set(key, row);
    }
    return row;
  }

  /** After a rolled-back group commit: drop queue rows that may describe undone changes. */
  forgetCaches(): void {
    this.#queues.clear();
  }

  #forget(account: string, name: string): void {
    this.#queues.delete(`${account}\n${name}`);
  }

  /** Returns false when an identical queue already exists (204); a different one is QueueAlreadyExists. */
  createQueue(account: string, name: string, metadata: Metadata): boolean {
    checkQueueName(name);
    const text = JSON.stringify(metadata);
    const existing = this.#st.queue.get(account, name);
    if (existing) {
      if (existing.metadata === text) return false;
      throw domainError('QueueAlreadyExists', 'The specified queue already exists with different metadata.');
    }
    this.#forget(account, name);
    this.db.transaction(() => this.#st.insertQueue.run(account, name, this.#newSet(), text))();
    return true;
  }

  #newSet(): number {
    return (this.#st.newSet.get() as { value: number }).value;
  }

  deleteQueue(account: string, name: string): void {
    const q = this.queue(account, name);
    this.#forget(account, name);
    this.db.transaction(() => {
      this.#st.deleteQueue.run(q.id);
      this.#st.dropSet.run(q.mset);
    })();
  }

  listQueues(account: string, prefix: string, marker: string, max: number): { queues: { name: string; metadata: Metadata }[]; next?: string } {
    const rows = this.#st.list.all({ account, from: marker > prefix ? marker : prefix, prefix, limit: max + 1 });
    const queues = rows.slice(0, max).map((r) => ({ name: r.name, metadata: JSON.parse(r.metadata) as Metadata }));
    return rows.length > max ? { queues, next: (rows[max] as { name: string }).name } : { queues };
  }

  properties(account: string, name: string, now: number): { metadata: Metadata; count: number } {
    const q = this.queue(account, name);
    return { metadata: JSON.parse(q.metadata) as Metadata, count: (this.#st.count.get(q.mset, now) as { n: number }).n };
  }

  setMetadata(account: string, name: string, metadata: Metadata): void {
    this.#st.setMetadata.run(JSON.stringify(metadata), this.queue(account, name).id);
    this.#forget(account, name);
  }

  getAcl(account: string, name: string): SignedIdentifier[] {
    return JSON.parse(this.queue(account, name).acl) as SignedIdentifier[];
  }

  setAcl(account: string, name: string, ids: readonly SignedIdentifier[]): void {
    this.#st.setAcl.run(JSON.stringify(ids), this.queue(account, name).id);
    this.#forget(account, name);
  }

  put(account: string, name: string, text: string, visibilityMs: number, ttlMs: number, now: number): QueueMessage {
    const q = this.queue(account, name);
    // Any positive TTL is allowed; one that reaches past 9999-12-31 expires then, as a TTL of -1 does.
    const expires = ttlMs < 0 ? NEVER : Math.min(now + ttlMs, NEVER);
    const id = randomUUID();
    const receipt = newReceipt();
    this.#st.insert.run(q.mset, id, text, now, expires, now + visibilityMs, receipt);
    return { id, text, inserted: now, expires, visible: now + visibilityMs, dequeueCount: 0, popReceipt: receipt };
  }

  /** Get Messages: the first n visible ones become invisible for visibilityMs, each with a new pop receipt. */
  receive(account: string, name: string, n: number, visibilityMs: number, now: number): QueueMessage[] {
    const q = this.queue(account, name);
    if (n === 1) {
      // One statement, so no transaction of its own: about a third of a receive's time in the store.
      const row = this.#st.receiveOne.get(now + visibilityMs, newReceipt(), q.mset, now, now);
      return row ? [toMessage(row, row.receipt ?? undefined)] : [];
    }
    return this.db.transaction(() =>
      this.#st.visible.all(q.mset, now, now, n).map((row) => {
        const receipt = newReceipt();
        this.#st.receive.run(now + visibilityMs, receipt, row.seq);
        return toMessage(row, receipt, now + visibilityMs, row.dequeues + 1);
      }),
    )();
  }

  peek(account: string, name: string, n: number, now: number): QueueMessage[] {
    const q = this.queue(account, name);
    return this.#st.visible.all(q.mset, now, now, n).map((row) => toMessage(row));
  }

  #owned(account: string, name: string, id: string, popReceipt: string, now: number): MessageRow {
    const q = this.queue(account, name);
    const row = this.#st.byId.get(id, q.mset);
    if (!row || row.expires <= now) throw domainError('MessageNotFound', 'The specified message does not exist.');
    if (row.receipt !== popReceipt) throw domainError('PopReceiptMismatch', 'The specified pop receipt did not match the pop receipt for a dequeued message.');
    return row;
  }

  update(account: string, name: string, id: string, popReceipt: string, visibilityMs: number, text: string | undefined, now: number): { popReceipt: string; visible: number } {
    return this.db.transaction(() => {
      const row = this.#owned(account, name, id, popReceipt, now);
      const receipt = newReceipt();
      this.#st.update.run(now + visibilityMs, receipt, text ?? row.body, row.seq);
      return { popReceipt: receipt, visible: now + visibilityMs };
    })();
  }

  deleteMessage(account: string, name: string, id: string, popReceipt: string, now: number): void {
    const row = this.#owned(account, name, id, popReceipt, now);
    this.#st.remove.run(row.seq);
  }

  /** Clear Messages in O(1): the queue gets a new, empty message set; the old one is purged later. */
  clear(account: string, name: string): void {
    const q = this.queue(account, name);
    this.#forget(account, name);
    this.db.transaction(() => {
      this.#st.dropSet.run(q.mset);
      this.#st.setSet.run(this.#newSet(), q.id);
    })();
  }

  /** Deletes up to `batch` expired or dropped messages; returns whether more work remains. */
  purge(now: number, batch: number): boolean {
    const expired = this.#st.purgeExpired.run(now, batch).changes;
    const dropped = this.#st.nextDropped.get();
    if (dropped) {
      const { changes } = this.#st.purgeSet.run(dropped.mset, batch);
      if (changes < batch) this.#st.forgetDropped.run(dropped.mset);
    }
    return expired === batch || dropped !== undefined;
  }

  serviceProperties(account: string): string {
    return this.#st.getService.get(account)?.properties ?? DEFAULT_SERVICE_PROPERTIES;
  }

  setServiceProperties(account: string, xml: string): void {
    this.#st.setService.run(account, xml);
  }
}
