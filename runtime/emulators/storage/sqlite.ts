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

/**
 * `scanPages`: an in-memory database of rows that filters scan (the tables) gets 64 KiB pages, which a scan
 * reads fewer and fuller of: about a fifth faster per 100k rows, for ~3 µs more per insert. Not the queues
 * (their inserts, updates and deletes got ~15 % slower in the benchmark), and not on disk, where every commit
 * writes whole pages to the WAL.
 */
export function openDatabase(dataDir: string | null, file: string, options: { scanPages?: boolean } = {}): SqliteDatabase {
  if (dataDir === null) {
    const db = new Database(':memory:');
    if (options.scanPages) db.pragma('page_size = 65536');
    return tune(db);
  }
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

/**
 * One emulator process per data folder: the engines cache rows (tables, queues) and commit in groups, which a
 * second process writing the same files would invalidate behind their back. `storage.lock` holds the owner's
 * pid; a lock whose process is gone is taken over. Returns the release function.
 */
const lockedHere = new Set<string>();

export function lockDataDir(dataDir: string): () => void {
  const file = path.join(path.resolve(dataDir), 'storage.lock');
  if (lockedHere.has(file)) throw cbError('CB_ERR_EMULATORS_DATA_DIR', { path: dataDir, problem: 'another emulator in this process is using it' });
  try {
    fs.mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw cbError('CB_ERR_EMULATORS_DATA_DIR', { path: dataDir, problem: (error as Error).message }, error);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      lockedHere.add(file);
      return () => {
        lockedHere.delete(file);
        fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw cbError('CB_ERR_EMULATORS_DATA_DIR', { path: dataDir, problem: (error as Error).message }, error);
      const owner = Number(fs.readFileSync(file, 'utf8').trim());
      // Our own pid in a lock we do not hold: left by an earlier process that had our pid, so stale.
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw cbError('CB_ERR_EMULATORS_DATA_DIR', { path: dataDir, problem: `another emulator (process ${owner}) is using it; ${file} names it` });
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw cbError('CB_ERR_EMULATORS_DATA_DIR', { path: dataDir, problem: `${file} could not be taken` });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
