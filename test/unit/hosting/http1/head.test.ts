// The front end re-serializes every head it forwards, so whatever parseHead decides is what the worker sees.
// These tests pin the strict choices that keep a client from smuggling a second request past it (RFC 9112
// §6.3) and the flags the front end acts on (close, upgrade, 100-continue, keep-alive timeout).
import { describe, expect, it } from 'vitest';
import { HOP_BY_HOP, HttpParseError, connectionListed, parseHead } from '../../../../runtime/hosting/http1/head.js';
import type { MessageHead } from '../../../../runtime/hosting/http1/head.js';

function request(...lines: string[]): MessageHead {
  return parseHead(lines.join('\r\n'), true);
}

function response(...lines: string[]): MessageHead {
  return parseHead(lines.join('\r\n'), false);
}

/** Runs `parse` and returns the HttpParseError it throws (failing if it throws anything else or nothing). */
function parseError(parse: () => unknown): HttpParseError {
  try {
    parse();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpParseError);
    return err as HttpParseError;
  }
  throw new Error('expected an HttpParseError, but the head was accepted');
}

function rejectsRequest(status: number, message: RegExp, ...lines: string[]): void {
  const err = parseError(() => request(...lines));
  expect(err.status).toBe(status);
  expect(err.message).toMatch(message);
}

function rejectsResponse(message: RegExp, ...lines: string[]): void {
  const err = parseError(() => response(...lines));
  expect(err.status).toBe(502);
  expect(err.message).toMatch(message);
}

describe('parseHead: requests', () => {
  it('reads the request line and keeps fields in order with their names as sent', () => {
    expect(request('GET /a?b=1 HTTP/1.1', 'Host: example.test', 'X-Two: 1', 'x-two: 2')).toEqual({
      method: 'GET',
      url: '/a?b=1',
      status: 0,
      statusText: '',
      minor: 1,
      headers: ['Host', 'example.test', 'X-Two', '1', 'x-two', '2'],
      contentLength: -1,
      chunked: false,
      transferEncoding: undefined,
      close: false,
      upgrade: false,
      expectContinue: false,
      keepAliveTimeout: -1,
    });
  });

  it('trims optional whitespace around values (spaces and tabs) and allows empty values', () => {
    expect(request('GET / HTTP/1.1', 'A:  \t x y \t', 'B:', 'C:\tz').headers).toEqual(['A', 'x y', 'B', '', 'C', 'z']);
  });

  it('accepts obs-text (bytes 0x80-0xFF) and tabs inside values', () => {
    expect(request('GET / HTTP/1.1', 'X-Name: caf\xe9\tbar').headers).toEqual(['X-Name', 'caf\xe9\tbar']);
  });

  it('accepts absolute-form, asterisk-form and authority-form targets as sent', () => {
    expect(request('GET http://h/p HTTP/1.1').url).toBe('http://h/p');
    expect(request('OPTIONS * HTTP/1.1').url).toBe('*');
    expect(request('CONNECT h:443 HTTP/1.1').url).toBe('h:443');
  });

  it('rejects request lines without three space-separated parts', () => {
    rejectsRequest(400, /malformed request line/, 'GET /');
    rejectsRequest(400, /malformed request line/, 'GET');
    rejectsRequest(400, /malformed request line/, ' GET / HTTP/1.1');
  });

  it('rejects a method that is not a token and a target with whitespace or control bytes', () => {
    rejectsRequest(400, /malformed method/, 'G(T / HTTP/1.1');
    rejectsRequest(400, /malformed request target/, 'GET  / HTTP/1.1');
    rejectsRequest(400, /malformed request target/, 'GET /a\tb HTTP/1.1');
    rejectsRequest(400, /malformed request target/, 'GET /a\x00b HTTP/1.1');
    rejectsRequest(400, /malformed request target/, 'GET /a\x7f HTTP/1.1');
  });

  it('answers 505 to HTTP versions it does not speak and 400 to things that are not versions', () => {
    for (const v of ['HTTP/2.0', 'HTTP/1.2', 'HTTP/0.9', 'HTTP/3', 'HTTP/1.1x']) rejectsRequest(505, /unsupported HTTP version/, `GET / ${v}`);
    for (const v of ['http/1.1', 'HTTPS/1.1', '1.1']) rejectsRequest(400, /unsupported HTTP version/, `GET / ${v}`);
  });
});

describe('parseHead: Content-Length and Transfer-Encoding (request smuggling)', () => {
  it('takes a Content-Length of digits', () => {
    expect(request('POST / HTTP/1.1', 'Content-Length: 0').contentLength).toBe(0);
    expect(request('POST / HTTP/1.1', 'content-length: 123456789012345').contentLength).toBe(123456789012345);
  });

  it('rejects a message with both Content-Length and Transfer-Encoding, in either order', () => {
    rejectsRequest(400, /both Content-Length and Transfer-Encoding/, 'POST / HTTP/1.1', 'Content-Length: 5', 'Transfer-Encoding: chunked');
    rejectsRequest(400, /both Content-Length and Transfer-Encoding/, 'POST / HTTP/1.1', 'Transfer-Encoding: chunked', 'Content-Length: 5');
    rejectsResponse(/both Content-Length and Transfer-Encoding/, 'HTTP/1.1 200 OK', 'Transfer-Encoding: chunked', 'Content-Length: 5');
  });

  it('rejects Content-Length fields that disagree', () => {
    rejectsRequest(400, /conflicting Content-Length/, 'POST / HTTP/1.1', 'Content-Length: 5', 'Content-Length: 6');
    rejectsResponse(/conflicting Content-Length/, 'HTTP/1.1 200 OK', 'Content-Length: 5', 'content-length: 50');
  });

  it('accepts repeated Content-Length fields that agree', () => {
    expect(request('POST / HTTP/1.1', 'Content-Length: 5', 'content-length: 5').contentLength).toBe(5);
  });

  it.each(['', '5a', '-1', '+5', '0x10', '1 2', '5.0', '1e3', '5, 5', '1234567890123456', '\xbd'])('rejects Content-Length "%s"', (value) => {
    rejectsRequest(400, /invalid Content-Length/, 'POST / HTTP/1.1', `Content-Length: ${value}`);
  });

  it('rejects a response Content-Length that is not digits with 502', () => {
    rejectsResponse(/invalid Content-Length/, 'HTTP/1.1 200 OK', 'Content-Length: 12abc');
  });

  it('reads chunked requests, case-insensitively, keeping the field as sent', () => {
    const head = request('POST / HTTP/1.1', 'Transfer-Encoding: gzip, Chunked');
    expect(head.chunked).toBe(true);
    expect(head.transferEncoding).toBe('gzip, Chunked');
  });

  it('joins several Transfer-Encoding fields into one list', () => {
    const head = request('POST / HTTP/1.1', 'Transfer-Encoding: gzip', 'Transfer-Encoding: chunked');
    expect(head.chunked).toBe(true);
    expect(head.transferEncoding).toBe('gzip, chunked');
  });

  it('rejects a request whose Transfer-Encoding does not end in chunked (its length could not be known)', () => {
    rejectsRequest(400, /must end in chunked/, 'POST / HTTP/1.1', 'Transfer-Encoding: gzip');
    rejectsRequest(400, /must end in chunked|chunked applied twice/, 'POST / HTTP/1.1', 'Transfer-Encoding: chunked, gzip');
    rejectsRequest(400, /must end in chunked/, 'POST / HTTP/1.1', 'Transfer-Encoding: chunked-false');
    rejectsRequest(400, /must end in chunked/, 'POST / HTTP/1.1', 'Transfer-Encoding:');
  });

  it('rejects chunked applied twice, in one field or across two', () => {
    rejectsRequest(400, /chunked applied twice/, 'POST / HTTP/1.1', 'Transfer-Encoding: chunked, chunked');
    rejectsRequest(400, /chunked applied twice/, 'POST / HTTP/1.1', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked');
    rejectsResponse(/chunked applied twice/, 'HTTP/1.1 200 OK', 'Transfer-Encoding: chunked, chunked');
  });

  it('rejects Transfer-Encoding in an HTTP/1.0 request', () => {
    rejectsRequest(400, /HTTP\/1\.0/, 'POST / HTTP/1.0', 'Transfer-Encoding: chunked');
  });

  it('lets a response end its Transfer-Encoding in something else (the body then runs to the close)', () => {
    const head = response('HTTP/1.1 200 OK', 'Transfer-Encoding: gzip');
    expect(head.chunked).toBe(false);
    expect(head.contentLength).toBe(-1);
  });
});

describe('parseHead: field syntax', () => {
  it('rejects obs-fold continuation lines', () => {
    rejectsRequest(400, /obsolete line folding/, 'GET / HTTP/1.1', 'X-A: one', '  two');
    rejectsRequest(400, /obsolete line folding/, 'GET / HTTP/1.1', 'X-A: one', '\ttwo');
    // A folded line that happens to hold a colon is still not a field.
    rejectsRequest(400, /obsolete line folding|malformed header name/, 'GET / HTTP/1.1', 'X-A: one', ' Content-Length: 5');
    rejectsResponse(/obsolete line folding/, 'HTTP/1.1 200 OK', 'X-A: one', ' two');
  });

  it('rejects whitespace between the field name and the colon', () => {
    rejectsRequest(400, /malformed header name/, 'POST / HTTP/1.1', 'Content-Length : 5');
    rejectsRequest(400, /malformed header name/, 'POST / HTTP/1.1', 'Transfer-Encoding\t: chunked');
    rejectsResponse(/malformed header name/, 'HTTP/1.1 200 OK', 'Content-Length : 5');
  });

  it('rejects field lines without a name or a colon', () => {
    rejectsRequest(400, /malformed header line/, 'GET / HTTP/1.1', ': value');
    rejectsRequest(400, /malformed header line/, 'GET / HTTP/1.1', 'NoColonHere');
    rejectsRequest(400, /malformed header name/, 'GET / HTTP/1.1', 'Bad/Name: x');
    rejectsRequest(400, /malformed header name/, 'GET / HTTP/1.1', 'Caf\xe9: x');
  });

  it.each([
    ['NUL', '\x00'],
    ['SOH', '\x01'],
    ['bare CR', '\r'],
    ['bare LF', '\n'],
    ['vertical tab', '\x0b'],
    ['form feed', '\x0c'],
    ['DEL', '\x7f'],
  ])('rejects a %s inside a value', (_name, c) => {
    rejectsRequest(400, /control character in header X-A/, 'GET / HTTP/1.1', `X-A: a${c}b`);
    rejectsResponse(/control character/, 'HTTP/1.1 200 OK', `X-A: a${c}b`);
  });

  // RFC 9110 §5.5: only SP and HTAB are whitespace around a value. Trimming any other control byte hides it
  // from the check above, so `Content-Length: 5<VT>` or a bare LF just before the CRLF would pass.
  it.each([
    ['vertical tab at the end', 'a\x0b'],
    ['form feed at the start', '\x0ca'],
    ['bare LF at the end', 'a\n'],
    ['bare CR at the end', 'a\r'],
  ])('rejects a control byte at the edge of a value (%s)', (_name, value) => {
    rejectsRequest(400, /control character/, 'GET / HTTP/1.1', `X-A: ${value}`);
  });
});

describe('parseHead: responses', () => {
  it('reads the status line', () => {
    const head = response('HTTP/1.1 404 Not Found', 'Content-Length: 9');
    expect(head).toMatchObject({ method: undefined, url: undefined, status: 404, statusText: 'Not Found', minor: 1, contentLength: 9, close: false });
  });

  it('accepts an empty or multi-word reason phrase', () => {
    expect(response('HTTP/1.1 200').statusText).toBe('');
    expect(response('HTTP/1.1 200 ').statusText).toBe('');
    expect(response('HTTP/1.0 500 Internal Server Error').statusText).toBe('Internal Server Error');
  });

  it('rejects status lines that are not HTTP/1.x with a three-digit code', () => {
    for (const line of ['HTTP/2 200 OK', 'HTTP/1.2 200 OK', 'HTTP/1.1200 OK', 'http/1.1 200 OK', 'ICY 200 OK', '']) rejectsResponse(/malformed status line/, line);
    for (const line of ['HTTP/1.1 99 Low', 'HTTP/1.1 abc', 'HTTP/1.1 1000 Big', 'HTTP/1.1 20', 'HTTP/1.1 200OK', 'HTTP/1.1 -20 X']) rejectsResponse(/malformed status code/, line);
  });

  // The status code is exactly three digits (RFC 9112 §4); Number() also reads "2e2" as 200.
  it.each(['2e2', '1e2'])('rejects the non-digit status code "%s"', (code) => {
    rejectsResponse(/malformed status code/, `HTTP/1.1 ${code} OK`);
  });

  // The reason phrase is forwarded to the client as is: a bare LF in it would start a header there.
  it('rejects control bytes in the reason phrase', () => {
    rejectsResponse(/./, 'HTTP/1.1 200 OK\nSet-Cookie: a=b');
    rejectsResponse(/./, 'HTTP/1.1 200 O\x00K');
  });

  it('reads Keep-Alive: timeout=N in seconds, and -1 without it', () => {
    expect(response('HTTP/1.1 200 OK', 'Keep-Alive: timeout=5, max=1000').keepAliveTimeout).toBe(5);
    expect(response('HTTP/1.1 200 OK', 'keep-alive: max=3, TIMEOUT=72').keepAliveTimeout).toBe(72);
    expect(response('HTTP/1.1 200 OK', 'Keep-Alive: max=3').keepAliveTimeout).toBe(-1);
    expect(response('HTTP/1.1 200 OK').keepAliveTimeout).toBe(-1);
  });
});

describe('parseHead: connection flags', () => {
  it('sets close for Connection: close in any case and position of the list', () => {
    expect(request('GET / HTTP/1.1', 'Connection: close').close).toBe(true);
    expect(request('GET / HTTP/1.1', 'Connection: Keep-Alive, CLOSE').close).toBe(true);
    expect(request('GET / HTTP/1.1', 'Connection: keep-alive', 'Connection: close').close).toBe(true);
    expect(request('GET / HTTP/1.1', 'Connection: closed').close).toBe(false);
    expect(response('HTTP/1.1 200 OK', 'Connection: close').close).toBe(true);
  });

  it('treats HTTP/1.0 as close unless it asks for keep-alive', () => {
    expect(request('GET / HTTP/1.0').close).toBe(true);
    expect(request('GET / HTTP/1.0', 'Connection: keep-alive').close).toBe(false);
    expect(request('GET / HTTP/1.0', 'Connection: Keep-Alive').close).toBe(false);
    expect(request('GET / HTTP/1.0', 'Connection: keep-alive, close').close).toBe(true);
    expect(response('HTTP/1.0 200 OK').close).toBe(true);
    expect(response('HTTP/1.0 200 OK', 'Connection: keep-alive').close).toBe(false);
    expect(request('GET / HTTP/1.0').minor).toBe(0);
  });

  it('sets upgrade only when Connection lists upgrade and an Upgrade field is present', () => {
    expect(request('GET / HTTP/1.1', 'Connection: Upgrade', 'Upgrade: websocket').upgrade).toBe(true);
    expect(request('GET / HTTP/1.1', 'Upgrade: websocket', 'Connection: keep-alive, upgrade').upgrade).toBe(true);
    expect(request('GET / HTTP/1.1', 'Upgrade: websocket').upgrade).toBe(false);
    expect(request('GET / HTTP/1.1', 'Connection: upgrade').upgrade).toBe(false);
    expect(response('HTTP/1.1 101 Switching Protocols', 'Connection: upgrade', 'Upgrade: websocket').upgrade).toBe(true);
  });

  it('sets expectContinue only for Expect: 100-continue', () => {
    expect(request('POST / HTTP/1.1', 'Expect: 100-Continue', 'Content-Length: 1').expectContinue).toBe(true);
    expect(request('POST / HTTP/1.1', 'Expect: 100-continue-please').expectContinue).toBe(false);
    expect(request('POST / HTTP/1.1').expectContinue).toBe(false);
  });
});

describe('connectionListed and HOP_BY_HOP', () => {
  it('returns the field names a Connection header lists, lower-cased, without the connection options', () => {
    expect(connectionListed(['Connection', 'keep-alive, X-Secret , Upgrade', 'connection', 'close, x-other'])).toEqual(new Set(['x-secret', 'x-other']));
  });

  it('returns undefined when nothing extra is listed', () => {
    expect(connectionListed(['Connection', 'close', 'Host', 'a'])).toBeUndefined();
    expect(connectionListed([])).toBeUndefined();
  });

  it('lists the RFC 9110 hop-by-hop fields in lower case', () => {
    for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade', 'proxy-authorization']) expect(HOP_BY_HOP.has(name)).toBe(true);
    expect(HOP_BY_HOP.has('content-length')).toBe(false);
    expect(HOP_BY_HOP.has('host')).toBe(false);
  });
});
