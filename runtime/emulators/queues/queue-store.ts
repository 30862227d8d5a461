// SQLite schema and statements of the Queue service (queues.sqlite).
//   queues    one row per queue; `mset` names the set of messages it currently holds. Clear Messages and
//             Delete Queue switch or drop the set in O(1) and leave the old rows to the background purge,
//             so neither is a long DELETE on the request path
//   messages  `seq` is the insertion order; the index (mset, visible, seq) makes Get Messages a range scan
//             that starts at the first visible message, whatever the queue depth; (expires) lets the purge
//             find expired messages without a scan
//   dropped   message sets waiting for the purge
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from '../storage/sqlite.js';

/** Named so the declaration emit can refer to it. */
export type PreparedStatement<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS queues (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  name TEXT NOT NULL,
  mset INTEGER NOT NULL,
  metadata TEXT NOT NULL DEFAULT '{}',
  acl TEXT NOT NULL DEFAULT '[]',
  UNIQUE (account, name)
);
CREATE TABLE IF NOT EXISTS messages (
  seq INTEGER PRIMARY KEY,
  mset INTEGER NOT NULL,
  mid TEXT NOT NULL UNIQUE,
  body TEXT NOT NULL,
  inserted INTEGER NOT NULL,
  expires INTEGER NOT NULL,
  visible INTEGER NOT NULL,
  dequeues INTEGER NOT NULL DEFAULT 0,
  receipt TEXT
);
CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages (mset, visible, seq);
CREATE INDEX IF NOT EXISTS messages_by_expiry ON messages (expires);
CREATE TABLE IF NOT EXISTS dropped (mset INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO counters VALUES ('mset', 0);
CREATE TABLE IF NOT EXISTS service (account TEXT PRIMARY KEY, properties TEXT NOT NULL);
`;

export interface QueueRow {
  readonly id: number;
  readonly name: string;
  readonly mset: number;
  readonly metadata: string;
  readonly acl: string;
}

export interface MessageRow {
  readonly seq: number;
  readonly mid: string;
  readonly body: string;
  readonly inserted: number;
  readonly expires: number;
  readonly visible: number;
  readonly dequeues: number;
  readonly receipt: string | null;
}

export interface QueueStatements {
  readonly queue: PreparedStatement<[string, string], QueueRow>;
  readonly newSet: PreparedStatement<[], { value: number }>;
  readonly insertQueue: PreparedStatement<[string, string, number, string], unknown>;
  readonly deleteQueue: PreparedStatement<[number], unknown>;
  readonly setSet: PreparedStatement<[number, number], unknown>;
  readonly dropSet: PreparedStatement<[number], unknown>;
  readonly setMetadata: PreparedStatement<[string, number], unknown>;
  readonly setAcl: PreparedStatement<[string, number], unknown>;
  readonly list: PreparedStatement<[{ account: string; from: string; prefix: string; limit: number }], { name: string; metadata: string }>;
  readonly count: PreparedStatement<[number, number], { n: number }>;
  readonly insert: PreparedStatement<[number, string, string, number, number, number, string], unknown>;
  readonly visible: PreparedStatement<[number, number, number, number], MessageRow>;
  readonly receive: PreparedStatement<[number, string, number], unknown>;
  /** The first visible message made invisible in one statement (a receive of one message: the common case). */
  readonly receiveOne: PreparedStatement<[number, string, number, number, number], MessageRow>;
  readonly byId: PreparedStatement<[string, number], MessageRow>;
  readonly update: PreparedStatement<[number, string, string, number], unknown>;
  readonly remove: PreparedStatement<[number], unknown>;
  readonly purgeExpired: PreparedStatement<[number, number], unknown>;
  readonly nextDropped: PreparedStatement<[], { mset: number }>;
  readonly purgeSet: PreparedStatement<[number, number], unknown>;
  readonly forgetDropped: PreparedStatement<[number], unknown>;
  readonly getService: PreparedStatement<[string], { properties: string }>;
  readonly setService: PreparedStatement<[string, string], unknown>;
}

export function createQueueStatements(db: SqliteDatabase): QueueStatements {
  db.exec(SCHEMA);
  return {
    queue: db.prepare<[string, string], QueueRow>('SELECT id, name, mset, metadata, acl FROM queues WHERE account = ? AND name = ?'),
    newSet: db.prepare<[], { value: number }>("UPDATE counters SET value = value + 1 WHERE name = 'mset' RETURNING value"),
    insertQueue: db.prepare<[string, string, number, string]>('INSERT INTO queues (account, name, mset, metadata) VALUES (?, ?, ?, ?)'),
    deleteQueue: db.prepare<[number]>('DELETE FROM queues WHERE id = ?'),
    setSet: db.prepare<[number, number]>('UPDATE queues SET mset = ? WHERE id = ?'),
    dropSet: db.prepare<[number]>('INSERT OR IGNORE INTO dropped (mset) VALUES (?)'),
    setMetadata: db.prepare<[string, number]>('UPDATE queues SET metadata = ? WHERE id = ?'),
    setAcl: db.prepare<[string, number]>('UPDATE queues SET acl = ? WHERE id = ?'),
    list: db.prepare<[{ account: string; from: string; prefix: string; limit: number }], { name: string; metadata: string }>(
      'SELECT name, metadata FROM queues WHERE account = @account AND name >= @from AND substr(name, 1, length(@prefix)) = @prefix ORDER BY name LIMIT @limit',
    ),
    count: db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM messages WHERE mset = ? AND expires > ?'),
    insert: db.prepare<[number, string, string, number, number, number, string]>('INSERT INTO messages (mset, mid, body, inserted, expires, visible, receipt) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    visible: db.prepare<[number, number, number, number], MessageRow>(
      'SELECT seq, mid, body, inserted, expires, visible, dequeues, receipt FROM messages WHERE mset = ? AND visible <= ? AND expires > ? ORDER BY visible, seq LIMIT ?',
    ),
    receive: db.prepare<[number, string, number]>('UPDATE messages SET visible = ?, receipt = ?, dequeues = dequeues + 1 WHERE seq = ?'),
    receiveOne: db.prepare<[number, string, number, number, number], MessageRow>(
      'UPDATE messages SET visible = ?, receipt = ?, dequeues = dequeues + 1 WHERE seq = ' +
        '(SELECT seq FROM messages WHERE mset = ? AND visible <= ? AND expires > ? ORDER BY visible, seq LIMIT 1) ' +
        'RETURNING seq, mid, body, inserted, expires, visible, dequeues, receipt',
    ),
    byId: db.prepare<[string, number], MessageRow>('SELECT seq, mid, body, inserted, expires, visible, dequeues, receipt FROM messages WHERE mid = ? AND mset = ?'),
    update: db.prepare<[number, string, string, number]>('UPDATE messages SET visible = ?, receipt = ?, body = ? WHERE seq = ?'),
    remove: db.prepare<[number]>('DELETE FROM messages WHERE seq = ?'),
    purgeExpired: db.prepare<[number, number]>('DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE expires <= ? LIMIT ?)'),
    nextDropped: db.prepare<[], { mset: number }>('SELECT mset FROM dropped LIMIT 1'),
    purgeSet: db.prepare<[number, number]>('DELETE FROM messages WHERE seq IN (SELECT seq FROM messages WHERE mset = ? LIMIT ?)'),
    forgetDropped: db.prepare<[number]>('DELETE FROM dropped WHERE mset = ?'),
    getService: db.prepare<[string], { properties: string }>('SELECT properties FROM service WHERE account = ?'),
    setService: db.prepare<[string, string]>('INSERT INTO service (account, properties) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET properties = excluded.properties'),
  };
}

