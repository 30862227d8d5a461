// Gathers items that arrive faster than the screen can show them and hands them over once per animation
// frame: at 10,000 log lines a second the UI then does ~60 updates a second, not 10,000. While the tab is
// hidden, frames stop; the queue keeps only the newest `limit` items so memory stays bounded.
export class FrameQueue<T> {
  #items: T[] = [];
  #frame = 0;
  #dropped = 0;
  readonly #flush: (items: T[], dropped: number) => void;
  readonly #limit: number;

  constructor(flush: (items: T[], dropped: number) => void, limit: number) {
    this.#flush = flush;
    this.#limit = limit;
  }

  get size(): number {
    return this.#items.length;
  }

  push(items: readonly T[]): void {
    for (const item of items) this.#items.push(item);
    if (this.#items.length > this.#limit * 1.25) {
      const excess = this.#items.length - this.#limit;
      this.#items.splice(0, excess);
      this.#dropped += excess;
    }
    if (this.#frame === 0) this.#frame = requestAnimationFrame(this.#run);
  }

  /** Hands over what is queued now, without waiting for the frame. */
  flushNow(): void {
    if (this.#frame !== 0) cancelAnimationFrame(this.#frame);
    this.#run();
  }

  clear(): void {
    if (this.#frame !== 0) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#items = [];
    this.#dropped = 0;
  }

  readonly #run = (): void => {
    this.#frame = 0;
    if (this.#items.length === 0) return;
    const items = this.#items;
    const dropped = this.#dropped;
    this.#items = [];
    this.#dropped = 0;
    this.#flush(items, dropped);
  };
}
