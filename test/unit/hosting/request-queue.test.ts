// The queue is where requests wait for a worker; getting it wrong reorders requests, answers one twice (a
// timeout for a request a worker already took) or leaks timers. Timers are faked, so no test waits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestQueue } from '../../../runtime/hosting/request-queue.js';
import type { Waiting } from '../../../runtime/hosting/request-queue.js';

interface Req extends Waiting {
  readonly id: number;
}

let nextId = 0;
function req(): Req {
  return { id: nextId++, enqueuedAt: Date.now() };
}

function ids(items: readonly Req[]): number[] {
  return items.map((r) => r.id);
}

function drain(queue: RequestQueue<Req>): number[] {
  const out: Req[] = [];
  queue.drainAll((r) => out.push(r));
  return ids(out);
}

beforeEach(() => {
  nextId = 0;
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RequestQueue order and limit', () => {
  it('hands entries out first in, first out', () => {
    const q = new RequestQueue<Req>(10, 0, () => {});
    const a = req();
    const b = req();
    const c = req();
    q.push(a);
    q.push(b);
    q.push(c);
    expect(q.length).toBe(3);
    expect(q.shift()).toBe(a);
    expect(q.shift()).toBe(b);
    q.push(req());
    expect(q.shift()).toBe(c);
    expect(q.shift()?.id).toBe(3);
    expect(q.shift()).toBeUndefined();
    expect(q.length).toBe(0);
  });

  it('refuses entries beyond the limit and takes them again once there is room', () => {
    const q = new RequestQueue<Req>(2, 0, () => {});
    expect(q.push(req())).toBe(true);
    expect(q.push(req())).toBe(true);
    const third = req();
    expect(q.push(third)).toBe(false);
    expect(third.slot).toBeUndefined();
    expect(q.length).toBe(2);
    q.shift();
    expect(q.push(third)).toBe(true);
    expect(drain(q)).toEqual([1, 2]);
  });

  it('takes nothing with a limit of 0', () => {
    const q = new RequestQueue<Req>(0, 0, () => {});
    expect(q.push(req())).toBe(false);
    expect(q.length).toBe(0);
  });

  it('counts removed entries out of the limit', () => {
    const q = new RequestQueue<Req>(2, 0, () => {});
    const a = req();
    q.push(a);
    q.push(req());
    q.remove(a);
    expect(q.push(req())).toBe(true);
    expect(q.length).toBe(2);
  });
});

describe('RequestQueue remove', () => {
  it('removes an entry from the middle and keeps the order of the rest', () => {
    const q = new RequestQueue<Req>(10, 0, () => {});
    const items = [req(), req(), req(), req()];
    for (const r of items) q.push(r);
    expect(q.remove(items[1] as Req)).toBe(true);
    expect(q.remove(items[2] as Req)).toBe(true);
    expect(q.length).toBe(2);
    expect(drain(q)).toEqual([0, 3]);
  });

  it('returns false for an entry that already left or never came', () => {
    const q = new RequestQueue<Req>(10, 0, () => {});
    const a = req();
    q.push(a);
    expect(q.shift()).toBe(a);
    expect(q.remove(a)).toBe(false);
    expect(q.remove(req())).toBe(false);
    const b = req();
    q.push(b);
    expect(q.remove(b)).toBe(true);
    expect(q.remove(b)).toBe(false);
    expect(q.length).toBe(0);
  });

  it('does not remove another entry that now sits in the departed entry\'s slot', () => {
    const q = new RequestQueue<Req>(10, 0, () => {});
    const a = req();
    q.push(a);
    const stale = a.slot;
    q.shift();
    const b = req();
    q.push(b);
    expect(b.slot).toBe(stale);
    expect(q.remove(a)).toBe(false);
    expect(q.length).toBe(1);
    expect(q.shift()).toBe(b);
  });

  it('skips removed entries at the head', () => {
    const q = new RequestQueue<Req>(10, 0, () => {});
    const [a, b, c] = [req(), req(), req()] as [Req, Req, Req];
    q.push(a);
    q.push(b);
    q.push(c);
    q.remove(a);
    q.remove(b);
    expect(q.shift()).toBe(c);
    expect(q.shift()).toBeUndefined();
  });
});

describe('RequestQueue timeouts', () => {
  it('calls onTimeout once for an entry still queued after timeoutMs, and removes it first', () => {
    const timedOut: number[] = [];
    const q: RequestQueue<Req> = new RequestQueue<Req>(10, 1000, (r) => {
      expect(q.length).toBe(0);
      expect(r.slot).toBeUndefined();
      timedOut.push(r.id);
    });
    q.push(req());
    vi.advanceTimersByTime(999);
    expect(timedOut).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(timedOut).toEqual([0]);
    vi.advanceTimersByTime(10_000);
    expect(timedOut).toEqual([0]);
  });

  it('does not time out entries that were shifted, removed or drained before the deadline', () => {
    const timedOut: number[] = [];
    const q = new RequestQueue<Req>(10, 1000, (r) => timedOut.push(r.id));
    const shifted = req();
    const removed = req();
    const waiting = req();
    q.push(shifted);
    q.push(removed);
    q.push(waiting);
    vi.advanceTimersByTime(500);
    q.shift();
    q.remove(removed);
    vi.advanceTimersByTime(600);
    expect(timedOut).toEqual([waiting.id]);
    expect(vi.getTimerCount()).toBe(0);

    q.push(req());
    q.push(req());
    drain(q);
    vi.advanceTimersByTime(5000);
    expect(timedOut).toEqual([waiting.id]);
  });

  it('clears the timer of an entry when it leaves, so no timers outlive the queue', () => {
    const q = new RequestQueue<Req>(10, 1000, () => {});
    const a = req();
    q.push(a);
    q.push(req());
    expect(vi.getTimerCount()).toBe(2);
    expect(a.timer).toBeDefined();
    q.shift();
    expect(a.timer).toBeUndefined();
    expect(vi.getTimerCount()).toBe(1);
    drain(q);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times out entries in the order they arrived, each after its own wait', () => {
    const timedOut: number[] = [];
    const q = new RequestQueue<Req>(10, 1000, (r) => timedOut.push(r.id));
    q.push(req());
    vi.advanceTimersByTime(300);
    q.push(req());
    vi.advanceTimersByTime(700);
    expect(timedOut).toEqual([0]);
    vi.advanceTimersByTime(299);
    expect(timedOut).toEqual([0]);
    vi.advanceTimersByTime(1);
    expect(timedOut).toEqual([0, 1]);
  });

  it('sets no timer with a timeout of 0 (wait for ever)', () => {
    const q = new RequestQueue<Req>(10, 0, () => {
      throw new Error('no timeout expected');
    });
    const a = req();
    q.push(a);
    expect(a.timer).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1e9);
    expect(q.length).toBe(1);
  });
});

describe('RequestQueue drainAll', () => {
  it('hands every entry to the callback in order and leaves the queue empty', () => {
    const q = new RequestQueue<Req>(10, 1000, () => {});
    const items = [req(), req(), req(), req(), req()];
    for (const r of items) q.push(r);
    q.remove(items[2] as Req);
    expect(drain(q)).toEqual([0, 1, 3, 4]);
    expect(q.length).toBe(0);
    expect(q.shift()).toBeUndefined();
  });

  it('also hands out entries pushed by the callback itself', () => {
    const q = new RequestQueue<Req>(10, 0, () => {});
    q.push(req());
    const seen: number[] = [];
    q.drainAll((r) => {
      seen.push(r.id);
      if (r.id < 3) q.push(req());
    });
    expect(seen).toEqual([0, 1, 2, 3]);
  });
});

describe('RequestQueue compaction', () => {
  // The backing array is compacted after more than 1024 shifts; slots are renumbered then, and remove() must
  // still find entries by their new slots.
  it('keeps FIFO order and remove() working across compactions under steady load', () => {
    // A plain array is the model; the queue must agree with it after every operation.
    const q = new RequestQueue<Req>(100_000, 0, () => {});
    const model: Req[] = [];
    for (let round = 0; round < 20_000; round++) {
      // Two in, one out on some rounds keeps a backlog, so the queue is rarely empty (an empty queue resets
      // instead of compacting).
      for (let n = round % 3 === 0 ? 2 : 1; n > 0; n--) {
        const r = req();
        q.push(r);
        model.push(r);
      }
      if (round % 7 === 3 && model.length > 2) {
        const [victim] = model.splice(Math.floor(model.length / 2), 1) as [Req];
        expect(q.remove(victim)).toBe(true);
      }
      expect(q.shift()).toBe(model.shift());
      expect(q.length).toBe(model.length);
    }
    expect(model.length).toBeGreaterThan(1024);
    expect(drain(q)).toEqual(ids(model));
  });

  it('removes the right entries after a compaction renumbered their slots', () => {
    const q = new RequestQueue<Req>(10_000, 0, () => {});
    const all = Array.from({ length: 3000 }, () => req());
    for (const r of all) q.push(r);
    for (let i = 0; i < 2000; i++) q.shift();
    // The backing array was compacted somewhere past 1024 shifts: survivors have new, smaller slots.
    const survivor = all[2500] as Req;
    expect(survivor.slot).toBeLessThan(2500);
    expect(q.remove(survivor)).toBe(true);
    expect(q.remove(all[2001] as Req)).toBe(true);
    expect(q.length).toBe(998);
    const rest = drain(q);
    expect(rest[0]).toBe(2000);
    expect(rest).not.toContain(2500);
    expect(rest).not.toContain(2001);
    expect(rest).toHaveLength(998);
  });
});
