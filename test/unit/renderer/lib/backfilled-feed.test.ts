import { describe, expect, it, vi } from 'vitest';
import type * as FeedModule from '~renderer/lib/backfilled-feed';
import { load } from '../load-renderer.js';

const { attachBackfilledFeed } = await load<typeof FeedModule>('lib/backfilled-feed');

interface Deferred {
  signal: AbortSignal;
  resolve: (records: number[]) => void;
  reject: (err: unknown) => void;
}

/** A feed source whose loads the test settles by hand; `live()` is the stream, `reconnect()` its onOpen. */
function source() {
  const loads: Deferred[] = [];
  const received: number[][] = [];
  const loading: boolean[] = [];
  const errors: unknown[] = [];
  let liveHandler: ((records: readonly number[]) => void) | null = null;
  let openHandler: (() => void) | null = null;
  const offs = { listen: vi.fn(), subscribe: vi.fn(), onOpen: vi.fn() };
  const attach = () =>
    attachBackfilledFeed({
      listen: (h: (records: readonly number[]) => void) => ((liveHandler = h), offs.listen),
      subscribe: () => offs.subscribe,
      onOpen: (h: () => void) => ((openHandler = h), offs.onOpen),
      load: (signal: AbortSignal) =>
        new Promise<number[]>((resolve, reject) => {
          loads.push({ signal, resolve, reject });
          signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        }),
      receive: (records: readonly number[]) => void received.push([...records]),
      setLoading: (l: boolean) => void loading.push(l),
      setError: (e: unknown) => void errors.push(e),
    });
  return {
    attach,
    loads,
    received,
    loading,
    errors,
    offs,
    live: (...records: number[]) => liveHandler?.(records),
    reconnect: () => openHandler?.(),
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('attachBackfilledFeed', () => {
  it('hands over the backlog first, then the live records that arrived while it loaded', async () => {
    const s = source();
    s.attach();
    expect(s.loading).toEqual([true]);
    s.live(4);
    s.live(5, 6);
    expect(s.received).toEqual([]);
    s.loads[0]?.resolve([1, 2, 3]);
    await settle();
    expect(s.received).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(s.loading).toEqual([true, false]);
    expect(s.errors).toEqual([null]);
  });

  it('passes live records straight through once the backlog is in', async () => {
    const s = source();
    s.attach();
    s.loads[0]?.resolve([]);
    await settle();
    s.live(7);
    expect(s.received.at(-1)).toEqual([7]);
  });

  it('loads what was missed on every reconnection and drops the answer of the load it replaced', async () => {
    const s = source();
    s.attach();
    s.loads[0]?.resolve([1]);
    await settle();
    s.reconnect();
    const first = s.loads[1];
    s.reconnect();
    expect(first?.signal.aborted).toBe(true);
    s.live(9);
    s.loads[2]?.resolve([2, 3]);
    await settle();
    expect(s.received.filter((r) => r.length > 0)).toEqual([[1], [2, 3], [9]]);
    expect(s.errors).toEqual([null, null]);
  });

  it('reports a failed load and still hands over the live records it held', async () => {
    const s = source();
    s.attach();
    s.live(4);
    const failure = new Error('runtime down');
    s.loads[0]?.reject(failure);
    await settle();
    expect(s.errors).toEqual([failure]);
    expect(s.received).toEqual([[4]]);
    expect(s.loading).toEqual([true, false]);
  });

  it('teardown aborts the load, unsubscribes everything and reports nothing afterwards', async () => {
    const s = source();
    const teardown = s.attach();
    teardown();
    expect(s.loads[0]?.signal.aborted).toBe(true);
    expect(s.offs.listen).toHaveBeenCalledTimes(1);
    expect(s.offs.subscribe).toHaveBeenCalledTimes(1);
    expect(s.offs.onOpen).toHaveBeenCalledTimes(1);
    await settle();
    expect(s.errors).toEqual([]);
    expect(s.received).toEqual([]);
    expect(s.loading).toEqual([true, false]);
  });
});
