// The in-memory store: copies of what the engine writes, kept in maps. An engine re-opened on the same
// instance finds its state again, which is how the engine tests check restarts against both stores.
// Messages are kept as shallow copies (bodies are never mutated, properties are copied), not serialized:
// JSON per message was most of the cost of a send in memory.
import type { EntityRecord, ServiceBusStore, SessionRecord, StoreSnapshot } from './store.js';
import type { StoredMessage } from './types.js';

function copy(m: StoredMessage): StoredMessage {
  const c: StoredMessage = { ...m, applicationProperties: { ...m.applicationProperties } };
  if (m.annotations) c.annotations = { ...m.annotations };
  // Locks never survive a restart (as with SQLite, which does not store them).
  delete c.lockToken;
  delete c.lockedUntil;
  return c;
}

export class MemoryServiceBusStore implements ServiceBusStore {
  readonly #entities = new Map<string, EntityRecord>();
  readonly #messages = new Map<number, StoredMessage>();
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #counters = new Map<string, number>();

  load(): StoreSnapshot {
    return {
      entities: [...this.#entities.values()],
      messages: [...this.#messages.values()].sort((a, b) => a.id - b.id).map(copy),
      sessions: [...this.#sessions.values()],
      counters: Object.fromEntries(this.#counters),
    };
  }

  transaction<T>(fn: () => T): T {
    return fn();
  }

  putEntity(record: EntityRecord): void {
    this.#entities.set(record.key, record);
  }

  deleteEntity(key: string): void {
    this.#entities.delete(key);
    for (const [id, m] of this.#messages) if (m.entity === key) this.#messages.delete(id);
    for (const [k, s] of this.#sessions) if (s.entity === key) this.#sessions.delete(k);
  }

  putMessage(message: StoredMessage): void {
    this.#messages.set(message.id, copy(message));
  }

  deleteMessage(id: number): void {
    this.#messages.delete(id);
  }

  putSession(record: SessionRecord): void {
    const key = `${record.entity}\u0000${record.sessionId}`;
    if (record.state === null) this.#sessions.delete(key);
    else this.#sessions.set(key, record);
  }

  setCounter(name: string, value: number): void {
    this.#counters.set(name, value);
  }

  close(): void {}
}
