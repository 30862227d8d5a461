// Adaptive indexes for non-key filters, on real SQLite: two stores hold the same entities (mixed types under one
// property name, missing values, awkward keys); one never builds indexes, the other builds them after the first
// slow query. Every filter, walked page by page, must give the same rows in the same order from both, before
// and after writes, and the indexes must persist with the data and go with their table.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../runtime/emulators/storage/sqlite.js';
import type { SqliteDatabase } from '../../../runtime/emulators/storage/sqlite.js';
import { parseEntity } from '../../../runtime/emulators/tables/entity-input.js';
import { parseFilter } from '../../../runtime/emulators/tables/odata/parser.js';
import { TableEngine } from '../../../runtime/emulators/tables/table-engine.js';

const ACCOUNT = 'devstoreaccount1';
const TABLE = 'mixed';
let dir: string | undefined;
const open: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function entity(i: number): Record<string, unknown> {
  const e: Record<string, unknown> = { PartitionKey: `p${i % 7}`, RowKey: `${String(i).padStart(5, '0')}${i % 29 === 0 ? "'é" : ''}`, s: `v${i % 40}`, payload: 'x'.repeat(20) };
  if (i % 19 === 0) return e; // no n
  if (i % 23 === 0) e.n = i % 2 === 0;
  else if (i % 17 === 0) Object.assign(e, { n: String(i), 'n@odata.type': 'Edm.Int64' });
  else if (i % 13 === 0) e.n = `x${i}`;
  else if (i % 11 === 0) e.n = i + 0.5;
  else e.n = i;
  return e;
}

function store(file: string | null, after: number): { db: SqliteDatabase; engine: TableEngine } {
  const db = openDatabase(file, 'tables.sqlite');
  open.push(db);
  const engine = new TableEngine(db, { adaptiveIndexes: { slowMs: 0, after, maxMatches: 60 } });
  return { db, engine };
}

function seed(engine: TableEngine, count: number): void {
  engine.createTable(ACCOUNT, TABLE);
  engine.transaction(() => {
    for (let i = 0; i < count; i++) {
      const e = parseEntity(entity(i));
      engine.write(ACCOUNT, TABLE, 'insert', e.pk as string, e.rk as string, e);
    }
  });
}

/** Every page of the filter (7 rows each), as `pk/rk props` lines. */
function walk(engine: TableEngine, filter: string): string[] {
  const node = parseFilter(filter);
  const out: string[] = [];
  let from: { pk: string; rk?: string } | undefined;
  for (;;) {
    const page = engine.queryEntities(ACCOUNT, TABLE, node, 7, from);
    out.push(...page.rows.map((r) => `${r.pk}/${r.rk} ${r.props}`));
    if (!page.next) return out;
    from = page.next;
  }
}

/** The same walk through the wire path (each page's joined JSON elements and where the next page starts). */
function walkWire(engine: TableEngine, filter: string): string[] {
  const node = parseFilter(filter);
  const out: string[] = [];
  let from: { pk: string; rk?: string } | undefined;
  for (;;) {
    const page = engine.queryWire(ACCOUNT, TABLE, node, 7, from, 'wire-minimal');
    // The two stores wrote at different moments: timestamps (and the ETags made from them) differ.
    const elements = page.elements.toString('utf8').replace(/datetime'[^']*'/g, "datetime'…'").replace(/"Timestamp":"[^"]*"/g, '"Timestamp":"…"');
    out.push(`${elements} → ${page.next ? `${page.next.pk}/${page.next.rk}` : 'end'}`);
    if (!page.next) return out;
    from = page.next;
  }
}

const FILTERS = [
  'n lt 100',
  "n ge 2900 and s eq 'v3'",
  "s eq 'v7'",
  "s eq 'v7' and n gt 1000",
  "n eq 'x13'",
  'n gt 100.5 and n lt 200',
  "(n lt 10 or n gt 2990) and s ne 'v1'",
  "not (n ge 50) and s eq 'v10'",
  "n le 5 and PartitionKey eq 'p3'",
  'n eq 1045.5',
  "s gt 'v38' and n ge 0 and n lt 400",
];

describe('adaptive indexes for non-key filters', () => {
  it('answer every filter exactly as the scan does, page by page, and are used', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cb-adaptive-'));
    const plain = store(null, Number.POSITIVE_INFINITY);
    const indexed = store(dir, 1);
    seed(plain.engine, 3000);
    seed(indexed.engine, 3000);
    const expected = FILTERS.map((f) => walk(plain.engine, f));
    expect(expected[0]!.length).toBeGreaterThan(50);
    FILTERS.forEach((f) => walk(indexed.engine, f));
    await tick();
    expect(indexed.engine.indexes.list().map((i) => i.name).sort()).toEqual(['n', 's']);
    const before = indexed.engine.indexes.uses;
    FILTERS.forEach((f, i) => expect(walk(indexed.engine, f), f).toEqual(expected[i]));
    FILTERS.forEach((f) => expect(walkWire(indexed.engine, f), f).toEqual(walkWire(plain.engine, f)));
    // The wire walk is the same rows, joined per page: elements in key order, one page after another.
    const wire = walkWire(plain.engine, 'n lt 100').map((p) => p.split(' → ')[0]).join(',');
    expect(JSON.parse(`[${wire}]`).map((e: { RowKey: string }) => e.RowKey)).toEqual(expected[0]!.map((line) => line.split(' ')[0]!.split('/')[1]));
    expect(indexed.engine.indexes.uses).toBeGreaterThan(before);
    expect(plain.engine.indexes.list()).toEqual([]);

    // Writes after the index exists: a new match, a row that stops matching, a merge, a delete.
    for (const { engine } of [plain, indexed]) {
      const add = parseEntity({ PartitionKey: 'p0', RowKey: 'new', n: -5, s: 'v7' });
      engine.write(ACCOUNT, TABLE, 'insert', 'p0', 'new', add);
      const moved = parseEntity({ PartitionKey: 'p1', RowKey: '00001', n: 5000, s: 'v1' });
      engine.write(ACCOUNT, TABLE, 'replace', 'p1', '00001', moved);
      const merged = parseEntity({ n: 'x13' });
      engine.write(ACCOUNT, TABLE, 'merge', 'p2', '00002', merged);
      engine.deleteEntity(ACCOUNT, TABLE, 'p3', '00003', '*');
    }
    FILTERS.forEach((f) => expect(walk(indexed.engine, f), f).toEqual(walk(plain.engine, f)));
    FILTERS.forEach((f) => expect(walkWire(indexed.engine, f), f).toEqual(walkWire(plain.engine, f)));
  });

  it('persist with the data, are found again at start, and go with their table', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cb-adaptive-'));
    const first = store(dir, 1);
    seed(first.engine, 500);
    walk(first.engine, 'n lt 30');
    await tick();
    expect(first.engine.indexes.list()).toHaveLength(1);
    first.engine.close();
    first.db.close();

    const again = store(dir, 1);
    expect(again.engine.indexes.list()).toEqual([{ tid: expect.any(Number), name: 'n' }]);
    const uses = again.engine.indexes.uses;
    expect(walk(again.engine, 'n lt 30').length).toBeGreaterThan(20);
    expect(again.engine.indexes.uses).toBeGreaterThan(uses);
    again.engine.deleteTable(ACCOUNT, TABLE);
    expect(again.engine.indexes.list()).toEqual([]);
    expect(again.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'cbx%'").get()).toEqual({ n: 0 });
  });

  it('are not built for a table deleted before the build runs, nor beyond the per-table limit', async () => {
    const { engine } = store(null, 1);
    seed(engine, 200);
    walk(engine, 'n lt 30');
    engine.deleteTable(ACCOUNT, TABLE);
    await tick();
    expect(engine.indexes.list()).toEqual([]);

    seed(engine, 200);
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) walk(engine, `${name} eq 1`);
    await tick();
    expect(engine.indexes.list()).toHaveLength(4);
  });
});
