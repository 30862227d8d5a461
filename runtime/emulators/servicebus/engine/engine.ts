// The Service Bus engine: one per emulator, shared by the AMQP and HTTP adapters, so sequence numbers,
// locks, dead-letter queues and filters are the same whichever protocol a client speaks. It owns the
// registry of entities, routes sends (duplicate detection, scheduling, topic fan-out through rules,
// auto-forwarding) and tells waiting receivers when messages become available. All methods are
// synchronous: one call is one store transaction.
import { createDebug } from '../../../logs/debug.js';
import { entityKey, parseAddress, type ParsedAddress } from './address.js';
import { inputOf, type EngineContext } from './context.js';
import type { SubscriptionEntity, TopicEntity } from './entities.js';
import { EngineError, entityNotFound } from './errors.js';
import type { Receivable } from './receivable.js';
import { Registry } from './registry.js';
import type { ServiceBusStore } from './store.js';
import { TimerWheel, type Clock } from './timer-wheel.js';
import type { MessageInput, RuntimeCounts, StoredMessage } from './types.js';
import { restoreSnapshot } from './restore.js';
import { countMessages, purgeMessages, resubmitDeadLetters } from './receivable-views.js';
import { BatchedCounterStore } from './batched-counters.js';

const debug = createDebug('servicebus');
/** The service forwards a message through at most 4 hops (ForwardTo chains). */
const MAX_FORWARD_HOPS = 4;

export interface EngineOptions {
  readonly store: ServiceBusStore;
  /** @default Date.now */
  readonly now?: Clock;
}

export class ServiceBusEngine {
  readonly registry: Registry;
  readonly store: ServiceBusStore;
  readonly timers: TimerWheel;
  readonly now: Clock;
  readonly #ctx: EngineContext;
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #pending = new Set<string>();
  #notifyScheduled = false;
  #nextId = 1;

  /** What queues and subscriptions see of the engine (session operations take it). */
  get context(): EngineContext {
    return this.#ctx;
  }

  constructor(options: EngineOptions) {
    this.store = new BatchedCounterStore(options.store);
    this.now = options.now ?? Date.now;
    this.timers = new TimerWheel(this.now, (err) => debug('timer callback failed: %O', err));
    this.#ctx = {
      store: this.store,
      timers: this.timers,
      now: this.now,
      notify: (key) => this.#notify(key),
      nextMessageId: () => {
        const id = this.#nextId++;
        this.store.setCounter('message-id', this.#nextId);
        return id;
      },
      forward: (target, input, hops) => this.#forward(target, input, hops),
    };
    this.registry = new Registry(this.#ctx);
    const snapshot = this.store.load();
    this.#nextId = Math.max(1, snapshot.counters['message-id'] ?? 1, ...snapshot.messages.map((m) => m.id + 1));
    restoreSnapshot(this.registry, snapshot, (t, m) => this.#armTopicSchedule(t, m));
  }

  /** Calls `listener` (soon, batched) whenever messages or sessions become available on `key`. */
  onAvailable(key: string, listener: () => void): () => void {
    let set = this.#listeners.get(key);
    if (set === undefined) this.#listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  #notify(key: string): void {
    if (!this.#listeners.has(key)) return;
    this.#pending.add(key);
    if (this.#notifyScheduled) return;
    this.#notifyScheduled = true;
    // Off the sender's call stack: a receiver pulling from inside send() would interleave transactions.
    setImmediate(() => {
      this.#notifyScheduled = false;
      const keys = [...this.#pending];
      this.#pending.clear();
      for (const k of keys) for (const l of [...(this.#listeners.get(k) ?? [])]) l();
    });
  }

  /** The queue or subscription behind an address (`q1`, `t1/Subscriptions/s1`, with or without a DLQ suffix). */
  receivable(address: string | ParsedAddress): Receivable {
    const a = typeof address === 'string' ? parseAddress(address) : address;
    const q = this.registry.queues.get(a.key);
    if (q) return q.receivable;
    const m = /^(.*)\/subscriptions\/([^/]+)$/.exec(a.key);
    const t = m ? this.registry.topics.get(m[1] as string) : undefined;
    const s = t?.subscriptions.get(m?.[2] as string);
    if (s) return s.receivable;
    if (this.registry.topics.has(a.key)) {
      throw new EngineError('InvalidOperation', `'${a.path}' is a topic: receive from one of its subscriptions (<topic>/Subscriptions/<name>).`);
    }
    throw entityNotFound(a.path);
  }

  /** Whether `path` names a queue or topic that accepts sends. */
  checkSendable(path: string): void {
    const key = entityKey(path);
    if (!this.registry.queues.has(key) && !this.registry.topics.has(key)) throw entityNotFound(path);
  }

  /** Sends messages to a queue or topic in one transaction; returns nothing (the service assigns numbers). */
  send(path: string, inputs: MessageInput[]): void {
    this.store.transaction(() => {
      for (const input of inputs) this.#route(path, input, 0, false);
    });
  }

  /** Schedules messages (`schedule-message`); returns their sequence numbers for cancel. */
  schedule(path: string, inputs: MessageInput[]): number[] {
    return this.store.transaction(() => inputs.map((input) => this.#route(path, input, 0, true)));
  }

  cancelScheduled(path: string, seqs: number[]): void {
    const key = entityKey(path);
    this.store.transaction(() => {
      const t = this.registry.topics.get(key);
      for (const seq of seqs) {
        if (t) {
          const m = t.scheduled.get(seq);
          if (m === undefined) throw new EngineError('MessageNotFound', `No scheduled message with sequence number ${seq} on '${t.name}'.`);
          t.scheduled.delete(seq);
          this.store.deleteMessage(m.id);
        } else {
          this.registry.queue(path).receivable.cancelScheduled(seq);
        }
      }
    });
  }

  #checkSize(input: MessageInput, limitKb: number, path: string): void {
    if (input.size > limitKb * 1024) {
      throw new EngineError('MessageTooLarge', `The message (${input.size} bytes) is larger than the limit of '${path}' (${limitKb} KB).`);
    }
  }

  #route(path: string, input: MessageInput, hops: number, forceSchedule: boolean): number {
    const key = entityKey(path);
    const now = this.now();
    const scheduled = forceSchedule || (input.scheduledEnqueueTime !== undefined && input.scheduledEnqueueTime > now);
    const q = this.registry.queues.get(key);
    if (q) {
      this.#checkSize(input, q.properties.maxMessageSizeInKilobytes, q.name);
      if (q.properties.requiresDuplicateDetection && input.messageId !== undefined
        && q.duplicates.check(input.messageId, now, q.properties.duplicateDetectionHistoryTimeWindowMs)) return -1;
      q.accessedAt = now;
      const stored = q.receivable.enqueue({ ...input, scheduledEnqueueTime: scheduled ? (input.scheduledEnqueueTime ?? now) : input.scheduledEnqueueTime }, hops, scheduled ? 'scheduled' : 'active');
      return stored?.sequenceNumber ?? -1;
    }
    const t = this.registry.topics.get(key);
    if (t === undefined) throw entityNotFound(path);
    this.#checkSize(input, t.properties.maxMessageSizeInKilobytes, t.name);
    if (t.properties.requiresDuplicateDetection && input.messageId !== undefined
      && t.duplicates.check(input.messageId, now, t.properties.duplicateDetectionHistoryTimeWindowMs)) return -1;
    t.accessedAt = now;
    if (scheduled) return this.#scheduleOnTopic(t, input);
    const seq = t.nextSeq++;
    this.#fanOut(t, input, hops, seq);
    return seq;
  }

  #scheduleOnTopic(t: TopicEntity, input: MessageInput): number {
    const seq = t.nextSeq++;
    const at = input.scheduledEnqueueTime ?? this.now();
    const m: StoredMessage = {
      ...input, id: this.#ctx.nextMessageId(), entity: entityKey(t.name), deadLettered: false, sequenceNumber: seq,
      enqueuedTime: at, state: 'scheduled', deliveryCount: 0, expiresAt: Infinity,
    };
    t.scheduled.set(seq, m);
    this.store.putMessage(m);
    this.registry.saveTopic(t);
    this.#armTopicSchedule(t, m);
    return seq;
  }

  #armTopicSchedule(t: TopicEntity, m: StoredMessage): void {
    this.timers.at(m.scheduledEnqueueTime ?? 0, () => {
      if (t.scheduled.get(m.sequenceNumber) !== m) return; // cancelled
      this.store.transaction(() => {
        t.scheduled.delete(m.sequenceNumber);
        this.store.deleteMessage(m.id);
        this.#fanOut(t, inputOf(m), 0, m.sequenceNumber);
      });
    });
  }

  /** Each subscription whose rules match gets its own copy, changed by the first matching rule's action. */
  #fanOut(t: TopicEntity, input: MessageInput, hops: number, seq: number): void {
    for (const s of t.subscriptions.values()) {
      const copy = this.#filter(s, input, seq);
      if (copy) s.receivable.enqueue(copy, hops);
    }
    this.registry.saveTopic(t);
  }

  #filter(s: SubscriptionEntity, input: MessageInput, seq: number): MessageInput | undefined {
    const view = { ...input, applicationProperties: { ...input.applicationProperties }, sequenceNumber: seq, enqueuedTime: this.now() };
    for (const rule of s.rules.values()) {
      try {
        if (!rule.match(view)) continue;
        if (rule.apply) rule.apply(view);
      } catch (err) {
        debug('rule %s on %s failed: %s', rule.description.name, s.receivable.path, String(err));
        continue;
      }
      const { sequenceNumber: _s, enqueuedTime: _e, ...copy } = view;
      return copy;
    }
    return undefined;
  }

  #forward(target: string, input: MessageInput, hops: number): void {
    if (hops > MAX_FORWARD_HOPS) {
      debug('dropping a message forwarded more than %d times (last target %s)', MAX_FORWARD_HOPS, target);
      return;
    }
    // ForwardTo may be written as a full URI (the admin client sends sb://host/name).
    this.#route(parseAddress(target).path, input, hops, false);
  }

  counts(address: string): RuntimeCounts {
    const a = parseAddress(address);
    const t = this.registry.topics.get(a.key);
    if (t) {
      let size = 0;
      for (const s of t.subscriptions.values()) size += this.counts(s.receivable.key).sizeInBytes;
      return { activeMessageCount: 0, deadLetterMessageCount: 0, scheduledMessageCount: t.scheduled.size, transferMessageCount: 0, transferDeadLetterMessageCount: 0, totalMessageCount: 0, sizeInBytes: size };
    }
    return countMessages(this.receivable(a));
  }

  /** Deletes the unlocked messages of a queue or subscription (or its DLQ, by address); returns how many. */
  purge(address: string): number {
    const a = parseAddress(address);
    return purgeMessages(this.receivable(a), a.deadLetter, (fn) => this.store.transaction(fn));
  }

  /** Moves dead-lettered messages (by sequence number) back to their queue or subscription. */
  resubmit(address: string, seqs: number[]): number {
    return resubmitDeadLetters(this.receivable(parseAddress(address)), seqs, (fn) => this.store.transaction(fn));
  }

  close(): void {
    this.timers.close();
    this.#listeners.clear();
    this.store.close();
  }
}
