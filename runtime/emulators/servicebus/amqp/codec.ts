// AMQP message ↔ engine message. The Service Bus mapping of AMQP sections
// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-request-response and
// "Messages, payloads and serialization"): properties.group-id is the session id, subject the label,
// message annotations x-opt-* carry broker state (sequence number, enqueued time, locked-until, state,
// scheduled time, partition key, dead-letter source), header.delivery-count the previous deliveries.
import type { Delivery, MessageBody, MessageInput, PropertyValue, StoredMessage } from '../engine/types.js';
import { rhea, type RheaSection } from './rhea-types.js';

/** The message format of a batch: a message whose data sections are each an encoded message (SB extension). */
export const BATCH_FORMAT = 0x80013700;
const SERVICE_ANNOTATIONS = new Set([
  'x-opt-sequence-number', 'x-opt-enqueued-time', 'x-opt-locked-until', 'x-opt-message-state', 'x-opt-enqueue-sequence-number',
  'x-opt-deadletter-source', 'x-opt-scheduled-enqueue-time', 'x-opt-partition-key',
]);
/** 4 bytes of headroom per property and 64 for the fixed sections: an estimate good enough for size limits. */
const OVERHEAD = 64;

function isSection(v: unknown): v is RheaSection {
  return typeof v === 'object' && v !== null && 'typecode' in v && 'content' in v;
}

function bodyFromRhea(body: unknown): MessageBody {
  if (isSection(body) && body.typecode === 0x75) {
    const content = body.multiple ? Buffer.concat(body.content as Buffer[]) : (body.content as Buffer | undefined);
    return { kind: 'data', bytes: Buffer.isBuffer(content) ? content : Buffer.from(content ?? []) };
  }
  if (isSection(body) && body.typecode === 0x76) return { kind: 'sequence', bytes: rhea.message.encode({ body }) };
  return { kind: 'value', bytes: rhea.message.encode({ body: body ?? null }) };
}

export function bodyToRhea(body: MessageBody): unknown {
  if (body.kind === 'data') return rhea.message.data_section(body.bytes);
  return rhea.message.decode(body.bytes).body;
}

function propertyValue(v: unknown): PropertyValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date || Buffer.isBuffer(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  return String(v);
}

function propertyMap(o: unknown): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  if (typeof o !== 'object' || o === null) return out;
  for (const [k, v] of Object.entries(o)) out[k] = propertyValue(v);
  return out;
}

function estimateSize(body: MessageBody, props: Record<string, PropertyValue>): number {
  let n = OVERHEAD + body.bytes.length;
  for (const [k, v] of Object.entries(props)) n += k.length + 4 + (typeof v === 'string' || Buffer.isBuffer(v) ? v.length : 8);
  return n;
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return Buffer.isBuffer(v) ? uuidString(v) : String(v);
}

/** A received AMQP message as the engine's input. `size` is the encoded size when known. */
export function messageFromRhea(msg: Record<string, unknown>, size?: number): MessageInput {
  const body = bodyFromRhea(msg.body);
  const applicationProperties = propertyMap(msg.application_properties);
  const annotations = (msg.message_annotations ?? {}) as Record<string, unknown>;
  const input: MessageInput = { body, applicationProperties, size: size ?? estimateSize(body, applicationProperties) };
  const set = <K extends keyof MessageInput>(k: K, v: MessageInput[K] | undefined): void => {
    if (v !== undefined) input[k] = v;
  };
  set('messageId', str(msg.message_id));
  set('correlationId', str(msg.correlation_id));
  set('sessionId', str(msg.group_id));
  set('replyTo', str(msg.reply_to));
  set('replyToSessionId', str(msg.reply_to_group_id));
  set('to', str(msg.to));
  set('subject', str(msg.subject));
  set('contentType', str(msg.content_type));
  set('partitionKey', str(annotations['x-opt-partition-key']));
  if (typeof msg.ttl === 'number' && msg.ttl > 0) input.timeToLive = msg.ttl;
  const scheduled = annotations['x-opt-scheduled-enqueue-time'];
  if (scheduled instanceof Date) input.scheduledEnqueueTime = scheduled.getTime();
  else if (typeof scheduled === 'number') input.scheduledEnqueueTime = scheduled;
  const extra = Object.entries(annotations).filter(([k]) => !SERVICE_ANNOTATIONS.has(k));
  if (extra.length > 0) input.annotations = propertyMap(Object.fromEntries(extra));
  return input;
}

/** The messages of a batch transfer (format 0x80013700): each data section is one encoded message. */
export function decodeBatch(payload: Buffer): MessageInput[] {
  const outer = rhea.message.decode(payload);
  const body = outer.body as RheaSection | undefined;
  if (!body || body.typecode !== 0x75) return [];
  const parts = body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
  return parts.map((p) => messageFromRhea(rhea.message.decode(p), p.length));
}

const MESSAGE_STATE = { active: 0, deferred: 1, scheduled: 2 } as const;

/** A stored message as an AMQP message, with the broker annotations a receiver or peek needs. */
export function messageToRhea(m: StoredMessage, delivery?: Pick<Delivery, 'lockedUntil' | 'deliveryCount'>): Record<string, unknown> {
  const annotations: Record<string, unknown> = {
    ...(m.annotations ?? {}),
    'x-opt-sequence-number': m.sequenceNumber,
    'x-opt-enqueued-time': new Date(m.enqueuedTime),
    'x-opt-message-state': MESSAGE_STATE[m.state],
  };
  if (delivery?.lockedUntil !== undefined) annotations['x-opt-locked-until'] = new Date(delivery.lockedUntil);
  if (m.partitionKey !== undefined) annotations['x-opt-partition-key'] = m.partitionKey;
  if (m.scheduledEnqueueTime !== undefined) annotations['x-opt-scheduled-enqueue-time'] = new Date(m.scheduledEnqueueTime);
  if (m.deadLetterSource !== undefined) annotations['x-opt-deadletter-source'] = m.deadLetterSource;
  if (m.enqueuedSequenceNumber !== undefined) annotations['x-opt-enqueue-sequence-number'] = m.enqueuedSequenceNumber;
  const out: Record<string, unknown> = {
    body: bodyToRhea(m.body),
    message_annotations: annotations,
    delivery_count: delivery?.deliveryCount ?? m.deliveryCount,
  };
  const ttl = m.expiresAt - m.enqueuedTime;
  if (Number.isFinite(ttl) && ttl > 0 && ttl < 0xffffffff) out.ttl = ttl;
  if (Object.keys(m.applicationProperties).length > 0) out.application_properties = m.applicationProperties;
  const props: [string, unknown][] = [
    ['message_id', m.messageId], ['correlation_id', m.correlationId], ['group_id', m.sessionId], ['reply_to', m.replyTo],
    ['reply_to_group_id', m.replyToSessionId], ['to', m.to], ['subject', m.subject], ['content_type', m.contentType],
  ];
  for (const [k, v] of props) if (v !== undefined) out[k] = v;
  return out;
}

export function uuidString(b: Buffer): string {
  return rhea.uuid_to_string(b);
}

/**
 * A lock token as a delivery tag: the SDK reads tags in .NET Guid.ToByteArray() order (the first three
 * groups little-endian) and swaps them back (`reorderLockToken`), so the tag is the RFC bytes reordered.
 */
export function lockTokenTag(token: string): Buffer {
  const b = rhea.string_to_uuid(token);
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)] as number[]);
}

/** AMQP long (a number, or 8 big-endian bytes for values past 2^53) as a number. */
export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (Buffer.isBuffer(v) && v.length === 8) return Number(v.readBigInt64BE(0));
  if (typeof v === 'object' && v !== null && 'value' in v) return toNumber((v as { value: unknown }).value);
  return Number(v);
}

/** .NET ticks (100 ns since 0001-01-01) as an 8-byte long, the form the SDK reads locked-until-utc in. */
export function ticksLong(ms: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(Math.round(ms)) * 10_000n + 621_355_968_000_000_000n);
  return b;
}
