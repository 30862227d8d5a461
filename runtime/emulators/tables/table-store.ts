// SQLite schema and statements of the Table service (tables.sqlite).
//   tables    one row per table; `key` is the lower-cased name (table names are case-insensitive, and
//             keep the case they were created with)
//   entities  WITHOUT ROWID, primary key (tid, pk, rk): the rows of a table are stored in key order, so a
//             partition or a key range is one contiguous B-tree range and a page is read in O(page)
//   dropped   tables deleted but whose entities are still being removed (in the background, in small
//             batches: deleting a 100k-entity table must not stall requests)
//   service   per-account service properties (XML as the client set it)
// Properties are JSONB (binary JSON, SQLite ≥ 3.45): json_extract reads a field without parsing the document.
import type Database from 'better-sqlite3';
import type { SqliteDatabase } from '../storage/sqlite.js';

/** Named so the declaration emit can refer to it. */
export type PreparedStatement<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tables (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  acl TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX IF NOT EXISTS tables_by_key ON tables (account, key);
CREATE INDEX IF NOT EXISTS tables_by_name ON tables (account, name);
CREATE TABLE IF NOT EXISTS entities (
  tid INTEGER NOT NULL,
  pk TEXT NOT NULL,
  rk TEXT NOT NULL,
  ts TEXT NOT NULL,
  props BLOB NOT NULL,
  PRIMARY KEY (tid, pk, rk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dropped (tid INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS service (account TEXT PRIMARY KEY, properties TEXT NOT NULL);
`;

export interface EntityRow {
  readonly pk: string;
  readonly rk: string;
  readonly ts: string;
  /** JSON text of the custom properties. */
  readonly props: string;
}

export interface TableStatements {
  readonly tableByKey: PreparedStatement<[string, string], { id: number; name: string; acl: string }>;
  readonly insertTable: PreparedStatement<[string, string, string], unknown>;
  readonly deleteTable: PreparedStatement<[number], unknown>;
  readonly markDropped: PreparedStatement<[number], unknown>;
  readonly setAcl: PreparedStatement<[string, number], unknown>;
  readonly getEntity: PreparedStatement<[number, string, string], EntityRow>;
  readonly entityTs: PreparedStatement<[number, string, string], { ts: string }>;
  readonly insertEntity: PreparedStatement<[number, string, string, string, string], unknown>;
  readonly upsertEntity: PreparedStatement<[number, string, string, string, string], unknown>;
  readonly mergeEntity: PreparedStatement<[string, string, number, string, string], unknown>;
  readonly mergedShape: PreparedStatement<[number, string, string], { count: number; bytes: number }>;
  readonly deleteEntity: PreparedStatement<[number, string, string], unknown>;
  readonly nextDropped: PreparedStatement<[], { tid: number }>;
  readonly purgeBatch: PreparedStatement<[number, number, number], unknown>;
  readonly forgetDropped: PreparedStatement<[number], unknown>;
  readonly getService: PreparedStatement<[string], { properties: string }>;
  readonly setService: PreparedStatement<[string, string], unknown>;
}

export function createTableStatements(db: SqliteDatabase): TableStatements {
  db.exec(SCHEMA);
  return {
    tableByKey: db.prepare<[string, string], { id: number; name: string; acl: string }>('SELECT id, name, acl FROM tables WHERE account = ? AND key = ?'),
    // The id is never one still waiting in `dropped`: SQLite would otherwise reuse the id of a just-deleted
    // newest table, and the background purge would then delete the new table's entities.
    insertTable: db.prepare<[string, string, string]>(
      'INSERT INTO tables (id, account, key, name) VALUES ((SELECT max(coalesce((SELECT max(id) FROM tables), 0), coalesce((SELECT max(tid) FROM dropped), 0)) + 1), ?, ?, ?)',
    ),
    deleteTable: db.prepare<[number]>('DELETE FROM tables WHERE id = ?'),
    markDropped: db.prepare<[number]>('INSERT OR IGNORE INTO dropped (tid) VALUES (?)'),
    setAcl: db.prepare<[string, number]>('UPDATE tables SET acl = ? WHERE id = ?'),
    getEntity: db.prepare<[number, string, string], EntityRow>('SELECT pk, rk, ts, json(props) AS props FROM entities WHERE tid = ? AND pk = ? AND rk = ?'),
    entityTs: db.prepare<[number, string, string], { ts: string }>('SELECT ts FROM entities WHERE tid = ? AND pk = ? AND rk = ?'),
    insertEntity: db.prepare<[number, string, string, string, string]>('INSERT INTO entities (tid, pk, rk, ts, props) VALUES (?, ?, ?, ?, jsonb(?))'),
    upsertEntity: db.prepare<[number, string, string, string, string]>(
      'INSERT INTO entities (tid, pk, rk, ts, props) VALUES (?, ?, ?, ?, jsonb(?)) ON CONFLICT (tid, pk, rk) DO UPDATE SET ts = excluded.ts, props = excluded.props',
    ),
    mergeEntity: db.prepare<[string, string, number, string, string]>('UPDATE entities SET ts = ?, props = jsonb_patch(props, ?) WHERE tid = ? AND pk = ? AND rk = ?'),
    mergedShape: db.prepare<[number, string, string], { count: number; bytes: number }>(
      "SELECT (SELECT count(*) FROM json_each(e.props) WHERE key NOT LIKE '%@odata.type') AS count, length(json(e.props)) AS bytes FROM entities e WHERE tid = ? AND pk = ? AND rk = ?",
    ),
    deleteEntity: db.prepare<[number, string, string]>('DELETE FROM entities WHERE tid = ? AND pk = ? AND rk = ?'),
    nextDropped: db.prepare<[], { tid: number }>('SELECT tid FROM dropped LIMIT 1'),
    purgeBatch: db.prepare<[number, number, number]>('DELETE FROM entities WHERE tid = ? AND (pk, rk) IN (SELECT pk, rk FROM entities WHERE tid = ? LIMIT ?)'),
    forgetDropped: db.prepare<[number]>('DELETE FROM dropped WHERE tid = ?'),
    getService: db.prepare<[string], { properties: string }>('SELECT properties FROM service WHERE account = ?'),
    setService: db.prepare<[string, string]>('INSERT INTO service (account, properties) VALUES (?, ?) ON CONFLICT (account) DO UPDATE SET properties = excluded.properties'),
  };
}

