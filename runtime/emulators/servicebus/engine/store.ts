// The persistence contract of the engine (STYLE.md Part 2 §8). The engine keeps its working state (ordered
// available messages, locks, sessions) in memory indexes and writes every acknowledged change through a
// store inside one transaction; at start-up it reads the store back. Two implementations:
// MemoryServiceBusStore (tests, --in-memory) and SqliteServiceBusStore (<data>/servicebus.sqlite).
import type { EntityKind, StoredMessage } from './types.js';

export interface EntityRecord {
  readonly kind: EntityKind;
  /** Lower-case path: `q1`, `t1`, `t1/subscriptions/s1`. */
  readonly key: string;
  /** The entity's info (name, properties, rules, times) as JSON. */
  readonly json: string;
}

export interface SessionRecord {
  readonly entity: string;
  readonly sessionId: string;
  readonly state: Buffer | null;
  readonly updatedAt: number;
}

export interface StoreSnapshot {
  readonly entities: EntityRecord[];
  readonly messages: StoredMessage[];
  readonly sessions: SessionRecord[];
  readonly counters: Record<string, number>;
}

export interface ServiceBusStore {
  /** Everything kept, for the engine to rebuild its indexes. */
  load(): StoreSnapshot;
  /** Runs `fn` so that its writes land together or not at all. Nested calls join the outer one. */
  transaction<T>(fn: () => T): T;
  putEntity(record: EntityRecord): void;
  /** Removes the entity with its messages and session states. */
  deleteEntity(key: string): void;
  putMessage(message: StoredMessage): void;
  deleteMessage(id: number): void;
  putSession(record: SessionRecord): void;
  setCounter(name: string, value: number): void;
  close(): void;
}
