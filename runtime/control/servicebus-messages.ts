// Messages between the SDK's shapes and the explorer's wire shapes: what the page shows of a received or
// peeked message, what it sends, and the copy a dead-letter resubmit sends back.
import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import { cbError } from '../shared/errors.js';
import type { SbMessage, SbSend } from '../shared/protocol.js';

/** Properties the broker adds to a dead-lettered message; a resubmitted copy leaves them behind. */
const DEAD_LETTER_PROPERTIES = new Set(['DeadLetterReason', 'DeadLetterErrorDescription']);

const iso = (d: Date | undefined): string | null => (d && !Number.isNaN(d.getTime()) ? d.toISOString() : null);

function propertyValue(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') return (v as { toNumber(): number }).toNumber();
  return String(v);
}

function bodyText(body: unknown): { body: string; bodyKind: SbMessage['bodyKind'] } {
  if (typeof body === 'string') return { body, bodyKind: 'text' };
  if (body instanceof Uint8Array) {
    const buf = Buffer.from(body);
    const text = buf.toString('utf8');
    // Bytes that are not valid UTF-8 would come back with U+FFFD; show them as base64 instead.
    return Buffer.from(text, 'utf8').equals(buf) ? { body: text, bodyKind: 'bytes' } : { body: buf.toString('base64'), bodyKind: 'base64' };
  }
  if (body === undefined || body === null) return { body: '', bodyKind: 'text' };
  try {
    return { body: JSON.stringify(body), bodyKind: 'json' };
  } catch {
    return { body: String(body), bodyKind: 'text' };
  }
}

/** Sequence numbers are Longs in the SDK; the emulator's (and Azure's in practice) fit in a double. */
export function sequenceOf(m: ServiceBusReceivedMessage): number {
  const s = m.sequenceNumber;
  return s === undefined ? -1 : s.toNumber();
}

export function toSbMessage(m: ServiceBusReceivedMessage): SbMessage {
  const props: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(m.applicationProperties ?? {})) props[k] = propertyValue(v);
  return {
    sequenceNumber: sequenceOf(m),
    messageId: m.messageId === undefined ? null : String(m.messageId),
    enqueuedTime: iso(m.enqueuedTimeUtc),
    subject: m.subject ?? null,
    contentType: m.contentType ?? null,
    correlationId: m.correlationId === undefined ? null : String(m.correlationId),
    sessionId: m.sessionId ?? null,
    ...bodyText(m.body),
    applicationProperties: props,
    deliveryCount: m.deliveryCount ?? null,
    state: m.state,
    scheduledEnqueueTime: iso(m.scheduledEnqueueTimeUtc),
    expiresAt: iso(m.expiresAtUtc),
    deadLetterReason: m.deadLetterReason ?? null,
    deadLetterErrorDescription: m.deadLetterErrorDescription ?? null,
    deadLetterSource: m.deadLetterSource ?? null,
  };
}

/** The explorer's send form → an SDK message. */
export function fromSend(s: SbSend): ServiceBusMessage {
  let body: unknown = s.body;
  if (s.bodyKind === 'json') {
    try {
      body = JSON.parse(s.body) as unknown;
    } catch (err) {
      throw cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'message body', detail: `it is not JSON (${(err as Error).message})` });
    }
  }
  let scheduled: Date | undefined;
  if (s.scheduledEnqueueTime) {
    scheduled = new Date(s.scheduledEnqueueTime);
    if (Number.isNaN(scheduled.getTime())) throw cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'scheduledEnqueueTime', detail: `"${s.scheduledEnqueueTime}" is not an ISO 8601 time` });
  }
  return {
    body,
    contentType: s.contentType ?? (s.bodyKind === 'json' ? 'application/json' : undefined),
    subject: s.subject || undefined,
    messageId: s.messageId || undefined,
    correlationId: s.correlationId || undefined,
    sessionId: s.sessionId || undefined,
    applicationProperties: s.applicationProperties,
    scheduledEnqueueTimeUtc: scheduled,
    timeToLive: s.timeToLiveMs,
  };
}

/** The copy a resubmit sends: everything the sender set, without the broker's dead-letter properties. */
export function resubmitCopy(m: ServiceBusReceivedMessage): ServiceBusMessage {
  const applicationProperties: Record<string, number | boolean | string | Date | null> = {};
  for (const [k, v] of Object.entries(m.applicationProperties ?? {})) if (!DEAD_LETTER_PROPERTIES.has(k)) applicationProperties[k] = v;
  return {
    body: m.body as unknown,
    contentType: m.contentType,
    correlationId: m.correlationId,
    subject: m.subject,
    messageId: m.messageId,
    partitionKey: m.partitionKey,
    sessionId: m.sessionId,
    replyTo: m.replyTo,
    replyToSessionId: m.replyToSessionId,
    to: m.to,
    timeToLive: m.timeToLive,
    applicationProperties,
  };
}
