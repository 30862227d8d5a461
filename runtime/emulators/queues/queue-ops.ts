// Queue REST operations → QueueEngine, with Azure's parameter ranges and response headers.
//   PUT|DELETE /q   ?comp=metadata (GET/HEAD/PUT)   ?comp=acl (GET/PUT)
//   POST /q/messages (put)  GET /q/messages (get; peekonly=true: peek)  DELETE /q/messages (clear)
//   PUT /q/messages/id?popreceipt&visibilitytimeout (update)   DELETE /q/messages/id?popreceipt
// https://learn.microsoft.com/rest/api/storageservices/queue-service-rest-api
import { aclXml, parseAcl } from '../storage/acl.js';
import { domainError } from '../storage/domain-error.js';
import type { StorageRequest, StorageResponse } from '../storage/storage-server.js';
import type { Metadata, QueueEngine } from './queue-engine.js';
import { messagesXml, parseMessageText, putMessageXml } from './queue-xml.js';

const XML = { 'Content-Type': 'application/xml' };
const MAX_VISIBILITY_S = 7 * 24 * 3600;
const DEFAULT_TTL_S = 7 * 24 * 3600;
const MAX_MESSAGE_BYTES = 64 * 1024;
export const QUEUE_PERMISSIONS = 'raup';

export interface QueueEnv {
  readonly engine: QueueEngine;
  readonly account: string;
  readonly now: number;
}

/** An integer query parameter within [min, max], or the default when absent. */
export function intParam(query: URLSearchParams, name: string, min: number, max: number, fallback?: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') {
    if (fallback === undefined) throw domainError('MissingRequiredQueryParameter', `A query parameter that's mandatory for this request is not specified: ${name}.`);
    return fallback;
  }
  const value = Number(raw);
  // Azure's sentences first (clients match on them), then which parameter and why.
  if (!Number.isInteger(value)) throw domainError('InvalidQueryParameterValue', `Value for one of the query parameters specified in the request URI is invalid. ${name}=${raw} is not a whole number.`);
  if (value < min || value > max) throw domainError('OutOfRangeQueryParameterValue', `One of the query parameters specified in the request URI is outside the permissible range. ${name}=${raw} is not in ${min}..${max}.`);
  return value;
}

/** x-ms-meta-* headers, names in the case the client sent. */
export function metadataOf(req: StorageRequest): Metadata {
  const out: Metadata = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (name.toLowerCase().startsWith('x-ms-meta-')) out[name.slice('x-ms-meta-'.length)] = req.rawHeaders[i + 1] as string;
  }
  return out;
}

export function queueOp(env: QueueEnv, req: StorageRequest, name: string): StorageResponse {
  const comp = req.query.get('comp');
  const { engine, account } = env;
  if (comp === 'metadata') {
    if (req.method === 'PUT') {
      engine.setMetadata(account, name, metadataOf(req));
      return { status: 204 };
    }
    const { metadata, count } = engine.properties(account, name, env.now);
    const headers: Record<string, string | number> = { 'x-ms-approximate-messages-count': count };
    for (const [k, v] of Object.entries(metadata)) headers[`x-ms-meta-${k}`] = v;
    return { status: 200, headers };
  }
  if (comp === 'acl') {
    if (req.method === 'PUT') {
      engine.setAcl(account, name, parseAcl(req.body.toString(), QUEUE_PERMISSIONS));
      return { status: 204 };
    }
    return { status: 200, headers: XML, body: aclXml(engine.getAcl(account, name)) };
  }
  if (req.method === 'PUT') return { status: engine.createQueue(account, name, metadataOf(req)) ? 201 : 204 };
  if (req.method === 'DELETE') {
    engine.deleteQueue(account, name);
    return { status: 204 };
  }
  throw domainError('UnsupportedHttpVerb', `The resource doesn't support the specified HTTP verb ${req.method}.`);
}

function messageText(req: StorageRequest): string {
  const text = parseMessageText(req.body.toString());
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_MESSAGE_BYTES) {
    // What Azure answers (413 RequestBodyTooLarge with MaxLimit 65536), though its error list also names a
    // MessageTooLarge that it does not send for this.
    const error = domainError('RequestBodyTooLarge', `The request body is too large and exceeds the maximum permissible limit. The message text is ${bytes} bytes; at most ${MAX_MESSAGE_BYTES}.`);
    error.details = { MaxLimit: String(MAX_MESSAGE_BYTES) };
    throw error;
  }
  return text;
}

export function messagesOp(env: QueueEnv, req: StorageRequest, name: string): StorageResponse {
  const { engine, account, now } = env;
  if (req.method === 'POST') {
    const visibility = intParam(req.query, 'visibilitytimeout', 0, MAX_VISIBILITY_S, 0);
    const ttl = intParam(req.query, 'messagettl', -1, Number.MAX_SAFE_INTEGER, DEFAULT_TTL_S);
    if (ttl === 0) throw domainError('OutOfRangeQueryParameterValue', 'messagettl must be -1 (never expires) or at least 1 second.');
    if (ttl !== -1 && visibility >= ttl) throw domainError('OutOfRangeQueryParameterValue', `visibilitytimeout (${visibility}) must be smaller than messagettl (${ttl}).`);
    const message = engine.put(account, name, messageText(req), visibility * 1000, ttl === -1 ? -1 : ttl * 1000, now);
    return { status: 201, headers: XML, body: putMessageXml(message) };
  }
  if (req.method === 'GET') {
    const n = intParam(req.query, 'numofmessages', 1, 32, 1);
    if (req.query.get('peekonly') === 'true') return { status: 200, headers: XML, body: messagesXml(engine.peek(account, name, n, now), true) };
    const visibility = intParam(req.query, 'visibilitytimeout', 1, MAX_VISIBILITY_S, 30);
    return { status: 200, headers: XML, body: messagesXml(engine.receive(account, name, n, visibility * 1000, now), false) };
  }
  if (req.method === 'DELETE') {
    engine.clear(account, name);
    return { status: 204 };
  }
  throw domainError('UnsupportedHttpVerb', `The resource doesn't support the specified HTTP verb ${req.method}.`);
}

export function messageOp(env: QueueEnv, req: StorageRequest, name: string, id: string): StorageResponse {
  const receipt = req.query.get('popreceipt');
  if (!receipt) throw domainError('MissingRequiredQueryParameter', "A query parameter that's mandatory for this request is not specified: popreceipt.");
  if (req.method === 'DELETE') {
    env.engine.deleteMessage(env.account, name, id, receipt, env.now);
    return { status: 204 };
  }
  if (req.method === 'PUT') {
    const visibility = intParam(req.query, 'visibilitytimeout', 0, MAX_VISIBILITY_S);
    const text = req.body.length > 0 ? messageText(req) : undefined;
    const result = env.engine.update(env.account, name, id, receipt, visibility * 1000, text, env.now);
    return { status: 204, headers: { 'x-ms-popreceipt': result.popReceipt, 'x-ms-time-next-visible': new Date(result.visible).toUTCString() } };
  }
  throw domainError('UnsupportedHttpVerb', `The resource doesn't support the specified HTTP verb ${req.method}.`);
}
