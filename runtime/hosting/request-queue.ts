// A bounded FIFO of requests waiting for a worker. Requests wait here while no worker can take them (all
// starting, recycling, restarting after a crash, or at maxConcurrentRequestsPerProcess); only a full queue or a
// wait past the timeout turns into a 503. iisnode had no such queue and answered 503.1002 at once.

export interface Waiting {
  readonly enqueuedAt: number;
  /** Set by the queue; cleared when the entry leaves it. */
  timer?: NodeJS.Timeout | undefined;
  /** Index in the ring, so a cancelled entry can be removed in O(1). */
  slot?: number;
}

export class RequestQueue<T extends Waiting> {
  #items: Array<T | undefined> = [];
  #head = 0;
  #size = 0;

  constructor(
    readonly limit: number,
    readonly timeoutMs: number,
    private readonly onTimeout: (item: T) => void,
  ) {}

  get length(): number {
    return this.#size;
  }

  /** Adds an entry; false when the queue is full. */
  push(item: T): boolean {
    if (this.#size >= this.limit) return false;
    item.slot = this.#items.length;
    this.#items.push(item);
    this.#size++;
    if (this.timeoutMs > 0) {
      item.timer = setTimeout(() => {
        if (this.remove(item)) this.onTimeout(item);
      }, this.timeoutMs);
    }
    return true;
  }

  /** The oldest entry, or undefined. */
  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const item = this.#items[this.#head++];
      if (item !== undefined) {
        this.#size--;
        this.#release(item);
        this.#compact();
        return item;
      }
    }
    this.#compact();
    return undefined;
  }

  /** Removes an entry that is still waiting (its client went away); false if it already left. */
  remove(item: T): boolean {
    const slot = item.slot;
    if (slot === undefined || this.#items[slot] !== item) return false;
    this.#items[slot] = undefined;
    this.#size--;
    this.#release(item);
    this.#compact();
    return true;
  }

  /** Empties the queue, handing every entry to `each` in order. */
  drainAll(each: (item: T) => void): void {
    for (let item = this.shift(); item !== undefined; item = this.shift()) each(item);
  }

  #release(item: T): void {
    clearTimeout(item.timer);
    item.timer = undefined;
    item.slot = undefined;
  }

  /** Keep the backing array from growing without bound: reset when empty, slice when mostly consumed. */
  #compact(): void {
    if (this.#size === 0) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#items.length > 1024 && (this.#head * 2 > this.#items.length || this.#size * 2 < this.#items.length - this.#head)) {
      // Mostly consumed or removed entries: rebuild densely, keeping the order.
      this.#items = this.#items.slice(this.#head).filter((item) => item !== undefined);
      this.#items.forEach((item, i) => item && (item.slot = i));
      this.#head = 0;
    }
  }
}
