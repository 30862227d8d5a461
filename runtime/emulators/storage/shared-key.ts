// SharedKey and SharedKeyLite verification: rebuild the string the client signed, HMAC-SHA256 it with each of
// the account's keys and compare in constant time (a timing oracle would let a caller forge signatures byte by
// byte). https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export type StorageService = 'table' | 'queue';

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** x-ms-* headers, lower-cased, sorted, `name:value\n` each (the "canonicalized headers"). */
function canonicalHeaders(headers: IncomingHttpHeaders): string {
  return Object.keys(headers)
    .filter((n) => n.startsWith('x-ms-'))
    .sort()
    .map((n) => `${n}:${header(headers, n).trim()}\n`)
    .join('');
}

/** Blob/Queue full canonicalized resource: path, then each query parameter `\nname:v1,v2` sorted. */
function canonicalResourceFull(account: string, path: string, query: URLSearchParams): string {
  let out = `/${account}${path}`;
  const names = [...new Set([...query.keys()].map((k) => k.toLowerCase()))].sort();
  for (const name of names) {
    const values = [...query.entries()].filter(([k]) => k.toLowerCase() === name).map(([, v]) => v).sort();
    out += `\n${name}:${values.join(',')}`;
  }
  return out;
}

/** Table and the Lite schemes: the path plus only `?comp=`. */
function canonicalResourceComp(account: string, path: string, query: URLSearchParams): string {
  const comp = query.get('comp');
  return `/${account}${path}${comp === null ? '' : `?comp=${comp}`}`;
}

export interface SignedRequest {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly query: URLSearchParams;
  /** Arrived over HTTPS (a SAS with spr=https allows only these). */
  readonly secure?: boolean;
}

/** The strings a client may have signed for this request (the encoded and the decoded path both occur). */
export function stringsToSign(service: StorageService, lite: boolean, req: SignedRequest, account: string, paths: readonly string[]): string[] {
  const h = req.headers;
  const date = header(h, 'x-ms-date') || header(h, 'date');
  return paths.flatMap((path) => {
    if (service === 'table') {
      const resource = canonicalResourceComp(account, path, req.query);
      if (lite) return `${date}\n${resource}`;
      return [req.method, header(h, 'content-md5'), header(h, 'content-type'), date, resource].join('\n');
    }
    if (lite) {
      const resource = canonicalResourceComp(account, path, req.query);
      return [req.method, header(h, 'content-md5'), header(h, 'content-type'), h['x-ms-date'] ? '' : date, canonicalHeaders(h) + resource].join('\n');
    }
    // From version 2015-02-21 a zero Content-Length is signed as the empty string; before, as "0" (the `azure`
    // package's queue client of 2012–2014 sends 2011-08-18 and signs the 0), and a client that signs the empty
    // string with an old version is accepted too.
    const length = header(h, 'content-length');
    const version = header(h, 'x-ms-version');
    const lengths = length !== '0' ? [length] : version === '' || version >= '2015-02-21' ? [''] : ['0', ''];
    return lengths.map((signedLength) => [
      req.method,
      header(h, 'content-encoding'),
      header(h, 'content-language'),
      signedLength,
      header(h, 'content-md5'),
      header(h, 'content-type'),
      h['x-ms-date'] ? '' : header(h, 'date'),
      header(h, 'if-modified-since'),
      header(h, 'if-match'),
      header(h, 'if-none-match'),
      header(h, 'if-unmodified-since'),
      header(h, 'range'),
      canonicalHeaders(h) + canonicalResourceFull(account, path, req.query),
    ].join('\n'));
  });
}

// Account keys live as long as the process: turn each into a KeyObject once rather than on every request.
const keyObjects = new WeakMap<Buffer, KeyObject>();

export function hmac(key: Buffer, text: string): Buffer {
  let keyObject = keyObjects.get(key);
  if (keyObject === undefined) keyObjects.set(key, (keyObject = createSecretKey(key)));
  return createHmac('sha256', keyObject).update(text, 'utf8').digest();
}

/** Constant-time comparison of a base64 signature against the HMAC of each candidate under each key. */
export function signatureMatches(signature: string, keys: readonly Buffer[], candidates: readonly string[]): boolean {
  // A '+' left unencoded in a SAS query reads back as a space.
  const text = signature.includes(' ') ? signature.replace(/ /g, '+') : signature;
  const given = Buffer.from(text, 'base64');
  // Only the exact base64 of the HMAC matches: Node's decoder skips what follows the padding and characters
  // outside the alphabet, so "<sig>=1" or "<sig> x" would otherwise decode to the right bytes.
  if (given.toString('base64') !== text) return false;
  // Each comparison is constant-time; stopping at the first match tells a caller only that it signed right.
  for (const text of candidates) {
    for (const key of keys) {
      const expected = hmac(key, text);
      if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
    }
  }
  return false;
}
