// SQLite persistence (better-sqlite3, WAL) in <data>/servicebus.sqlite. WAL with synchronous=NORMAL makes a
// committed transaction survive the process being killed (kill -9); only an OS crash or power loss can
// lose the last commits, which is the trade the storage emulators make too (DESIGN.md §6). Statements are
// prepared once; every engine operation is one transaction.
import Database from 'better-sqlite3';
import type { EntityRecord, ServiceBusStore, SessionRecord, StoreSnapshot } from './store.js';
import { fromRow, toRow, type MessageRow } from './message-codec.js';
import type { EntityKind, StoredMessage } from './types.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entities (key TEXT PRIMARY KEY, kind TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY, entity TEXT NOT NULL, meta TEXT NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS messages_entity ON messages (entity);
CREATE TABLE IF NOT EXISTS sessions (entity TEXT NOT NULL, session_id TEXT NOT NULL, state BLOB, updated_at INTEGER NOT NULL,
  PRIMARY KEY (entity, session_id));
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export class SqliteServiceBusStore implements ServiceBusStore {
  readonly #db: Database.Database;
  readonly #stmt;

  /** Opens (or creates) the database file; throws the driver's error for an unusable path. */
  constructor(file: string) {
    this.#db = new Database(file);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.exec(SCHEMA);
    const db = this.#db;
    this.#stmt = {
      putEntity: db.prepare('INSERT OR REPLACE INTO entities (key, kind, json) VALUES (?, ?, ?)'),
      deleteEntity: db.prepare('DELETE FROM entities WHERE key = ?'),
      deleteEntityMessages: db.prepare('DELETE FROM messages WHERE entity = ?'),
      deleteEntitySessions: db.prepare('DELETE FROM sessions WHERE entity = ?'),
      putMessage: db.prepare('INSERT OR REPLACE INTO messages (id, entity, meta, body) VALUES (?, ?, ?, ?)'),
      deleteMessage: db.prepare('DELETE FROM messages WHERE id = ?'),
      putSession: db.prepare('INSERT OR REPLACE INTO sessions (entity, session_id, state, updated_at) VALUES (?, ?, ?, ?)'),
      deleteSession: db.prepare('DELETE FROM sessions WHERE entity = ? AND session_id = ?'),
      setCounter: db.prepare('INSERT OR REPLACE INTO counters (name, value) VALUES (?, ?)'),
    };
  }

  load(): StoreSnapshot {
    const entities = this.#db.prepare('SELECT key, kind, json FROM entities').all() as { key: string; kind: EntityKind; json: string }[];
    const rows = this.#db.prepare('SELECT id, entity, meta, body FROM messages ORDER BY id').all() as MessageRow[];
    const sessions = (this.#db.prepare('SELECT entity, session_id, state, updated_at FROM sessions').all() as {
      entity: string;
      session_id: string;
      state: Buffer | null;
      updated_at: number;
    }[]).map((s) => ({ entity: s.entity, sessionId: s.session_id, state: s.state, updatedAt: s.updated_at }));
    const counters = Object.fromEntries(
      (this.#db.prepare('SELECT name, value FROM counters').all() as { name: string; value: number }[]).map((c) => [c.name, c.value]),
    );
    return { entities, messages: rows.map(fromRow), sessions, counters };
  }

  transaction<T>(fn: () => T): T {
    // better-sqlite3 turns a nested transaction() into a savepoint, so nesting joins the outer commit.
    return this.#db.transaction(fn)();
  }

  putEntity(record: EntityRecord): void {
    this.#stmt.putEntity.run(record.key, record.kind, record.json);
  }

  deleteEntity(key: string): void {
    this.#stmt.deleteEntity.run(key);
    this.#stmt.deleteEntityMessages.run(key);
    this.#stmt.deleteEntitySessions.run(key);
  }

  putMessage(message: StoredMessage): void {
    const row = toRow(message);
    this.#stmt.putMessage.run(row.id, row.entity, row.meta, row.body);
  }

  deleteMessage(id: number): void {
    this.#stmt.deleteMessage.run(id);
  }

  putSession(record: SessionRecord): void {
    if (record.state === null) this.#stmt.deleteSession.run(record.entity, record.sessionId);
    else this.#stmt.putSession.run(record.entity, record.sessionId, record.state, record.updatedAt);
  }

  setCounter(name: string, value: number): void {
    this.#stmt.setCounter.run(name, value);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
