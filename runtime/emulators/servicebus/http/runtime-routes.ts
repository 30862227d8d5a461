// The legacy Service Bus runtime REST API (https://learn.microsoft.com/rest/api/servicebus/ "Service Bus
// Runtime"), as azure-sb 0.11 uses it: POST <entity>/messages sends (body = the message body, system
// properties in the BrokerProperties JSON header, custom properties as headers); POST …/messages/head
// peek-locks and DELETE …/messages/head receives and deletes (201/200 with the message, 204 when the
// timeout passes with none); DELETE/PUT/POST …/messages/<seq>/<lock> complete, unlock and renew.
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceBusEngine } from '../engine/engine.js';
import { EngineError } from '../engine/errors.js';
import type { Delivery, MessageInput, PropertyValue } from '../engine/types.js';
import { bodyToRhea } from '../amqp/codec.js';

/** Headers that are part of HTTP or the API, never custom properties. */
const RESERVED = new Set([
  'host', 'content-type', 'content-length', 'authorization', 'brokerproperties', 'connection', 'keep-alive', 'user-agent', 'accept',
  'accept-encoding', 'accept-charset', 'date', 'transfer-encoding', 'expect', 'dataserviceversion', 'maxdataserviceversion', 'te', 'x-http-method',
]);

function headerValue(raw: string): PropertyValue {
  const t = raw.trim();
  if (/^".*"$/s.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(t)) return Number(t);
  return t;
}

export function messageFromHttp(body: Buffer, headers: IncomingHttpHeaders): MessageInput {
  const props: Record<string, PropertyValue> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (RESERVED.has(k) || k.startsWith('x-ms-') || v === undefined) continue;
    props[k] = headerValue(Array.isArray(v) ? v.join(',') : v);
  }
  let broker: Record<string, unknown> = {};
  const raw = headers.brokerproperties;
  if (typeof raw === 'string' && raw.trim() !== '') {
    try {
      broker = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new EngineError('BadArgument', `The BrokerProperties header is not JSON: ${raw}`);
    }
  }
  const str = (k: string): string | undefined => (broker[k] === undefined || broker[k] === null ? undefined : String(broker[k]));
  const input: MessageInput = { body: { kind: 'data', bytes: body }, applicationProperties: props, size: body.length + 64 };
  const map: [keyof MessageInput, string][] = [['messageId', 'MessageId'], ['correlationId', 'CorrelationId'], ['sessionId', 'SessionId'],
    ['replyTo', 'ReplyTo'], ['replyToSessionId', 'ReplyToSessionId'], ['to', 'To'], ['subject', 'Label'], ['partitionKey', 'PartitionKey']];
  for (const [field, key] of map) {
    const v = str(key);
    if (v !== undefined) (input as unknown as Record<string, unknown>)[field] = v;
  }
  const ct = headers['content-type'];
  if (ct) input.contentType = ct;
  if (broker.TimeToLive !== undefined) input.timeToLive = Number(broker.TimeToLive) * 1000;
  if (broker.ScheduledEnqueueTimeUtc !== undefined) input.scheduledEnqueueTime = new Date(String(broker.ScheduledEnqueueTimeUtc)).getTime();
  return input;
}

function bodyBytes(d: Delivery): Buffer {
  const b = d.message.body;
  if (b.kind === 'data') return b.bytes;
  const v = bodyToRhea(b);
  if (typeof v === 'string') return Buffer.from(v);
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(JSON.stringify(v));
}

function headerSafe(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && !RESERVED.has(name.toLowerCase());
}

/** The response head and body of a received message; the Location host has no port (azure-sb quirk). */
export function messageToHttp(d: Delivery, entityPath: string, hostname: string): { headers: Record<string, string>; body: Buffer } {
  const m = d.message;
  const broker: Record<string, unknown> = {
    DeliveryCount: d.deliveryCount + 1,
    EnqueuedSequenceNumber: m.enqueuedSequenceNumber ?? m.sequenceNumber,
    EnqueuedTimeUtc: new Date(m.enqueuedTime).toUTCString(),
    MessageId: m.messageId,
    SequenceNumber: m.sequenceNumber,
    State: m.state === 'deferred' ? 'Deferred' : 'Active',
  };
  if (Number.isFinite(m.expiresAt)) broker.TimeToLive = (m.expiresAt - m.enqueuedTime) / 1000;
  if (d.lockToken) {
    broker.LockToken = d.lockToken;
    broker.LockedUntilUtc = new Date(d.lockedUntil ?? 0).toUTCString();
  }
  const opt: [string, string | undefined][] = [['Label', m.subject], ['CorrelationId', m.correlationId], ['SessionId', m.sessionId],
    ['ReplyTo', m.replyTo], ['To', m.to], ['ReplyToSessionId', m.replyToSessionId], ['PartitionKey', m.partitionKey]];
  for (const [k, v] of opt) if (v !== undefined) broker[k] = v;
  const headers: Record<string, string> = { BrokerProperties: JSON.stringify(broker), 'Content-Type': m.contentType ?? 'application/octet-stream' };
  if (d.lockToken) headers.Location = `http://${hostname}/${entityPath}/messages/${m.sequenceNumber}/${d.lockToken}`;
  for (const [k, v] of Object.entries(m.applicationProperties)) {
    if (!headerSafe(k)) continue;
    headers[k] = typeof v === 'string' ? `"${v.replace(/[\r\n]/g, ' ')}"` : v instanceof Date ? `"${v.toUTCString()}"` : Buffer.isBuffer(v) ? `"${v.toString('base64')}"` : String(v);
  }
  return { headers, body: bodyBytes(d) };
}

/** Waits up to `timeoutMs` for a message; resolves with none when it passes. */
export function receiveWithTimeout(engine: ServiceBusEngine, entityPath: string, peekLock: boolean, timeoutMs: number): Promise<Delivery | undefined> {
  const r = engine.receivable(entityPath);
  const take = (): Delivery | undefined => r.receive({ max: 1, mode: peekLock ? 'peekLock' : 'receiveAndDelete' })[0];
  const now = take();
  if (now || timeoutMs <= 0) return Promise.resolve(now);
  return new Promise((resolve) => {
    const stop = engine.onAvailable(r.key, () => {
      const d = take();
      if (!d) return;
      stop();
      clearTimeout(timer);
      resolve(d);
    });
    const timer = setTimeout(() => {
      stop();
      resolve(undefined);
    }, timeoutMs);
  });
}
