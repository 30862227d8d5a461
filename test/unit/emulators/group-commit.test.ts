// Group commit over a real SQLite database: requests of one turn share a commit and are answered after it; a
// failing request (and a failing savepoint inside the turn) is undone alone; a failed commit is rolled back
// and every request of the turn hears of it.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../runtime/emulators/storage/group-commit.js';

function db() {
  const d = new Database(':memory:');
  d.pragma('foreign_keys = ON');
  d.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);');
  return d;
}

const count = (d: Database.Database, table: string) => (d.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('GroupCommit', () => {
  it('answers the requests of one turn after a single commit, and undoes a failing one alone', async () => {
    const d = db();
    const group = new GroupCommit(d, () => undefined);
    const answers: string[] = [];
    const insert = d.prepare('INSERT INTO parent (id) VALUES (?)');
    group.run(() => insert.run(1), (r) => answers.push('value' in r ? 'ok 1' : 'error 1'));
    group.run(() => insert.run(1), (r) => answers.push('value' in r ? 'ok dup' : 'error dup'));
    // A multi-statement operation fails halfway: its savepoint is undone, the turn goes on.
    group.run(() => d.transaction(() => (insert.run(2), insert.run(1)))(), (r) => answers.push('value' in r ? 'ok 2' : 'error 2'));
    expect(d.inTransaction).toBe(true);
    expect(answers).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(d.inTransaction).toBe(false);
    expect(answers).toEqual(['ok 1', 'error dup', 'error 2']);
    expect(d.prepare('SELECT id FROM parent').all()).toEqual([{ id: 1 }]);
  });

  it('rolls back a turn whose commit fails and tells every request of it', async () => {
    const d = db();
    let rolledBack = 0;
    const group = new GroupCommit(d, () => rolledBack++);
    const results: string[] = [];
    group.run(() => d.prepare('INSERT INTO parent (id) VALUES (7)').run(), (_r, e) => results.push(e ? `failed: ${e.message}` : 'committed'));
    // A deferred foreign key is checked at COMMIT: the commit itself fails.
    group.run(() => d.prepare('INSERT INTO child (id, parent) VALUES (1, 99)').run(), (_r, e) => results.push(e ? `failed: ${e.message}` : 'committed'));
    await new Promise((r) => setImmediate(r));
    expect(results).toEqual(['failed: FOREIGN KEY constraint failed', 'failed: FOREIGN KEY constraint failed']);
    expect(rolledBack).toBe(1);
    expect(d.inTransaction).toBe(false);
    expect(count(d, 'parent') + count(d, 'child')).toBe(0);
    // The next turn works again.
    group.run(() => d.prepare('INSERT INTO parent (id) VALUES (8)').run(), () => undefined);
    group.flush();
    expect(count(d, 'parent')).toBe(1);
  });
});
