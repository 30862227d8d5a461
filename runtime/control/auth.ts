// Who may use the control API. It drives processes and a shell on this machine, so three checks stand in
// front of every API call and WebSocket upgrade:
// - the per-run token (constant-time compare), so another local user or program cannot use it;
// - the Host header, so a web page cannot reach it through DNS rebinding (a name that resolves to 127.0.0.1);
// - the Origin header, when present, so a page of another origin cannot drive it from the user's browser
//   (cross-site request forgery, cross-site WebSocket hijacking).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { cbError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import { TOKEN_PROTOCOL_PREFIX } from '../shared/protocol.js';

export function createToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Compares digests, so neither the length nor the content of the token leaks through timing. */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The names this server answers to: loopback names with its port, plus the address it was bound to. */
export function allowedHosts(bindHost: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  if (bindHost !== '0.0.0.0' && bindHost !== '::') names.push(bindHost.includes(':') ? `[${bindHost}]` : bindHost);
  return new Set(names.map((n) => `${n}:${port}`.toLowerCase()));
}

/** Checks Host and Origin; returns the refusal, or undefined when the request may proceed. */
export function checkOrigin(req: IncomingMessage, hosts: Set<string>): CloudbenchError | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return cbError('CB_ERR_CONTROL_FORBIDDEN', { detail: `the Host "${host}" is not this workbench (${[...hosts][0]})` });
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let originHost: string;
    try {
      const u = new URL(origin);
      originHost = u.protocol === 'http:' ? u.host.toLowerCase() : '';
    } catch {
      originHost = '';
    }
    if (!hosts.has(originHost)) return cbError('CB_ERR_CONTROL_FORBIDDEN', { detail: `requests from pages of ${origin} are not accepted` });
  } else if (origin === 'null') {
    return cbError('CB_ERR_CONTROL_FORBIDDEN', { detail: 'requests from opaque origins (sandboxed frames, file: pages) are not accepted' });
  }
  return undefined;
}

/** The token of an HTTP request (Authorization: Bearer) or of a WebSocket upgrade (a subprotocol). */
export function requestToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols) {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith(TOKEN_PROTOCOL_PREFIX)) return t.slice(TOKEN_PROTOCOL_PREFIX.length);
    }
  }
  return undefined;
}

export function checkToken(req: IncomingMessage, expected: string): CloudbenchError | undefined {
  const given = requestToken(req);
  if (given === undefined) return cbError('CB_ERR_CONTROL_UNAUTHORIZED', { detail: 'no token was sent' });
  if (!tokenMatches(given, expected)) return cbError('CB_ERR_CONTROL_UNAUTHORIZED', { detail: 'the token is wrong (it changes every time Cloudbench starts)' });
  return undefined;
}
