// Clean-up that must not run on the request path: expired queue messages, and the rows of deleted tables,
// queues and cleared message sets. A timer deletes small batches (a few milliseconds of work each) and comes
// back quickly while work remains, so a 100k-row delete never blocks requests for long.
import { createDebug } from '../../logs/debug.js';

const debug = createDebug('emulators:storage');

export type PurgeStep = (now: number) => boolean;

const IDLE_MS = 1000;
const BUSY_MS = 5;

export class BackgroundPurge {
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly steps: readonly PurgeStep[]) {
    this.#schedule(IDLE_MS);
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => this.#tick(), ms);
    this.#timer.unref();
  }

  #tick(): void {
    let busy = false;
    try {
      const now = Date.now();
      for (const step of this.steps) busy = step(now) || busy;
    } catch (error) {
      debug('background purge failed: %s', (error as Error).message);
    }
    this.#schedule(busy ? BUSY_MS : IDLE_MS);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
