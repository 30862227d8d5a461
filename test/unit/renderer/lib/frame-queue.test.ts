import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as FrameQueueModule from '~renderer/lib/frame-queue';
import { load } from '../load-renderer.js';

const { FrameQueue } = await load<typeof FrameQueueModule>('lib/frame-queue');

// A fake of the browser's frame clock: callbacks wait until the test runs a frame.
let pending = new Map<number, (time: number) => void>();
let nextId = 1;
const requestFrame = vi.fn((cb: (time: number) => void): number => {
  const id = nextId++;
  pending.set(id, cb);
  return id;
});
const cancelFrame = vi.fn((id: number): void => {
  pending.delete(id);
});

function runFrame(): void {
  const due = [...pending.values()];
  pending = new Map();
  for (const cb of due) cb(0);
}

/** A queue of numbers whose flushes are recorded as [items, dropped]. */
function queue(limit = 1000) {
  const flushes: Array<[number[], number]> = [];
  const q = new FrameQueue((items: number[], dropped: number) => void flushes.push([items, dropped]), limit);
  return { q, flushes };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

beforeEach(() => {
  pending = new Map();
  nextId = 1;
  requestFrame.mockClear();
  cancelFrame.mockClear();
  vi.stubGlobal('requestAnimationFrame', requestFrame);
  vi.stubGlobal('cancelAnimationFrame', cancelFrame);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('FrameQueue', () => {
  it('hands a burst of pushes over once, at the next frame, in order', () => {
    const { q, flushes } = queue();
    for (const i of range(0, 500)) q.push([i]);
    expect(flushes).toEqual([]);
    expect(q.size).toBe(500);
    expect(requestFrame).toHaveBeenCalledTimes(1);
    runFrame();
    expect(flushes).toEqual([[range(0, 500), 0]]);
    expect(q.size).toBe(0);
  });

  it('hands each frame its own burst', () => {
    const { q, flushes } = queue();
    q.push([1, 2]);
    runFrame();
    q.push([3]);
    q.push([4]);
    runFrame();
    runFrame();
    expect(flushes).toEqual([[[1, 2], 0], [[3, 4], 0]]);
    expect(requestFrame).toHaveBeenCalledTimes(2);
  });

  it('does not lose items pushed while a flush is running', () => {
    const flushes: number[][] = [];
    const q: { push(items: number[]): void } = new FrameQueue((items: number[]) => {
      flushes.push(items);
      if (items[0] === 1) q.push([2]);
    }, 100);
    q.push([1]);
    runFrame();
    runFrame();
    expect(flushes).toEqual([[1], [2]]);
  });

  it('keeps only the newest items while frames are stopped (hidden tab) and reports how many it dropped', () => {
    const { q, flushes } = queue(100);
    for (const i of range(0, 1000)) q.push([i]);
    expect(q.size).toBeGreaterThanOrEqual(100);
    expect(q.size).toBeLessThanOrEqual(125);
    runFrame();
    const [[items, dropped]] = flushes as [[number[], number]];
    expect(items).toEqual(range(1000 - items.length, 1000));
    expect(dropped).toBe(1000 - items.length);
  });

  it('cuts a single oversized push down to the limit', () => {
    const { q, flushes } = queue(10);
    q.push(range(0, 50));
    runFrame();
    expect(flushes).toEqual([[range(40, 50), 40]]);
  });

  it('starts the dropped count again after each flush', () => {
    const { q, flushes } = queue(10);
    q.push(range(0, 50));
    runFrame();
    q.push([1]);
    runFrame();
    expect(flushes[1]).toEqual([[1], 0]);
  });

  it('flushNow hands over at once and cancels the frame, so nothing is delivered twice', () => {
    const { q, flushes } = queue();
    q.push([1, 2]);
    q.flushNow();
    expect(flushes).toEqual([[[1, 2], 0]]);
    expect(cancelFrame).toHaveBeenCalledWith(1);
    runFrame();
    expect(flushes).toHaveLength(1);
    q.push([3]);
    expect(requestFrame).toHaveBeenCalledTimes(2);
  });

  it('clear drops what is queued and the pending frame, and the queue keeps working after', () => {
    const { q, flushes } = queue(10);
    q.push(range(0, 50));
    q.clear();
    expect(q.size).toBe(0);
    expect(cancelFrame).toHaveBeenCalledWith(1);
    runFrame();
    expect(flushes).toEqual([]);
    q.push([7]);
    runFrame();
    expect(flushes).toEqual([[[7], 0]]);
  });

  it('does not flush an empty queue', () => {
    const { q, flushes } = queue();
    q.flushNow();
    q.push([]);
    runFrame();
    expect(flushes).toEqual([]);
  });
});
