import { describe, expect, it } from 'vitest';
import type * as Book from '~renderer/features/debugger/breakpoint-book';
import { load } from '../../load-renderer.js';

const { BreakpointBook } = await load<typeof Book>('features/debugger/breakpoint-book');

/** A Storage with the three methods the book uses, over a Map (what localStorage does, minus the browser). */
function memoryStorage(): { getItem(k: string): string | null; setItem(k: string, v: string): void; removeItem(k: string): void; map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('breakpoint book', () => {
  it('keeps breakpoints per project folder, replacing one at the same line', () => {
    const storage = memoryStorage();
    let project: string | null = '/work/app';
    const book = new BreakpointBook(storage, () => project);
    book.put({ url: 'file:///work/app/server.js', line: 13, condition: '', log: false });
    book.put({ url: 'file:///work/app/server.js', line: 13, condition: 'hits > 2', log: false });
    book.put({ url: 'file:///work/app/src/app.ts', line: 4, condition: 'n={n}', log: true });
    expect(book.list()).toEqual([
      { url: 'file:///work/app/server.js', line: 13, condition: 'hits > 2', log: false },
      { url: 'file:///work/app/src/app.ts', line: 4, condition: 'n={n}', log: true },
    ]);
    project = '/work/other';
    expect(book.list()).toEqual([]);
    project = null;
    book.put({ url: 'file:///x.js', line: 1, condition: '', log: false });
    expect(book.list()).toEqual([]);
    project = '/work/app';
    book.remove('file:///work/app/server.js', 13);
    book.remove('file:///work/app/src/app.ts', 4);
    expect(book.list()).toEqual([]);
    expect(storage.map.size).toBe(0);
  });

  it('ignores what it cannot read, and goes on without storage', () => {
    const storage = memoryStorage();
    const book = new BreakpointBook(storage, () => '/p');
    storage.map.set('cloudbench.breakpoints:/p', '{not json');
    expect(book.list()).toEqual([]);
    storage.map.set('cloudbench.breakpoints:/p', JSON.stringify([{ url: 'file:///a.js', line: -1, condition: '', log: false }, { url: 'file:///b.js', line: 2, condition: '', log: false }, 'x']));
    expect(book.list()).toEqual([{ url: 'file:///b.js', line: 2, condition: '', log: false }]);
    const full = new BreakpointBook({ getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => undefined }, () => '/p');
    expect(() => full.put({ url: 'file:///a.js', line: 1, condition: '', log: false })).not.toThrow();
  });
});
