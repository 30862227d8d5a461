// Which headers cross the proxy. Hop-by-hop headers describe one connection, not the message, and must not
// be forwarded (RFC 9110 §7.6.1), including any header the Connection header names; forwarding them would
// let a client desync the front end's pooled connections to the workers (request smuggling).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'expect', 'http2-settings']);

export interface ForwardOptions {
  /** iisnode's enableXFF: add/extend X-Forwarded-For and add X-Forwarded-Proto. */
  readonly enableXFF: boolean;
}

/** The request headers to send to a worker, as a flat [name, value, …] list that keeps duplicates and order. */
export function requestHeadersForWorker(req: IncomingMessage, options: ForwardOptions, keepUpgrade = false): string[] {
  const raw = req.rawHeaders;
  const named = connectionTokens(req.headers.connection);
  const out: string[] = [];
  let xff: string | undefined;
  let hasProto = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (keepUpgrade && (lower === 'upgrade' || lower === 'connection')) {
      out.push(name, raw[i + 1] as string);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || (named !== undefined && named.has(lower))) continue;
    if (options.enableXFF) {
      if (lower === 'x-forwarded-for') {
        xff = xff === undefined ? (raw[i + 1] as string) : `${xff}, ${raw[i + 1]}`;
        continue;
      }
      if (lower === 'x-forwarded-proto') hasProto = true;
    }
    out.push(name, raw[i + 1] as string);
  }
  if (options.enableXFF) {
    out.push('X-Forwarded-For', appendForwardedFor(xff, req.socket.remoteAddress ?? ''));
    if (!hasProto) out.push('X-Forwarded-Proto', (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http');
  }
  return out;
}

/** iisnode's rule: append the client address unless it already is the last entry (iisnode test 118). */
export function appendForwardedFor(existing: string | undefined, address: string): string {
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (existing === undefined || existing.trim() === '') return ip;
  const last = existing.split(',').pop()?.trim();
  return last === ip ? existing : `${existing}, ${ip}`;
}

/** Response headers from a worker as a writeHead() object: hop-by-hop headers removed, duplicates kept as arrays. */
export function responseHeadersForClient(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = connectionTokens(headers.connection);
  for (const name of Object.keys(headers)) {
    if (HOP_BY_HOP.has(name) || (named !== undefined && named.has(name))) delete headers[name];
  }
  return headers;
}

function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(',') : value;
  if (text === 'keep-alive' || text === 'close') return undefined;
  return new Set(text.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '' && t !== 'close' && t !== 'keep-alive'));
}
