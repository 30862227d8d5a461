// Opening a service's SQLite database: one file per service under the data folder (tables.sqlite,
// queues.sqlite), or a private in-memory database.
//
// Durability: journal_mode=WAL with synchronous=NORMAL. In WAL mode a commit appends to the -wal file with
// write() before the statement returns, so once the HTTP response is sent the data is in the kernel's page
// cache and survives the emulator being killed (kill -9, a crash): that is the guarantee the emulators give.
// What NORMAL gives up compared with FULL is an fsync per commit, so an OS crash or power cut may lose the
// last commits (never corrupt the database). FULL would cost one fsync, milliseconds on many disks, on every
// write; a development emulator trades that for throughput, as Azurite's 5 s autosave does far more loosely.
// https://www.sqlite.org/pragma.html#pragma_synchronous  https://www.sqlite.org/wal.html
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { cbError } from '../../shared/errors.js';

export type SqliteDatabase = Database.Database;

export function openDatabase(dataDir: string | null, file: string): SqliteDatabase {
  if (dataDir === null) return tune(new Database(':memory:'));
  const target = path.join(dataDir, file);
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const db = new Database(target);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // A second emulator on the same folder would interleave writers; fail fast instead of waiting.
    db.pragma('busy_timeout = 0');
    return tune(db);
  } catch (error) {
    throw cbError('CB_ERR_EMULATORS_DATA_DIR', { path: dataDir, problem: (error as Error).message }, error);
  }
}

function tune(db: SqliteDatabase): SqliteDatabase {
  // Larger page cache (64 MiB) and memory-mapped reads keep 100k-entity scans off the read() path.
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  db.pragma('temp_store = MEMORY');
  return db;
}
