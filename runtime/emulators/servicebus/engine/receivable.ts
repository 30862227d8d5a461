// The messages of one queue or subscription: the main queue (active, deferred, scheduled), its dead-letter
// queue, sessions, and peek-lock locks. Semantics follow the service
// (https://learn.microsoft.com/azure/service-bus-messaging/message-transfers-locks-settlement):
// a peek-lock delivery locks the message for LockDuration; complete removes it; abandon or an expired lock
// makes it available again with its delivery count kept, and past MaxDeliveryCount it is dead-lettered
// with reason MaxDeliveryCountExceeded; defer keeps it for receive-by-sequence-number only.
import { randomUUID } from 'node:crypto';
import { inputOf, type EngineContext } from './context.js';
import { EngineError, lockLost } from './errors.js';
import { OrderedMessages } from './ordered-messages.js';
import { MessageSession } from './sessions.js';
import type { Delivery, MessageInput, PropertyValue, ReceivableSettings, ReceiveMode, ReceiveOptions, StoredMessage } from './types.js';

export class Receivable {
  readonly messages = new Map<number, StoredMessage>();
  readonly dlq = new Map<number, StoredMessage>();
  readonly available = new OrderedMessages();
  readonly dlqAvailable = new OrderedMessages();
  readonly sessions = new Map<string, MessageSession>();
  readonly locks = new Map<string, StoredMessage>();
  nextSeq = 1;

  constructor(
    readonly key: string,
    public path: string,
    public settings: ReceivableSettings,
    private readonly ctx: EngineContext,
  ) {}

  get dlqKey(): string {
    return `${this.key}/$deadletterqueue`;
  }

  session(id: string): MessageSession {
    let s = this.sessions.get(id);
    if (s === undefined) {
      s = new MessageSession(id, this.ctx.now());
      this.sessions.set(id, s);
    }
    return s;
  }

  queueFor(m: StoredMessage): OrderedMessages {
    if (m.deadLettered) return this.dlqAvailable;
    if (this.settings.requiresSession && m.sessionId !== undefined) return this.session(m.sessionId).available;
    return this.available;
  }

  /** Puts a message loaded from the store back in place (start-up); locks do not survive a restart. */
  restore(m: StoredMessage): void {
    this.nextSeq = Math.max(this.nextSeq, m.sequenceNumber + 1);
    if (m.deadLettered) this.dlq.set(m.sequenceNumber, m);
    else this.messages.set(m.sequenceNumber, m);
    if (m.state === 'scheduled') this.ctx.timers.at(m.scheduledEnqueueTime ?? 0, () => this.#activate(m));
    else if (m.state === 'active') this.#makeAvailable(m);
  }

  /** Adds a message (or forwards it when ForwardTo is set). Returns the stored message, if kept here. */
  enqueue(input: MessageInput, hops = 0, state: 'active' | 'scheduled' = 'active'): StoredMessage | undefined {
    if (this.settings.forwardTo && state === 'active') {
      this.ctx.forward(this.settings.forwardTo, input, hops + 1);
      return undefined;
    }
    if (this.settings.requiresSession && input.sessionId === undefined) {
      throw new EngineError('InvalidOperation', `The entity '${this.path}' requires sessions: the message must have a session id.`);
    }
    const now = this.ctx.now();
    const ttl = Math.min(input.timeToLive ?? Infinity, this.settings.defaultMessageTimeToLiveMs);
    const seq = this.nextSeq++;
    const enqueuedTime = state === 'scheduled' ? (input.scheduledEnqueueTime ?? now) : now;
    const m: StoredMessage = {
      ...input,
      id: this.ctx.nextMessageId(),
      entity: this.key,
      deadLettered: false,
      sequenceNumber: seq,
      enqueuedTime,
      state,
      deliveryCount: 0,
      expiresAt: enqueuedTime + ttl,
    };
    this.messages.set(seq, m);
    this.ctx.store.putMessage(m);
    this.ctx.store.setCounter(`seq:${this.key}`, this.nextSeq);
    if (state === 'scheduled') this.ctx.timers.at(enqueuedTime, () => this.#activate(m));
    else this.#makeAvailable(m);
    return m;
  }

  #makeAvailable(m: StoredMessage): void {
    this.queueFor(m).push(m);
    if (Number.isFinite(m.expiresAt) && !m.deadLettered) this.ctx.timers.at(m.expiresAt, () => this.#expireIfWaiting(m));
    this.ctx.notify(m.deadLettered ? this.dlqKey : this.key);
  }

  #activate(m: StoredMessage): void {
    if (this.messages.get(m.sequenceNumber) !== m || m.state !== 'scheduled') return; // cancelled
    this.ctx.store.transaction(() => {
      m.state = 'active';
      this.ctx.store.putMessage(m);
      this.#makeAvailable(m);
    });
  }

  cancelScheduled(seq: number): void {
    const m = this.messages.get(seq);
    if (m === undefined || m.state !== 'scheduled') {
      throw new EngineError('MessageNotFound', `No scheduled message with sequence number ${seq} in '${this.path}'.`);
    }
    this.discard(m);
  }

  /** Removes a message for good (completed, received and deleted, purged, expired). */
  discard(m: StoredMessage): void {
    if (m.deadLettered) this.dlq.delete(m.sequenceNumber);
    else this.messages.delete(m.sequenceNumber);
    this.ctx.store.deleteMessage(m.id);
  }

  #expireIfWaiting(m: StoredMessage): void {
    const q = this.queueFor(m);
    if (this.messages.get(m.sequenceNumber) !== m || m.lockToken !== undefined || m.state !== 'active' || !q.has(m.sequenceNumber)) return;
    q.remove(m.sequenceNumber);
    this.ctx.store.transaction(() => this.#expire(m));
  }

  /** TTL passed: dead-letter (DeadLetteringOnMessageExpiration) or drop, as the service does. */
  #expire(m: StoredMessage): void {
    if (this.settings.deadLetteringOnMessageExpiration) {
      this.#deadLetter(m, 'TTLExpiredException', 'The message expired and was dead lettered.', undefined);
    } else {
      this.discard(m);
    }
  }

  receive(opts: ReceiveOptions): Delivery[] {
    const out: Delivery[] = [];
    const source = opts.deadLetter ? this.dlqAvailable : opts.session ? opts.session.available : this.available;
    const now = this.ctx.now();
    this.ctx.store.transaction(() => {
      while (out.length < opts.max) {
        const m = source.shift();
        if (m === undefined) break;
        if (!m.deadLettered && m.expiresAt <= now) {
          this.#expire(m);
          continue;
        }
        const deliveryCount = m.deliveryCount++;
        if (opts.mode === 'receiveAndDelete') {
          this.discard(m);
          out.push({ message: m, deliveryCount });
          continue;
        }
        out.push(this.#lock(m, deliveryCount, opts.session));
      }
    });
    return out;
  }

  #lock(m: StoredMessage, deliveryCount: number, session: MessageSession | undefined): Delivery {
    const token = randomUUID();
    m.lockToken = token;
    this.locks.set(token, m);
    if (session) {
      m.lockedUntil = session.lockedUntil;
      session.lockedTokens.add(token);
    } else {
      const until = this.ctx.now() + this.settings.lockDurationMs;
      m.lockedUntil = until;
      this.ctx.timers.at(until, () => this.#lockExpired(token, until));
    }
    return { message: m, lockToken: token, lockedUntil: m.lockedUntil, deliveryCount };
  }

  #lockExpired(token: string, until: number): void {
    const m = this.locks.get(token);
    if (m === undefined || m.lockedUntil !== until) return; // settled or renewed
    this.ctx.store.transaction(() => this.#release(m, undefined));
  }

  /** The locked message for a token, or the error the service gives for a stale one. */
  locked(token: string): StoredMessage {
    const m = this.locks.get(token);
    if (m === undefined || (m.lockedUntil ?? 0) <= this.ctx.now()) {
      if (this.settings.requiresSession) {
        throw new EngineError('SessionLockLost', 'The session lock has expired or the message was settled already.');
      }
      throw lockLost();
    }
    return m;
  }

  #unlock(m: StoredMessage): void {
    if (m.lockToken !== undefined) {
      this.locks.delete(m.lockToken);
      if (m.sessionId !== undefined) this.sessions.get(m.sessionId)?.lockedTokens.delete(m.lockToken);
    }
    m.lockToken = undefined;
    m.lockedUntil = undefined;
  }

  complete(token: string): void {
    const m = this.locked(token);
    this.#unlock(m);
    this.discard(m);
  }

  /** Abandon (and lock expiry): available again, or dead-lettered past MaxDeliveryCount. */
  abandon(token: string, props?: Record<string, PropertyValue>): void {
    this.#release(this.locked(token), props);
  }

  #release(m: StoredMessage, props: Record<string, PropertyValue> | undefined): void {
    this.#unlock(m);
    if (props) Object.assign(m.applicationProperties, props);
    if (!m.deadLettered && m.deliveryCount >= this.settings.maxDeliveryCount) {
      this.#deadLetter(m, 'MaxDeliveryCountExceeded', `Message could not be consumed after ${this.settings.maxDeliveryCount} delivery attempts.`, undefined);
      return;
    }
    this.ctx.store.putMessage(m);
    if (m.state === 'active') this.#makeAvailable(m);
  }

  defer(token: string, props?: Record<string, PropertyValue>): void {
    const m = this.locked(token);
    this.#unlock(m);
    if (props) Object.assign(m.applicationProperties, props);
    m.state = 'deferred';
    this.ctx.store.putMessage(m);
  }

  deadLetter(token: string, reason?: string, description?: string, props?: Record<string, PropertyValue>): void {
    const m = this.locked(token);
    this.#unlock(m);
    if (m.deadLettered) {
      throw new EngineError('InvalidOperation', 'A message in the dead-letter queue cannot be dead-lettered again.');
    }
    this.#deadLetter(m, reason, description, props);
  }

  #deadLetter(m: StoredMessage, reason: string | undefined, description: string | undefined, props: Record<string, PropertyValue> | undefined): void {
    if (props) Object.assign(m.applicationProperties, props);
    if (reason !== undefined) m.applicationProperties.DeadLetterReason = reason;
    if (description !== undefined) m.applicationProperties.DeadLetterErrorDescription = description;
    this.messages.delete(m.sequenceNumber);
    if (this.settings.forwardDeadLetteredMessagesTo) {
      this.ctx.store.deleteMessage(m.id);
      this.ctx.forward(this.settings.forwardDeadLetteredMessagesTo, inputOf(m), 1);
      return;
    }
    m.deadLettered = true;
    m.state = 'active';
    this.dlq.set(m.sequenceNumber, m);
    this.ctx.store.putMessage(m);
    this.#makeAvailable(m);
  }

  renewLock(token: string): number {
    const m = this.locked(token);
    const until = this.ctx.now() + this.settings.lockDurationMs;
    m.lockedUntil = until;
    this.ctx.timers.at(until, () => this.#lockExpired(token, until));
    return until;
  }

  /** Deferred messages by sequence number (`receive-by-sequence-number`). */
  receiveDeferred(seqs: number[], mode: ReceiveMode, session?: MessageSession): Delivery[] {
    const found = seqs.map((seq) => {
      const m = this.messages.get(seq);
      if (m === undefined || m.state !== 'deferred' || m.lockToken !== undefined || (session && m.sessionId !== session.id)) {
        throw new EngineError('MessageNotFound', `No deferred message with sequence number ${seq} in '${this.path}'.`);
      }
      return m;
    });
    return this.ctx.store.transaction(() =>
      found.map((m) => {
        const deliveryCount = m.deliveryCount++;
        if (mode === 'receiveAndDelete') {
          this.discard(m);
          return { message: m, deliveryCount };
        }
        return this.#lock(m, deliveryCount, session);
      }),
    );
  }

  /** The entity was deleted: forget everything, so pending timers find nothing to write back. */
  dispose(): void {
    this.messages.clear();
    this.dlq.clear();
    this.locks.clear();
    this.sessions.clear();
  }

  /** Drops the locks of a session's messages, returning them to the session (lock lost or released). */
  releaseSessionMessages(session: MessageSession): void {
    const tokens = [...session.lockedTokens];
    this.ctx.store.transaction(() => {
      for (const t of tokens) {
        const m = this.locks.get(t);
        if (m) this.#release(m, undefined);
      }
    });
  }
}
