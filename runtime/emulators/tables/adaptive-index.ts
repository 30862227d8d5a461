// Adaptive indexes for filters on non-key properties. Such a filter is evaluated row by row over the table
// (SQLite reads every row's JSONB: about 13 ms per 100k rows). When queries on one property of one table keep
// being slow, an index on that property is built for that table only, after the response, in the background
// of the event loop:
//   CREATE INDEX cbx_<tid>_<hex name> ON entities (json_extract(props, '$."name"'), pk, rk) WHERE tid = <tid>
// A later page whose filter has, at the top level of its `and`s, a comparison of that property with a
// string or a number (eq, gt, ge, lt, le) reads the matching index range instead of the table, and sorts the
// matches into key order. It does so only when few rows match from the page's start (counted on the index,
// with a limit); a broad filter keeps the key-ordered scan, which stops once the page is full.
// The index is only a way in: the page query keeps the whole filter, so the rows and their order are exactly
// those of the scan. The added range condition is the very comparison the filter's SQL already requires to be
// true for the row to match (to-sql.ts), so nothing that matches is left out. Indexes are ordinary SQLite
// indexes: they persist with the data, are found again at start, and are dropped with their table.
import type { FilterNode } from './odata/ast.js';
import type { SqliteDatabase } from '../storage/sqlite.js';

export interface AdaptiveIndexOptions {
  /** A query counts toward an index on the properties it filters when it took at least this long (a scan of
   *  10k rows takes about 1 ms; building their index, about 6 ms once). @default 0.5 */
  readonly slowMs?: number;
  /** Slow queries on one property of one table before its index is built. @default 3 */
  readonly after?: number;
  /** Use the index for a page only when at most this many rows match from the page's start. @default 2000 */
  readonly maxMatches?: number;
  /** At most this many adaptive indexes per table, and in all. @default 4, 64 */
  readonly perTable?: number;
  readonly total?: number;
}

/** A comparison an index on its property can serve: `json_extract(props, path) <op> value`. */
export interface IndexTerm {
  readonly name: string;
  readonly op: '=' | '>' | '>=' | '<' | '<=';
  readonly value: string | number;
}

const OPS = { eq: '=', gt: '>', ge: '>=', lt: '<', le: '<=' } as const;
const PREFIX = 'cbx_';
const KEYS = new Set(['PartitionKey', 'RowKey', 'Timestamp']);

/** The comparisons at the top level of the filter's `and`s that an index on a non-key property can serve. */
export function indexTerms(filter: FilterNode): IndexTerm[] {
  const out: IndexTerm[] = [];
  const walk = (node: FilterNode): void => {
    if (node.kind === 'and') {
      walk(node.left);
      walk(node.right);
    } else if (node.kind === 'compare' && node.op !== 'ne' && !KEYS.has(node.property.name)) {
      const { type, value } = node.literal;
      if (type === 'Edm.String' || type === 'Edm.Int32' || type === 'Edm.Double') out.push({ name: node.property.name, op: OPS[node.op], value: value as string | number });
    }
  };
  walk(filter);
  return out;
}

/** The indexed expression, with the path inlined (an index matches only the same expression text). Property
 *  names are identifiers (letters, digits, _), so they need no quoting inside the literal. */
export function indexedExpression(name: string): string {
  return `json_extract(props, '$."${name}"')`;
}

export function indexName(tid: number, name: string): string {
  return `${PREFIX}${tid}_${Buffer.from(name, 'utf8').toString('hex')}`;
}

function parseName(index: string): { tid: number; name: string } | undefined {
  const m = /^cbx_(\d+)_([0-9a-f]+)$/.exec(index);
  return m ? { tid: Number(m[1]), name: Buffer.from(m[2] as string, 'hex').toString('utf8') } : undefined;
}

export class AdaptiveIndexes {
  readonly #db: SqliteDatabase;
  readonly #tableExists: (tid: number) => boolean;
  readonly #slowMs: number;
  readonly #after: number;
  readonly #perTable: number;
  readonly #total: number;
  readonly maxMatches: number;
  /** Pages answered through an index (diagnostics, tests). */
  uses = 0;
  /** tid → indexed property names. */
  readonly #built = new Map<number, Set<string>>();
  readonly #slow = new Map<string, number>();
  readonly #pending = new Set<string>();
  #closed = false;

  constructor(db: SqliteDatabase, tableExists: (tid: number) => boolean, options: AdaptiveIndexOptions = {}) {
    this.#db = db;
    this.#tableExists = tableExists;
    this.#slowMs = options.slowMs ?? 0.5;
    this.#after = options.after ?? 3;
    this.maxMatches = options.maxMatches ?? 2000;
    this.#perTable = options.perTable ?? 4;
    this.#total = options.total ?? 64;
    const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entities' AND name LIKE 'cbx\\_%' ESCAPE '\\'").all() as { name: string }[];
    for (const { name } of rows) {
      const parsed = parseName(name);
      if (parsed) this.#add(parsed.tid, parsed.name);
    }
  }

  /** The first term whose property has an index on this table. */
  usable(tid: number, terms: readonly IndexTerm[]): IndexTerm | undefined {
    const names = this.#built.get(tid);
    return names ? terms.find((t) => names.has(t.name)) : undefined;
  }

  /** Records how long a scan with these terms took; builds an index once a property has been slow often enough. */
  observe(tid: number, terms: readonly IndexTerm[], ms: number): void {
    if (ms < this.#slowMs || this.#closed) return;
    for (const name of new Set(terms.map((t) => t.name))) {
      if (this.#built.get(tid)?.has(name)) continue;
      const key = `${tid}\n${name}`;
      const count = (this.#slow.get(key) ?? 0) + 1;
      this.#slow.set(key, count);
      if (count < this.#after || this.#pending.has(key) || !this.#room(tid)) continue;
      this.#pending.add(key);
      // After the response: building reads the whole table once (about 60 ms per 100k rows).
      setImmediate(() => {
        this.#pending.delete(key);
        this.#slow.delete(key);
        if (this.#closed || !this.#tableExists(tid) || !this.#room(tid)) return;
        try {
          this.#db.exec(`CREATE INDEX IF NOT EXISTS "${indexName(tid, name)}" ON entities (${indexedExpression(name)}, pk, rk) WHERE tid = ${tid}`);
          this.#add(tid, name);
        } catch {
          // A busy or read-only database: the scan goes on working, and the next slow queries try again.
        }
      });
    }
  }

  /** Drops the table's indexes (the table is being deleted). */
  drop(tid: number): void {
    for (const name of this.#built.get(tid) ?? []) this.#db.exec(`DROP INDEX IF EXISTS "${indexName(tid, name)}"`);
    this.#built.delete(tid);
    for (const key of [...this.#slow.keys()]) if (key.startsWith(`${tid}\n`)) this.#slow.delete(key);
  }

  /** The indexes that exist, for tests and diagnostics. */
  list(): { tid: number; name: string }[] {
    return [...this.#built].flatMap(([tid, names]) => [...names].map((name) => ({ tid, name })));
  }

  close(): void {
    this.#closed = true;
  }

  #room(tid: number): boolean {
    const all = [...this.#built.values()].reduce((n, s) => n + s.size, 0);
    return all < this.#total && (this.#built.get(tid)?.size ?? 0) < this.#perTable;
  }

  #add(tid: number, name: string): void {
    let names = this.#built.get(tid);
    if (!names) this.#built.set(tid, (names = new Set()));
    names.add(name);
  }
}
