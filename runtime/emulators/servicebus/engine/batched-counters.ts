// Sequence and id counters change with every message; writing them row by row would double the writes of
// a send. This wrapper keeps counter updates in memory during a transaction and writes each counter once,
// inside the same transaction, just before it commits (so a crash never leaves a counter behind the
// messages that used it). Outside a transaction a counter is written at once.
import type { EntityRecord, ServiceBusStore, SessionRecord, StoreSnapshot } from './store.js';
import type { StoredMessage } from './types.js';

export class BatchedCounterStore implements ServiceBusStore {
  readonly #pending = new Map<string, number>();
  #depth = 0;

  constructor(private readonly inner: ServiceBusStore) {}

  load(): StoreSnapshot {
    return this.inner.load();
  }

  transaction<T>(fn: () => T): T {
    if (this.#depth > 0) return fn();
    return this.inner.transaction(() => {
      this.#depth++;
      try {
        return fn();
      } finally {
        this.#depth--;
        for (const [name, value] of this.#pending) this.inner.setCounter(name, value);
        this.#pending.clear();
      }
    });
  }

  setCounter(name: string, value: number): void {
    if (this.#depth > 0) this.#pending.set(name, value);
    else this.inner.setCounter(name, value);
  }

  putEntity(record: EntityRecord): void {
    this.inner.putEntity(record);
  }

  deleteEntity(key: string): void {
    this.inner.deleteEntity(key);
  }

  putMessage(message: StoredMessage): void {
    this.inner.putMessage(message);
  }

  deleteMessage(id: number): void {
    this.inner.deleteMessage(id);
  }

  putSession(record: SessionRecord): void {
    this.inner.putSession(record);
  }

  close(): void {
    this.inner.close();
  }
}
