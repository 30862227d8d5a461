// ATOM entries and feeds of the management API. The SDKs read the entity name from each entry's <id> URL
// (azure-sb's resourceresult and @azure/service-bus's setName both parse it), so every entry has one.
import type { SubscriptionEntity, QueueEntity, TopicEntity } from '../engine/entities.js';
import type { CorrelationFilter, RuleDescription, RuntimeCounts } from '../engine/types.js';
import { QUEUE_FIELDS, SUBSCRIPTION_FIELDS, TOPIC_FIELDS, writeFields } from './atom-fields.js';
import { escapeXml } from './xml.js';

const SB_NS = 'http://schemas.microsoft.com/netservices/2010/10/servicebus/connect';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function entry(base: string, path: string, title: string, updated: number, content: string): string {
  const id = `${base}/${path.split('/').map((p) => encodeURIComponent(p).replace(/%24/g, '$')).join('/')}`;
  return `<entry xmlns="http://www.w3.org/2005/Atom"><id>${escapeXml(id)}</id><title type="text">${escapeXml(title)}</title>`
    + `<updated>${iso(updated)}</updated><link rel="self" href="${escapeXml(id)}"/><content type="application/xml">${content}</content></entry>`;
}

export function feed(base: string, path: string, entries: string[]): string {
  return '<?xml version="1.0" encoding="utf-8"?>'
    + `<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">${escapeXml(path)}</title><id>${escapeXml(`${base}/${path}`)}</id>`
    + `<updated>${new Date().toISOString()}</updated>${entries.join('')}</feed>`;
}

function counts(c: RuntimeCounts): string {
  const d = 'd2p1';
  return `<CountDetails xmlns:${d}="http://schemas.microsoft.com/netservices/2011/06/servicebus">`
    + `<${d}:ActiveMessageCount>${c.activeMessageCount}</${d}:ActiveMessageCount><${d}:DeadLetterMessageCount>${c.deadLetterMessageCount}</${d}:DeadLetterMessageCount>`
    + `<${d}:ScheduledMessageCount>${c.scheduledMessageCount}</${d}:ScheduledMessageCount><${d}:TransferMessageCount>0</${d}:TransferMessageCount>`
    + `<${d}:TransferDeadLetterMessageCount>0</${d}:TransferDeadLetterMessageCount></CountDetails>`;
}

function times(e: { createdAt: number; updatedAt: number; accessedAt: number }): string {
  return `<CreatedAt>${iso(e.createdAt)}</CreatedAt><UpdatedAt>${iso(e.updatedAt)}</UpdatedAt><AccessedAt>${iso(e.accessedAt)}</AccessedAt>`;
}

export function queueXml(base: string, q: QueueEntity, c: RuntimeCounts): string {
  const body = writeFields(q.properties as unknown as Record<string, unknown>, QUEUE_FIELDS);
  return entry(base, q.name, q.name, q.updatedAt, `<QueueDescription xmlns="${SB_NS}" xmlns:i="${XSI_NS}">${body}`
    + `<SizeInBytes>${c.sizeInBytes}</SizeInBytes><MessageCount>${c.totalMessageCount}</MessageCount>${times(q)}`
    + `<SupportOrdering>true</SupportOrdering>${counts(c)}<EntityAvailabilityStatus>Available</EntityAvailabilityStatus><EnableExpress>false</EnableExpress></QueueDescription>`);
}

export function topicXml(base: string, t: TopicEntity, c: RuntimeCounts): string {
  const body = writeFields(t.properties as unknown as Record<string, unknown>, TOPIC_FIELDS);
  return entry(base, t.name, t.name, t.updatedAt, `<TopicDescription xmlns="${SB_NS}" xmlns:i="${XSI_NS}">${body}`
    + `<SizeInBytes>${c.sizeInBytes}</SizeInBytes>${times(t)}<SubscriptionCount>${t.subscriptions.size}</SubscriptionCount>${counts(c)}`
    + `<EntityAvailabilityStatus>Available</EntityAvailabilityStatus><EnableExpress>false</EnableExpress></TopicDescription>`);
}

export function subscriptionXml(base: string, s: SubscriptionEntity, c: RuntimeCounts): string {
  const body = writeFields(s.properties as unknown as Record<string, unknown>, SUBSCRIPTION_FIELDS);
  return entry(base, `${s.topic.name}/Subscriptions/${s.name}`, s.name, s.updatedAt, `<SubscriptionDescription xmlns="${SB_NS}" xmlns:i="${XSI_NS}">${body}`
    + `<MessageCount>${c.totalMessageCount}</MessageCount>${times(s)}${counts(c)}<EntityAvailabilityStatus>Available</EntityAvailabilityStatus></SubscriptionDescription>`);
}

function correlationXml(c: CorrelationFilter): string {
  const el = (name: string, v: string | undefined): string => (v === undefined ? '' : `<${name}>${escapeXml(v)}</${name}>`);
  const props = Object.entries(c.properties ?? {}).map(([k, v]) => {
    const type = typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'double') : typeof v === 'boolean' ? 'boolean' : 'string';
    return `<KeyValueOfstringanyType><Key>${escapeXml(k)}</Key><Value i:type="d6p1:${type}" xmlns:d6p1="http://www.w3.org/2001/XMLSchema">${escapeXml(String(v))}</Value></KeyValueOfstringanyType>`;
  }).join('');
  return `<Filter i:type="CorrelationFilter">${el('CorrelationId', c.correlationId)}${el('MessageId', c.messageId)}${el('To', c.to)}${el('ReplyTo', c.replyTo)}`
    + `${el('Label', c.subject)}${el('SessionId', c.sessionId)}${el('ReplyToSessionId', c.replyToSessionId)}${el('ContentType', c.contentType)}`
    + `<Properties>${props}</Properties></Filter>`;
}

export function ruleXml(base: string, s: SubscriptionEntity, r: RuleDescription): string {
  const f = r.filter;
  const filter = f.type === 'correlation' ? correlationXml(f.correlation)
    : `<Filter i:type="${f.type === 'sql' ? 'SqlFilter' : f.type === 'true' ? 'TrueFilter' : 'FalseFilter'}"><SqlExpression>${escapeXml(f.type === 'sql' ? f.expression : f.type === 'true' ? '1=1' : '1=0')}</SqlExpression><CompatibilityLevel>20</CompatibilityLevel></Filter>`;
  const action = r.action ? `<Action i:type="SqlRuleAction"><SqlExpression>${escapeXml(r.action)}</SqlExpression><CompatibilityLevel>20</CompatibilityLevel></Action>` : '<Action i:type="EmptyRuleAction"/>';
  return entry(base, `${s.topic.name}/Subscriptions/${s.name}/Rules/${r.name}`, r.name, s.updatedAt,
    `<RuleDescription xmlns="${SB_NS}" xmlns:i="${XSI_NS}">${filter}${action}<CreatedAt>${iso(s.createdAt)}</CreatedAt><Name>${escapeXml(r.name)}</Name></RuleDescription>`);
}
