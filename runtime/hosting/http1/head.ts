// Strict HTTP/1.1 message-head parsing (RFC 9112) for the front end. The front end re-serializes every head
// and re-frames every body it forwards, so the worker sees exactly the message boundaries decided here; being
// strict (reject, never guess) is what keeps a client from smuggling a second request past us.
//   - lines end in CRLF; obs-fold (a line starting with SP/HTAB) is rejected (RFC 9112 §5.2);
//   - a field name is a token directly followed by ':' (no whitespace before the colon, §5.1);
//   - Content-Length is digits only; several must agree; with Transfer-Encoding it is an error (§6.3);
//   - a request's Transfer-Encoding must end in chunked (§6.3 rule 4).

export class HttpParseError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface MessageHead {
  /** Request: method; response: undefined. */
  readonly method: string | undefined;
  /** Request target as sent. */
  readonly url: string | undefined;
  readonly status: number;
  readonly statusText: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  readonly minor: number;
  /** Field lines in order, flat [name, value, name, value, …] (names as sent). */
  readonly headers: string[];
  /** -1 when absent. */
  readonly contentLength: number;
  readonly chunked: boolean;
  /** Transfer-Encoding as sent (validated), for forwarding. */
  readonly transferEncoding: string | undefined;
  /** The sender asked to close (or HTTP/1.0 without keep-alive). */
  readonly close: boolean;
  /** Connection: upgrade together with an Upgrade field. */
  readonly upgrade: boolean;
  readonly expectContinue: boolean;
  /** Keep-Alive: timeout=N of a response, in seconds; -1 when absent. */
  readonly keepAliveTimeout: number;
}

// Token characters (RFC 9110 §5.6.2): ! # $ % & ' * + - . ^ _ ` | ~ DIGIT ALPHA.
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") TOKEN[c.charCodeAt(0)] = 1;

function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || TOKEN[c] === 0) return false;
  }
  return true;
}

/** Field values may hold VCHAR, obs-text, SP and HTAB; no other control bytes (no CR, LF or NUL). */
function hasBadValueChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

/** Strips optional whitespace (SP and HTAB only, RFC 9110 §5.6.3); String.trim would also eat control bytes. */
function trimOws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function hasToken(value: string, token: string): boolean {
  for (const part of value.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

/**
 * Parses a head given as latin1 text without its final CRLFCRLF. `isRequest` selects the start line.
 */
export function parseHead(text: string, isRequest: boolean): MessageHead {
  const lines = text.split('\r\n');
  const start = lines[0] as string;
  let method: string | undefined;
  let url: string | undefined;
  let status = 0;
  let statusText = '';
  let minor: number;
  if (isRequest) {
    const a = start.indexOf(' ');
    const b = start.lastIndexOf(' ');
    if (a <= 0 || b === a) throw new HttpParseError(400, 'malformed request line');
    method = start.slice(0, a);
    url = start.slice(a + 1, b);
    const version = start.slice(b + 1);
    if (!isToken(method)) throw new HttpParseError(400, 'malformed method');
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here
    if (url === '' || /[\s\x00-\x1f\x7f]/.test(url)) throw new HttpParseError(400, 'malformed request target');
    if (version === 'HTTP/1.1') minor = 1;
    else if (version === 'HTTP/1.0') minor = 0;
    else throw new HttpParseError(version.startsWith('HTTP/') ? 505 : 400, 'unsupported HTTP version');
  } else {
    if (!start.startsWith('HTTP/1.')) throw new HttpParseError(502, 'malformed status line');
    minor = start.charCodeAt(7) - 48;
    if ((minor !== 0 && minor !== 1) || start.charCodeAt(8) !== 32) throw new HttpParseError(502, 'malformed status line');
    const code = start.slice(9, 12);
    if (!/^[1-9]\d\d$/.test(code) || (start.length > 12 && start.charCodeAt(12) !== 32)) throw new HttpParseError(502, 'malformed status code');
    status = Number(code);
    statusText = start.slice(13);
    // The reason phrase is forwarded to the client: it may hold HTAB, SP, VCHAR and obs-text only.
    if (hasBadValueChar(statusText)) throw new HttpParseError(502, 'control character in the reason phrase');
  }

  const headers: string[] = [];
  let contentLength = -1;
  let transferEncoding: string | undefined;
  let connection = '';
  let hasUpgrade = false;
  let expectContinue = false;
  let keepAliveTimeout = -1;
  const bad = isRequest ? 400 : 502;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HttpParseError(bad, line.length > 0 && (line[0] === ' ' || line[0] === '\t') ? 'obsolete line folding' : 'malformed header line');
    const name = line.slice(0, colon);
    if (!isToken(name)) throw new HttpParseError(bad, `malformed header name "${name.slice(0, 40)}"`);
    const value = trimOws(line.slice(colon + 1));
    if (hasBadValueChar(value)) throw new HttpParseError(bad, `control character in header ${name}`);
    headers.push(name, value);
    switch (name.length) {
      case 14:
        if (name.toLowerCase() === 'content-length') {
          if (!/^\d{1,15}$/.test(value)) throw new HttpParseError(bad, 'invalid Content-Length');
          const n = Number(value);
          if (contentLength !== -1 && contentLength !== n) throw new HttpParseError(bad, 'conflicting Content-Length fields');
          contentLength = n;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        break;
      case 10:
        if (name.toLowerCase() === 'connection') connection = connection === '' ? value : `${connection}, ${value}`;
        else if (name.toLowerCase() === 'keep-alive') {
          const m = /timeout=(\d+)/i.exec(value);
          if (m) keepAliveTimeout = Number(m[1]);
        }
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') hasUpgrade = true;
        break;
      case 6:
        if (name.toLowerCase() === 'expect' && value.toLowerCase() === '100-continue') expectContinue = true;
        break;
    }
  }

  let chunked = false;
  if (transferEncoding !== undefined) {
    if (contentLength !== -1) throw new HttpParseError(bad, 'both Content-Length and Transfer-Encoding');
    const codings = transferEncoding.toLowerCase().split(',').map((s) => s.trim());
    chunked = codings[codings.length - 1] === 'chunked';
    if (codings.slice(0, -1).includes('chunked')) throw new HttpParseError(bad, 'chunked applied twice');
    if (isRequest && !chunked) throw new HttpParseError(400, 'Transfer-Encoding must end in chunked');
    if (minor === 0 && isRequest) throw new HttpParseError(400, 'Transfer-Encoding in an HTTP/1.0 request');
  }
  const close = connection !== '' && hasToken(connection, 'close') ? true : minor === 0 ? !hasToken(connection, 'keep-alive') : false;
  const upgrade = hasUpgrade && hasToken(connection, 'upgrade');
  return { method, url, status, statusText, minor, headers, contentLength, chunked, transferEncoding, close, upgrade, expectContinue, keepAliveTimeout };
}

/** Hop-by-hop fields (RFC 9110 §7.6.1), never forwarded as they are; the front end writes its own. */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade', 'proxy-authenticate', 'proxy-authorization', 'expect', 'http2-settings']);

/** Field names listed in Connection are hop-by-hop too. */
export function connectionListed(headers: readonly string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if ((headers[i] as string).length === 10 && (headers[i] as string).toLowerCase() === 'connection') {
      for (const t of (headers[i + 1] as string).split(',')) {
        const name = t.trim().toLowerCase();
        if (name !== '' && name !== 'close' && name !== 'keep-alive' && name !== 'upgrade') (out ??= new Set()).add(name);
      }
    }
  }
  return out;
}

/** The first value of a field, by name in any case (heads keep fields as a flat [name, value, …] list). */
export function headerValue(head: MessageHead, name: string): string | undefined {
  const h = head.headers;
  const lower = name.toLowerCase();
  for (let i = 0; i < h.length; i += 2) if ((h[i] as string).toLowerCase() === lower) return h[i + 1];
  return undefined;
}
