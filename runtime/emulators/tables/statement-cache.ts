// Prepared statements for query shapes that vary with the $filter: preparing is cheap but not free, and the
// same few shapes repeat (a page loop re-runs one shape), so keep the most recent ones.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../storage/sqlite.js';

export class StatementCache {
  readonly #map = new Map<string, Statement>();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly capacity: number,
  ) {}

  get(sql: string): Statement {
    let statement = this.#map.get(sql);
    if (statement) {
      this.#map.delete(sql);
    } else {
      statement = this.db.prepare(sql);
      if (this.#map.size >= this.capacity) this.#map.delete(this.#map.keys().next().value as string);
    }
    this.#map.set(sql, statement);
    return statement;
  }
}
