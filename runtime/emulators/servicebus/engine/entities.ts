// Queues, topics and subscriptions as the engine holds them, with the property checks the service makes
// when an entity is created or updated. No caps beyond what the user configures: any number of entities,
// subscriptions and rules, any TTL.
import { compileRule, type CompiledRule } from '../filters/rule.js';
import type { DuplicateHistory } from './duplicates.js';
import { EngineError } from './errors.js';
import type { Receivable } from './receivable.js';
import {
  QUEUE_DEFAULTS, SUBSCRIPTION_DEFAULTS, TOPIC_DEFAULTS,
  type EntityTimes, type QueueProperties, type RuleDescription, type StoredMessage, type SubscriptionProperties, type TopicProperties,
} from './types.js';

export const ENTITY_NAME = /^[A-Za-z0-9](?:[\w.\-/~]*[A-Za-z0-9_])?$/;

export function checkName(kind: string, name: string): void {
  const parts = name.split('/');
  if (!ENTITY_NAME.test(name) || name.length > 260 || parts.some((p) => p.toLowerCase() === 'subscriptions' || p.startsWith('$'))) {
    throw new EngineError('BadArgument', `The ${kind} name '${name}' is invalid: use letters, digits, '.', '-', '_' and '/', starting and ending with a letter or digit.`);
  }
}

function checkPositive(name: string, value: number, min = 1): void {
  if (!Number.isFinite(value) || value < min) throw new EngineError('BadArgument', `${name} must be at least ${min}; got ${value}.`);
}

function merge<T extends object>(defaults: T, current: T | undefined, changes: Partial<T>): T {
  const out = { ...defaults, ...current } as T;
  for (const [k, v] of Object.entries(changes)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export function resolveQueueProperties(changes: Partial<QueueProperties>, current?: QueueProperties): QueueProperties {
  const p = merge(QUEUE_DEFAULTS, current, changes);
  checkPositive('LockDuration (ms)', p.lockDurationMs, 1);
  checkPositive('MaxDeliveryCount', p.maxDeliveryCount);
  checkPositive('DefaultMessageTimeToLive (ms)', p.defaultMessageTimeToLiveMs);
  checkPositive('MaxMessageSizeInKilobytes', p.maxMessageSizeInKilobytes);
  return p;
}

export function resolveTopicProperties(changes: Partial<TopicProperties>, current?: TopicProperties): TopicProperties {
  const p = merge(TOPIC_DEFAULTS, current, changes);
  checkPositive('DefaultMessageTimeToLive (ms)', p.defaultMessageTimeToLiveMs);
  checkPositive('MaxMessageSizeInKilobytes', p.maxMessageSizeInKilobytes);
  return p;
}

export function resolveSubscriptionProperties(changes: Partial<SubscriptionProperties>, current?: SubscriptionProperties): SubscriptionProperties {
  const p = merge(SUBSCRIPTION_DEFAULTS, current, changes);
  checkPositive('LockDuration (ms)', p.lockDurationMs, 1);
  checkPositive('MaxDeliveryCount', p.maxDeliveryCount);
  checkPositive('DefaultMessageTimeToLive (ms)', p.defaultMessageTimeToLiveMs);
  return p;
}

export interface QueueEntity extends EntityTimes {
  readonly kind: 'queue';
  name: string;
  properties: QueueProperties;
  readonly receivable: Receivable;
  readonly duplicates: DuplicateHistory;
}

export interface SubscriptionEntity extends EntityTimes {
  readonly kind: 'subscription';
  readonly topic: TopicEntity;
  name: string;
  properties: SubscriptionProperties;
  readonly receivable: Receivable;
  /** Keyed by lower-case rule name; insertion order is the order rules are listed. */
  readonly rules: Map<string, CompiledRule>;
}

export interface TopicEntity extends EntityTimes {
  readonly kind: 'topic';
  name: string;
  properties: TopicProperties;
  readonly subscriptions: Map<string, SubscriptionEntity>;
  /** Messages scheduled on the topic; they fan out when due. */
  readonly scheduled: Map<number, StoredMessage>;
  nextSeq: number;
  readonly duplicates: DuplicateHistory;
}

export type Entity = QueueEntity | TopicEntity | SubscriptionEntity;

export function compileRules(rules: readonly RuleDescription[]): Map<string, CompiledRule> {
  const out = new Map<string, CompiledRule>();
  for (const r of rules) out.set(r.name.toLowerCase(), compileRule(r));
  return out;
}

/** The JSON kept in the store for an entity (messages are stored separately). */
export function entityJson(e: Entity): string {
  const times = { createdAt: e.createdAt, updatedAt: e.updatedAt, accessedAt: e.accessedAt };
  if (e.kind === 'subscription') {
    return JSON.stringify({ topic: e.topic.name, name: e.name, properties: e.properties, rules: [...e.rules.values()].map((r) => r.description), ...times });
  }
  return JSON.stringify({ name: e.name, properties: e.properties, ...times, ...(e.kind === 'topic' ? { nextSeq: e.nextSeq } : {}) });
}
