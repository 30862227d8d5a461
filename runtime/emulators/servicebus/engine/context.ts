// What a queue or subscription needs from the engine around it: persistence, the timer wheel, the clock,
// availability notifications and forwarding to other entities.
import type { ServiceBusStore } from './store.js';
import type { Clock, TimerWheel } from './timer-wheel.js';
import type { MessageInput, StoredMessage } from './types.js';

export interface EngineContext {
  readonly store: ServiceBusStore;
  readonly timers: TimerWheel;
  readonly now: Clock;
  /** Tells receivers waiting on `key` that messages (or sessions) became available. */
  notify(key: string): void;
  nextMessageId(): number;
  /**
   * Sends `input` to the queue or topic named `target` (ForwardTo / ForwardDeadLetteredMessagesTo).
   * `hops` counts forwards so far; the service stops at 4.
   */
  forward(target: string, input: MessageInput, hops: number): void;
}

/** The input fields of a stored message (what a forward or a DLQ move carries on). */
export function inputOf(m: StoredMessage): MessageInput {
  const { id: _i, entity: _e, deadLettered: _d, sequenceNumber: _s, enqueuedSequenceNumber: _q, enqueuedTime: _t, state: _st,
    deliveryCount: _c, expiresAt: _x, lockToken: _l, lockedUntil: _u, deadLetterSource: _ds, ...input } = m;
  return { ...input, applicationProperties: { ...input.applicationProperties } };
}
