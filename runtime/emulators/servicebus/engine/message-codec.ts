// Turns a stored message into a row (JSON metadata + body bytes) and back. Property values keep their types
// through JSON with tagged objects for the kinds JSON lacks (dates, binary).
import type { MessageBody, PropertyValue, StoredMessage } from './types.js';

type Tagged = string | number | boolean | null | { $d: number } | { $b: string } | { $n: string };

function tag(v: PropertyValue): Tagged {
  if (v instanceof Date) return { $d: v.getTime() };
  if (Buffer.isBuffer(v)) return { $b: v.toString('base64') };
  // JSON has no Infinity or NaN; keep them as text.
  if (typeof v === 'number' && !Number.isFinite(v)) return { $n: String(v) };
  return v;
}

function untag(v: Tagged): PropertyValue {
  if (v === null || typeof v !== 'object') return v;
  if ('$d' in v) return new Date(v.$d);
  if ('$b' in v) return Buffer.from(v.$b, 'base64');
  return Number(v.$n);
}

export function encodeProperties(props: Record<string, PropertyValue> | undefined): Record<string, Tagged> | undefined {
  if (props === undefined) return undefined;
  const out: Record<string, Tagged> = {};
  for (const [k, v] of Object.entries(props)) out[k] = tag(v);
  return out;
}

export function decodeProperties(props: Record<string, Tagged> | undefined): Record<string, PropertyValue> | undefined {
  if (props === undefined) return undefined;
  const out: Record<string, PropertyValue> = {};
  for (const [k, v] of Object.entries(props)) out[k] = untag(v);
  return out;
}

export interface MessageRow {
  readonly id: number;
  readonly entity: string;
  readonly meta: string;
  readonly body: Buffer;
}

export function toRow(m: StoredMessage): MessageRow {
  const { id, entity, body, applicationProperties, annotations, lockToken: _l, lockedUntil: _u, expiresAt, ...rest } = m;
  const meta = JSON.stringify({
    ...rest,
    bodyKind: body.kind,
    expiresAt: Number.isFinite(expiresAt) ? expiresAt : null,
    applicationProperties: encodeProperties(applicationProperties),
    annotations: encodeProperties(annotations),
  });
  return { id, entity, meta, body: body.bytes };
}

export function fromRow(row: MessageRow): StoredMessage {
  const meta = JSON.parse(row.meta) as Record<string, unknown>;
  const { bodyKind, expiresAt, applicationProperties, annotations, ...rest } = meta;
  const body: MessageBody = { kind: bodyKind as MessageBody['kind'], bytes: Buffer.from(row.body) };
  const m = {
    ...(rest as object),
    id: row.id,
    entity: row.entity,
    body,
    expiresAt: expiresAt === null ? Infinity : (expiresAt as number),
    applicationProperties: decodeProperties(applicationProperties as Record<string, Tagged>) ?? {},
  } as StoredMessage;
  if (annotations !== undefined) m.annotations = decodeProperties(annotations as Record<string, Tagged>);
  return m;
}
