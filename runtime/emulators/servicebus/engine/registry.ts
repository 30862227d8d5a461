// The namespace's entities: create, read, update, delete and list queues, topics, subscriptions and rules.
// Queues and topics share one name space (the service refuses a queue named like a topic). Every change is
// written to the store before it is visible.
import type { EngineContext } from './context.js';
import { compileRule } from '../filters/rule.js';
import { entityKey, subscriptionKey } from './address.js';
import { DuplicateHistory } from './duplicates.js';
import {
  checkName, entityJson, resolveQueueProperties, resolveSubscriptionProperties, resolveTopicProperties,
  type Entity, type QueueEntity, type SubscriptionEntity, type TopicEntity,
} from './entities.js';
import { EngineError, entityNotFound } from './errors.js';
import { Receivable } from './receivable.js';
import type { QueueProperties, RuleDescription, SubscriptionProperties, TopicProperties } from './types.js';

export const DEFAULT_RULE_NAME = '$Default';

export class Registry {
  readonly queues = new Map<string, QueueEntity>();
  readonly topics = new Map<string, TopicEntity>();

  constructor(private readonly ctx: EngineContext) {}

  #save(e: Entity): void {
    const key = e.kind === 'subscription' ? subscriptionKey(e.topic.name, e.name) : entityKey(e.name);
    this.ctx.store.putEntity({ kind: e.kind, key, json: entityJson(e) });
  }

  #times(): { createdAt: number; updatedAt: number; accessedAt: number } {
    const now = this.ctx.now();
    return { createdAt: now, updatedAt: now, accessedAt: now };
  }

  queue(name: string): QueueEntity {
    const q = this.queues.get(entityKey(name));
    if (q === undefined) throw entityNotFound(name);
    return q;
  }

  topic(name: string): TopicEntity {
    const t = this.topics.get(entityKey(name));
    if (t === undefined) throw entityNotFound(name);
    return t;
  }

  subscription(topic: string, name: string): SubscriptionEntity {
    const s = this.topic(topic).subscriptions.get(name.toLowerCase());
    if (s === undefined) throw entityNotFound(`${topic}/Subscriptions/${name}`);
    return s;
  }

  #checkFree(name: string): void {
    const key = entityKey(name);
    if (this.queues.has(key) || this.topics.has(key)) {
      throw new EngineError('EntityAlreadyExists', `The messaging entity '${name}' already exists.`);
    }
  }

  createQueue(name: string, props: Partial<QueueProperties> = {}, times = this.#times()): QueueEntity {
    checkName('queue', name);
    this.#checkFree(name);
    const properties = resolveQueueProperties(props);
    const key = entityKey(name);
    const receivable = new Receivable(key, name, properties, this.ctx);
    const q: QueueEntity = { kind: 'queue', name, properties, receivable, duplicates: new DuplicateHistory(), ...times };
    this.queues.set(key, q);
    this.#save(q);
    return q;
  }

  updateQueue(name: string, props: Partial<QueueProperties>): QueueEntity {
    const q = this.queue(name);
    if (props.requiresSession !== undefined && props.requiresSession !== q.properties.requiresSession) {
      throw new EngineError('BadArgument', 'RequiresSession cannot be changed on an existing queue.');
    }
    q.properties = resolveQueueProperties(props, q.properties);
    q.receivable.settings = q.properties;
    q.updatedAt = this.ctx.now();
    this.#save(q);
    return q;
  }

  deleteQueue(name: string): void {
    const q = this.queue(name);
    this.queues.delete(entityKey(name));
    this.ctx.store.deleteEntity(entityKey(name));
    q.receivable.dispose();
  }

  createTopic(name: string, props: Partial<TopicProperties> = {}, times = this.#times(), nextSeq = 1): TopicEntity {
    checkName('topic', name);
    this.#checkFree(name);
    const t: TopicEntity = {
      kind: 'topic', name, properties: resolveTopicProperties(props), subscriptions: new Map(), scheduled: new Map(), nextSeq,
      duplicates: new DuplicateHistory(), ...times,
    };
    this.topics.set(entityKey(name), t);
    this.#save(t);
    return t;
  }

  updateTopic(name: string, props: Partial<TopicProperties>): TopicEntity {
    const t = this.topic(name);
    t.properties = resolveTopicProperties(props, t.properties);
    t.updatedAt = this.ctx.now();
    this.#save(t);
    return t;
  }

  deleteTopic(name: string): void {
    const t = this.topic(name);
    for (const s of [...t.subscriptions.values()]) this.deleteSubscription(t.name, s.name);
    this.topics.delete(entityKey(name));
    this.ctx.store.deleteEntity(entityKey(name));
  }

  saveTopic(t: TopicEntity): void {
    this.#save(t);
  }

  createSubscription(
    topicName: string,
    name: string,
    props: Partial<SubscriptionProperties> = {},
    rules: RuleDescription[] = [{ name: DEFAULT_RULE_NAME, filter: { type: 'true' } }],
    times = this.#times(),
  ): SubscriptionEntity {
    const t = this.topic(topicName);
    if (!/^[A-Za-z0-9](?:[\w.-]*[A-Za-z0-9_])?$/.test(name)) throw new EngineError('BadArgument', `The subscription name '${name}' is invalid.`);
    if (t.subscriptions.has(name.toLowerCase())) {
      throw new EngineError('EntityAlreadyExists', `The subscription '${name}' already exists on topic '${t.name}'.`);
    }
    const properties = resolveSubscriptionProperties(props);
    const key = subscriptionKey(t.name, name);
    const compiled = new Map(rules.map((r) => [r.name.toLowerCase(), compileRule(r)]));
    const receivable = new Receivable(key, `${t.name}/Subscriptions/${name}`, properties, this.ctx);
    const s: SubscriptionEntity = { kind: 'subscription', topic: t, name, properties, receivable, rules: compiled, ...times };
    t.subscriptions.set(name.toLowerCase(), s);
    this.#save(s);
    return s;
  }

  updateSubscription(topic: string, name: string, props: Partial<SubscriptionProperties>): SubscriptionEntity {
    const s = this.subscription(topic, name);
    if (props.requiresSession !== undefined && props.requiresSession !== s.properties.requiresSession) {
      throw new EngineError('BadArgument', 'RequiresSession cannot be changed on an existing subscription.');
    }
    s.properties = resolveSubscriptionProperties(props, s.properties);
    s.receivable.settings = s.properties;
    s.updatedAt = this.ctx.now();
    this.#save(s);
    return s;
  }

  deleteSubscription(topic: string, name: string): void {
    const s = this.subscription(topic, name);
    s.topic.subscriptions.delete(name.toLowerCase());
    this.ctx.store.deleteEntity(subscriptionKey(topic, name));
    s.receivable.dispose();
  }

  addRule(topic: string, subscription: string, rule: RuleDescription): void {
    const s = this.subscription(topic, subscription);
    if (s.rules.has(rule.name.toLowerCase())) {
      throw new EngineError('EntityAlreadyExists', `The rule '${rule.name}' already exists on '${s.receivable.path}'.`);
    }
    s.rules.set(rule.name.toLowerCase(), compileRule(rule));
    s.updatedAt = this.ctx.now();
    this.#save(s);
  }

  updateRule(topic: string, subscription: string, rule: RuleDescription): void {
    const s = this.subscription(topic, subscription);
    if (!s.rules.has(rule.name.toLowerCase())) throw entityNotFound(`${s.receivable.path}/Rules/${rule.name}`);
    s.rules.set(rule.name.toLowerCase(), compileRule(rule));
    this.#save(s);
  }

  removeRule(topic: string, subscription: string, ruleName: string): void {
    const s = this.subscription(topic, subscription);
    if (!s.rules.delete(ruleName.toLowerCase())) throw entityNotFound(`${s.receivable.path}/Rules/${ruleName}`);
    this.#save(s);
  }

  rules(topic: string, subscription: string): RuleDescription[] {
    return [...this.subscription(topic, subscription).rules.values()].map((r) => r.description);
  }
}
