// The ATOM management API (https://learn.microsoft.com/rest/api/servicebus/): PUT creates (or, with
// If-Match, updates), GET reads, DELETE removes queues, topics, subscriptions and rules; `$Resources/Queues`,
// `$Resources/Topics`, `<topic>/Subscriptions` and `…/Rules` list with $skip/$top. Used by
// ServiceBusAdministrationClient and azure-sb's create*/get*/list*/delete* calls.
import type { ServiceBusEngine } from '../engine/engine.js';
import { EngineError, entityNotFound } from '../engine/errors.js';
import type { CorrelationFilter, PropertyValue, RuleDescription, RuleFilter } from '../engine/types.js';
import { feed, queueXml, ruleXml, subscriptionXml, topicXml } from './atom.js';
import { QUEUE_FIELDS, SUBSCRIPTION_FIELDS, TOPIC_FIELDS, readFields } from './atom-fields.js';
import { child, find, localName, parseXml, type XmlNode } from './xml.js';

export interface AdminRequest {
  readonly method: string;
  /** Path segments, decoded, without `$Resources` handling. */
  readonly segments: string[];
  readonly query: URLSearchParams;
  readonly body: string;
  readonly isUpdate: boolean;
  /** `http://host[:port]`, the base of <id> URLs. */
  readonly base: string;
}

export interface AdminResponse {
  readonly status: number;
  readonly xml: string;
}

function page<T>(items: T[], q: URLSearchParams): T[] {
  const skip = Number(q.get('$skip') ?? 0);
  const top = Number(q.get('$top') ?? items.length);
  return items.slice(skip, skip + top);
}

/** The xsi:type of an element, whatever prefix the client bound the schema-instance namespace to. */
function xsiType(node: XmlNode | undefined): string | undefined {
  const key = Object.keys(node?.attrs ?? {}).find((k) => k === 'type' || k.endsWith(':type'));
  return key === undefined ? undefined : (node as XmlNode).attrs[key]?.replace(/^.*:/, '');
}

function correlationFrom(node: XmlNode): CorrelationFilter {
  const text = (n: string): string | undefined => child(node, n)?.text;
  const properties: Record<string, PropertyValue> = {};
  for (const kv of child(node, 'Properties')?.children ?? []) {
    const key = child(kv, 'Key')?.text ?? '';
    const value = child(kv, 'Value');
    const type = xsiType(value) ?? '';
    const raw = value?.text ?? '';
    properties[key] = ['int', 'long', 'double', 'float', 'decimal'].includes(type) ? Number(raw) : type === 'boolean' ? raw === 'true' : raw;
  }
  return {
    correlationId: text('CorrelationId'), messageId: text('MessageId'), to: text('To'), replyTo: text('ReplyTo'), subject: text('Label'),
    sessionId: text('SessionId'), replyToSessionId: text('ReplyToSessionId'), contentType: text('ContentType'), properties,
  };
}

export function ruleFromXml(name: string, description: XmlNode | undefined): RuleDescription {
  const filterNode = child(description, 'Filter');
  const type = xsiType(filterNode) ?? (child(filterNode, 'SqlExpression') ? 'SqlFilter' : 'TrueFilter');
  let filter: RuleFilter;
  if (type === 'CorrelationFilter') filter = { type: 'correlation', correlation: correlationFrom(filterNode as XmlNode) };
  else if (type === 'FalseFilter') filter = { type: 'false' };
  else if (type === 'TrueFilter') filter = { type: 'true' };
  else filter = { type: 'sql', expression: child(filterNode, 'SqlExpression')?.text ?? '' };
  const actionNode = child(description, 'Action');
  const action = child(actionNode, 'SqlExpression')?.text;
  return action ? { name, filter, action } : { name, filter };
}

function description(body: string): XmlNode | undefined {
  const content = find(parseXml(body), 'content');
  return content?.children.find((c) => localName(c).endsWith('Description'));
}

export function handleAdmin(engine: ServiceBusEngine, req: AdminRequest): AdminResponse {
  const reg = engine.registry;
  const s = req.segments;
  const lower = s.map((x) => x.toLowerCase());
  const base = req.base;
  if (lower[0] === '$resources' && s.length === 2 && req.method === 'GET') {
    if (lower[1] === 'queues') return { status: 200, xml: feed(base, '$Resources/Queues', page([...reg.queues.values()], req.query).map((q) => queueXml(base, q, engine.counts(q.name)))) };
    if (lower[1] === 'topics') return { status: 200, xml: feed(base, '$Resources/Topics', page([...reg.topics.values()], req.query).map((t) => topicXml(base, t, engine.counts(t.name)))) };
  }
  const subAt = lower.lastIndexOf('subscriptions');
  if (subAt > 0) {
    const topic = s.slice(0, subAt).join('/');
    const sub = s[subAt + 1];
    const rulesAt = subAt + 2;
    if (sub === undefined || sub === '') {
      if (req.method !== 'GET') throw new EngineError('BadArgument', 'Only GET lists subscriptions.');
      const t = reg.topic(topic);
      // azure-sb checks that the feed <id> contains the path it asked for (`<topic>/Subscriptions/`), as written.
      return { status: 200, xml: feed(base, `${topic}/Subscriptions/`, page([...t.subscriptions.values()], req.query).map((x) => subscriptionXml(base, x, engine.counts(x.receivable.key)))) };
    }
    if (lower[rulesAt] === 'rules') return rules(engine, req, topic, sub, s[rulesAt + 1]);
    if (req.method === 'PUT') {
      const d = description(req.body);
      const props = readFields(d, SUBSCRIPTION_FIELDS);
      const created = req.isUpdate
        ? reg.updateSubscription(topic, sub, props)
        : reg.createSubscription(topic, sub, props, child(d, 'DefaultRuleDescription') ? [ruleFromXml(child(child(d, 'DefaultRuleDescription'), 'Name')?.text ?? '$Default', child(d, 'DefaultRuleDescription'))] : undefined);
      return { status: req.isUpdate ? 200 : 201, xml: subscriptionXml(base, created, engine.counts(created.receivable.key)) };
    }
    const x = reg.subscription(topic, sub);
    if (req.method === 'DELETE') {
      reg.deleteSubscription(topic, sub);
      return { status: 200, xml: '' };
    }
    return { status: 200, xml: subscriptionXml(base, x, engine.counts(x.receivable.key)) };
  }
  const name = s.join('/');
  if (req.method === 'PUT') {
    const d = description(req.body);
    const kind = d ? localName(d) : 'QueueDescription';
    if (kind === 'TopicDescription') {
      const props = readFields(d, TOPIC_FIELDS);
      const t = req.isUpdate ? reg.updateTopic(name, props) : reg.createTopic(name, props);
      return { status: req.isUpdate ? 200 : 201, xml: topicXml(base, t, engine.counts(t.name)) };
    }
    const props = readFields(d, QUEUE_FIELDS);
    const q = req.isUpdate ? reg.updateQueue(name, props) : reg.createQueue(name, props);
    return { status: req.isUpdate ? 200 : 201, xml: queueXml(base, q, engine.counts(q.name)) };
  }
  const q = reg.queues.get(name.toLowerCase());
  const t = reg.topics.get(name.toLowerCase());
  if (!q && !t) throw entityNotFound(name);
  if (req.method === 'DELETE') {
    if (q) reg.deleteQueue(name);
    else reg.deleteTopic(name);
    return { status: 200, xml: '' };
  }
  return { status: 200, xml: q ? queueXml(base, q, engine.counts(q.name)) : topicXml(base, t as NonNullable<typeof t>, engine.counts(name)) };
}

function rules(engine: ServiceBusEngine, req: AdminRequest, topic: string, sub: string, rule: string | undefined): AdminResponse {
  const reg = engine.registry;
  const s = reg.subscription(topic, sub);
  if (rule === undefined || rule === '') {
    return { status: 200, xml: feed(req.base, `${topic}/Subscriptions/${sub}/Rules/`, page(reg.rules(topic, sub), req.query).map((r) => ruleXml(req.base, s, r))) };
  }
  if (req.method === 'PUT') {
    const r = ruleFromXml(rule, description(req.body));
    if (req.isUpdate) reg.updateRule(topic, sub, r);
    else reg.addRule(topic, sub, r);
    return { status: req.isUpdate ? 200 : 201, xml: ruleXml(req.base, s, r) };
  }
  const found = reg.rules(topic, sub).find((r) => r.name.toLowerCase() === rule.toLowerCase());
  if (!found) throw entityNotFound(`${s.receivable.path}/Rules/${rule}`);
  if (req.method === 'DELETE') {
    reg.removeRule(topic, sub, rule);
    return { status: 200, xml: '' };
  }
  return { status: 200, xml: ruleXml(req.base, s, found) };
}
