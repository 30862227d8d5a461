// The message as SQL filters and actions see it: `sys.*` names map to broker and AMQP properties
// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-messaging-sql-filter#properties),
// anything else is an application (user) property. User property names are matched exactly first, then
// case-insensitively, as the service treats them.
import type { MessageInput, PropertyValue } from '../engine/types.js';
import type { SqlValue } from './sql-ast.js';
import type { FilterSubject } from './sql-eval.js';

/** Fields known at fan-out time (a topic assigns them before filters run). */
export interface FilterableMessage extends MessageInput {
  sequenceNumber?: number;
  enqueuedTime?: number;
  deliveryCount?: number;
}

function toSql(v: PropertyValue | undefined): SqlValue | undefined {
  if (v === undefined) return undefined;
  if (Buffer.isBuffer(v)) return v.toString('hex');
  return v;
}

const SYSTEM: Record<string, (m: FilterableMessage) => SqlValue | undefined> = {
  messageid: (m) => m.messageId,
  correlationid: (m) => m.correlationId,
  to: (m) => m.to,
  label: (m) => m.subject,
  subject: (m) => m.subject,
  replyto: (m) => m.replyTo,
  replytosessionid: (m) => m.replyToSessionId,
  sessionid: (m) => m.sessionId,
  contenttype: (m) => m.contentType,
  partitionkey: (m) => m.partitionKey,
  sequencenumber: (m) => m.sequenceNumber,
  enqueuedtimeutc: (m) => (m.enqueuedTime === undefined ? undefined : new Date(m.enqueuedTime)),
  scheduledenqueuetimeutc: (m) => (m.scheduledEnqueueTime === undefined ? undefined : new Date(m.scheduledEnqueueTime)),
  timetolive: (m) => m.timeToLive,
  deliverycount: (m) => m.deliveryCount,
  size: (m) => m.size,
};

/** System properties a rule action may SET or REMOVE. */
const WRITABLE: Record<string, keyof FilterableMessage> = {
  messageid: 'messageId',
  correlationid: 'correlationId',
  to: 'to',
  label: 'subject',
  subject: 'subject',
  replyto: 'replyTo',
  replytosessionid: 'replyToSessionId',
  sessionid: 'sessionId',
  contenttype: 'contentType',
};

export function findUserProperty(props: Record<string, PropertyValue>, name: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(props, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(props).find((k) => k.toLowerCase() === lower);
}

export function filterView(m: FilterableMessage): FilterSubject {
  return {
    system: (name) => SYSTEM[name]?.(m),
    user: (name) => {
      const key = findUserProperty(m.applicationProperties, name);
      return key === undefined ? undefined : toSql(m.applicationProperties[key]);
    },
  };
}

/** Writes `value` (undefined = remove) to a property of `m`; unknown system properties are refused. */
export function writeProperty(m: FilterableMessage, scope: 'sys' | 'user', name: string, value: SqlValue | undefined): boolean {
  if (scope === 'sys') {
    const field = WRITABLE[name.toLowerCase()];
    if (field === undefined) return false;
    (m as unknown as Record<string, unknown>)[field] = value === undefined || value === null ? undefined : String(value);
    return true;
  }
  const key = findUserProperty(m.applicationProperties, name) ?? name;
  if (value === undefined) delete m.applicationProperties[key];
  else m.applicationProperties[key] = value;
  return true;
}
