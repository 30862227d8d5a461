// The available messages of one queue, subscription, session or dead-letter queue, in sequence order.
// New messages arrive with increasing sequence numbers and go to the back of a deque; a message that comes
// back (abandoned, lock expired) goes into a heap by sequence number, so it is redelivered before newer
// ones, as the service does. Removal from the middle (TTL expiry) is lazy: `#present` is the truth.
import { MinHeap } from './min-heap.js';
import type { StoredMessage } from './types.js';

export class OrderedMessages {
  readonly #present = new Map<number, StoredMessage>();
  #fresh: number[] = [];
  #head = 0;
  readonly #returned = new MinHeap<number>();

  get size(): number {
    return this.#present.size;
  }

  has(seq: number): boolean {
    return this.#present.has(seq);
  }

  push(m: StoredMessage): void {
    const last = this.#fresh.length > this.#head ? (this.#fresh[this.#fresh.length - 1] as number) : -Infinity;
    this.#present.set(m.sequenceNumber, m);
    if (m.sequenceNumber > last) this.#fresh.push(m.sequenceNumber);
    else this.#returned.push(m.sequenceNumber, m.sequenceNumber);
  }

  remove(seq: number): boolean {
    return this.#present.delete(seq);
  }

  #skipStale(): void {
    while (this.#head < this.#fresh.length && !this.#present.has(this.#fresh[this.#head] as number)) this.#head++;
    while (this.#returned.size > 0 && !this.#present.has(this.#returned.peek() as number)) this.#returned.pop();
    if (this.#head > 1024 && this.#head * 2 > this.#fresh.length) {
      this.#fresh = this.#fresh.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Takes the message with the lowest sequence number. */
  shift(): StoredMessage | undefined {
    this.#skipStale();
    const a = this.#head < this.#fresh.length ? (this.#fresh[this.#head] as number) : Infinity;
    const b = this.#returned.peek() ?? Infinity;
    if (a === Infinity && b === Infinity) return undefined;
    let seq: number;
    if (a <= b) {
      seq = a;
      this.#head++;
    } else {
      seq = this.#returned.pop() as number;
    }
    const m = this.#present.get(seq) as StoredMessage;
    this.#present.delete(seq);
    return m;
  }

  values(): IterableIterator<StoredMessage> {
    return this.#present.values();
  }
}
