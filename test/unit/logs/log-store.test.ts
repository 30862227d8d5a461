import { describe, it, expect } from 'vitest';
import { LogStore } from '../../../runtime/logs/log-store.js';
import type { LogRecord, LogStream } from '../../../runtime/logs/log-store.js';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';
import { sleep } from './log-test-helpers.js';

function add(store: LogStore, text: string, over: { instance?: string; worker?: string; stream?: LogStream } = {}): LogRecord {
  return store.append({ time: 1_700_000_000_000, instance: 'web_0', worker: 'w1', pid: 100, stream: 'stdout', text, ...over });
}

function texts(records: LogRecord[]): string[] {
  return records.map((r) => r.text);
}

describe('LogStore append and query', () => {
  it('numbers records 1, 2, 3 and reports lastSeq', () => {
    const store = new LogStore();
    expect(store.lastSeq).toBe(0);
    expect(add(store, 'a').seq).toBe(1);
    expect(add(store, 'b').seq).toBe(2);
    expect(store.lastSeq).toBe(2);
    expect(store.query()).toEqual([
      { seq: 1, time: 1_700_000_000_000, instance: 'web_0', worker: 'w1', pid: 100, stream: 'stdout', text: 'a' },
      { seq: 2, time: 1_700_000_000_000, instance: 'web_0', worker: 'w1', pid: 100, stream: 'stdout', text: 'b' },
    ]);
  });

  it('assigns its own seq even if the caller passes one', () => {
    const store = new LogStore();
    add(store, 'a');
    const copy = store.append({ ...(store.query()[0] as LogRecord), text: 'again' });
    expect(copy.seq).toBe(2);
    expect(store.query().map((r) => r.seq)).toEqual([1, 2]);
  });

  it('filters by instance, worker, stream and case-insensitive text, combined', () => {
    const store = new LogStore();
    add(store, 'Listening on pipe', { instance: 'web_0', worker: 'w1' });
    add(store, 'GET / 200', { instance: 'web_0', worker: 'w2' });
    add(store, 'TypeError: boom', { instance: 'web_1', worker: 'w1', stream: 'stderr' });
    add(store, 'listening again', { instance: 'web_1', worker: 'w2' });

    expect(texts(store.query({ instance: 'web_1' }))).toEqual(['TypeError: boom', 'listening again']);
    expect(texts(store.query({ worker: 'w2' }))).toEqual(['GET / 200', 'listening again']);
    expect(texts(store.query({ stream: 'stderr' }))).toEqual(['TypeError: boom']);
    expect(texts(store.query({ text: 'LISTENING' }))).toEqual(['Listening on pipe', 'listening again']);
    expect(texts(store.query({ text: 'listening', instance: 'web_0' }))).toEqual(['Listening on pipe']);
    expect(store.query({ text: 'nowhere' })).toEqual([]);
  });

  it('returns the newest `limit` matches, oldest first, 1000 by default', () => {
    const store = new LogStore();
    for (let i = 1; i <= 1500; i++) add(store, `line ${i}`, { stream: i % 2 === 0 ? 'stderr' : 'stdout' });
    const all = store.query();
    expect(all).toHaveLength(1000);
    expect(all[0]?.seq).toBe(501);
    expect(all[999]?.seq).toBe(1500);
    expect(store.query({ limit: 3 }).map((r) => r.seq)).toEqual([1498, 1499, 1500]);
    expect(store.query({ limit: 3, stream: 'stdout' }).map((r) => r.seq)).toEqual([1495, 1497, 1499]);
    expect(store.query({ limit: 0 })).toEqual([]);
  });

  it('pages with afterSeq and beforeSeq (both exclusive)', () => {
    const store = new LogStore();
    for (let i = 1; i <= 10; i++) add(store, `line ${i}`);
    expect(store.query({ afterSeq: 7 }).map((r) => r.seq)).toEqual([8, 9, 10]);
    expect(store.query({ beforeSeq: 4 }).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(store.query({ afterSeq: 2, beforeSeq: 6 }).map((r) => r.seq)).toEqual([3, 4, 5]);
    expect(store.query({ afterSeq: 2, beforeSeq: 9, limit: 2 }).map((r) => r.seq)).toEqual([7, 8]);
    expect(store.query({ afterSeq: 10 })).toEqual([]);
  });

  it('evicts the oldest records beyond its capacity, and seqs keep counting', () => {
    const store = new LogStore({ capacity: 5 });
    for (let i = 1; i <= 12; i++) add(store, `line ${i}`);
    expect(store.size).toBe(5);
    expect(store.lastSeq).toBe(12);
    expect(texts(store.query())).toEqual(['line 8', 'line 9', 'line 10', 'line 11', 'line 12']);
    expect(store.query({ afterSeq: 1 }).map((r) => r.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(store.query({ beforeSeq: 8 })).toEqual([]);
  });

  it('rejects a capacity that is not a positive integer with CB_ERR_CONFIG_VALUE', () => {
    for (const capacity of [0, -1, 2.5]) {
      let caught: unknown;
      try {
        new LogStore({ capacity });
      } catch (error) {
        caught = error;
      }
      expect(isCloudbenchError(caught, 'CB_ERR_CONFIG_VALUE')).toBe(true);
    }
  });
});

describe('LogStore live tail', () => {
  it('delivers a flood of appends as one batch, only records appended after subscribing', async () => {
    const store = new LogStore({ batchIntervalMs: 16 });
    add(store, 'before');
    const batches: LogRecord[][] = [];
    store.subscribe((batch) => batches.push(batch));
    for (let i = 0; i < 5000; i++) add(store, `line ${i}`);
    expect(batches).toHaveLength(0); // not synchronously: batched on the timer
    await sleep(60);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(5000);
    expect(batches[0]?.[0]?.text).toBe('line 0');
    expect(batches[0]?.[4999]?.seq).toBe(5001);
  });

  it('sends appends made in separate periods as separate batches', async () => {
    const store = new LogStore({ batchIntervalMs: 10 });
    const batches: string[][] = [];
    store.subscribe((batch) => batches.push(texts(batch)));
    add(store, 'a');
    add(store, 'b');
    await sleep(50);
    add(store, 'c');
    await sleep(50);
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('stops delivering after unsubscribe, including a batch already pending', async () => {
    const store = new LogStore({ batchIntervalMs: 10 });
    const seen: string[] = [];
    const unsubscribe = store.subscribe((batch) => seen.push(...texts(batch)));
    add(store, 'one');
    await sleep(40);
    add(store, 'pending');
    unsubscribe();
    add(store, 'after');
    await sleep(40);
    expect(seen).toEqual(['one']);
  });

  it('gives a late subscriber only its own part of a pending batch, and survives a throwing listener', async () => {
    const store = new LogStore({ batchIntervalMs: 10 });
    const early: string[] = [];
    const late: string[] = [];
    store.subscribe(() => {
      throw new Error('listener bug');
    });
    store.subscribe((batch) => early.push(...texts(batch)));
    add(store, 'x');
    store.subscribe((batch) => late.push(...texts(batch)));
    add(store, 'y');
    await sleep(40);
    expect(early).toEqual(['x', 'y']);
    expect(late).toEqual(['y']);
  });
});
