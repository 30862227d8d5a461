// One timer for all of the engine's deadlines (lock expiry, scheduled enqueue, TTL, session locks): a heap
// of due times and a single setTimeout for the earliest, so no work happens on the request path and a
// million locked messages cost a million heap entries, not a million Node timers. Entries are never
// cancelled; a callback checks whether its deadline still holds (a renewed lock is a new entry).
import { MinHeap } from './min-heap.js';

export type Clock = () => number;

export class TimerWheel {
  readonly #heap = new MinHeap<() => void>();
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Infinity;
  #closed = false;

  constructor(
    private readonly now: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  at(when: number, fn: () => void): void {
    if (this.#closed || !Number.isFinite(when)) return;
    this.#heap.push(when, fn);
    if (when < this.#armedFor) this.#arm();
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const next = this.#heap.peekKey();
    this.#armedFor = next ?? Infinity;
    if (next === undefined || this.#closed) return;
    // setTimeout caps at 2^31-1 ms; a later deadline re-arms when this one fires.
    const delay = Math.min(Math.max(0, next - this.now()), 2_147_000_000);
    this.#timer = setTimeout(() => this.#fire(), delay);
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.now();
    while (!this.#closed && (this.#heap.peekKey() ?? Infinity) <= now) {
      const fn = this.#heap.pop() as () => void;
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }
    this.#arm();
  }

  /** Runs every due callback now (tests with a fake clock). */
  runDue(): void {
    this.#fire();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }
}
