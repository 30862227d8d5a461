// Group commit for an on-disk service database: the requests handled in one turn of the event loop share one
// SQLite transaction, committed once after the turn (setImmediate), and their responses are sent only after
// that commit. Each commit costs a write() of the changed pages to the WAL; with several clients in flight a
// turn often handles many requests, and one commit instead of one per request is most of the difference
// between the on-disk and the in-memory emulator under load.
// Nothing is acknowledged before it is committed, so an acknowledged write still survives kill -9
// (sqlite.ts). A request's own atomicity is unchanged: a statement that fails is undone alone, and the engines'
// multi-statement operations (batches, receives) run as savepoints inside the turn's transaction.
// Reads in the same turn see the turn's earlier writes, which is what they would see one after the other;
// their answers wait for the commit too, so nothing uncommitted is ever shown. If the commit fails (a full
// disk), the turn is rolled back and every request of it is answered with the error.
import type { SqliteDatabase } from './sqlite.js';

export class GroupCommit {
  readonly #db: SqliteDatabase;
  /** Called after a failed commit was rolled back: caches that may hold rolled-back state drop it. */
  readonly #onRollback: () => void;
  readonly #waiting: Array<(error?: Error) => void> = [];
  #open = false;

  constructor(db: SqliteDatabase, onRollback: () => void) {
    this.#db = db;
    this.#onRollback = onRollback;
  }

  /** Runs fn inside the current turn's transaction (opened on first use) and calls done after the commit. */
  run<T>(fn: () => T, done: (result: { value: T } | { error: unknown }, commitError?: Error) => void): void {
    if (!this.#open) {
      this.#db.exec('BEGIN');
      this.#open = true;
      setImmediate(() => this.#open && this.#commit());
    }
    let result: { value: T } | { error: unknown };
    try {
      result = { value: fn() };
    } catch (error) {
      result = { error };
    }
    this.#waiting.push((commitError) => done(result, commitError));
  }

  #commit(): void {
    this.#open = false;
    let failure: Error | undefined;
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      failure = error as Error;
      try {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      } finally {
        this.#onRollback();
      }
    }
    for (const answer of this.#waiting.splice(0)) {
      try {
        answer(failure);
      } catch {
        // One answer that cannot be written (its socket is gone) must not keep the others from theirs.
      }
    }
  }

  /** Commits what is pending now (closing the server). */
  flush(): void {
    if (this.#open) this.#commit();
  }
}
