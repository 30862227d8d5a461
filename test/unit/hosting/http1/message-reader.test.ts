// MessageReader decides where each message ends; a wrong boundary forwards part of one request as another.
// These tests pin the framing rules (Content-Length, chunked, close-delimited, no-body responses), the
// controls the front end uses (pause/resume, upgrade, rawChunked) and the limits. Split-point, random
// chunking and fuzz tests are in message-reader-split.test.ts.
import { describe, expect, it } from 'vitest';
import { HttpParseError } from '../../../../runtime/hosting/http1/head.js';
import { MessageReader } from '../../../../runtime/hosting/http1/message-reader.js';
import type { MessageReader as Reader } from '../../../../runtime/hosting/http1/message-reader.js';
import { bytes, createReader } from './reader-helpers.js';

function parseError(run: () => void): HttpParseError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(HttpParseError);
    return err as HttpParseError;
  }
  throw new Error('expected an HttpParseError, but the bytes were accepted');
}

function push(reader: Reader, text: string): void {
  reader.push(bytes(text));
}

describe('MessageReader: request bodies', () => {
  it('ends a request without a body right after its head', () => {
    const { reader, rec } = createReader(true);
    push(reader, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(rec.events).toEqual(['head', 'end']);
    expect(rec.messages[0]?.head.url).toBe('/');
    expect(reader.idle).toBe(true);
  });

  it('ends a request with Content-Length: 0 right after its head', () => {
    const { reader, rec } = createReader(true);
    push(reader, 'POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n');
    expect(rec.events).toEqual(['head', 'end']);
  });

  it('hands out exactly Content-Length bytes, across pushes', () => {
    const { reader, rec } = createReader(true);
    push(reader, 'POST /u HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello');
    expect(rec.events).toEqual(['head', 'data:hello']);
    expect(reader.idle).toBe(false);
    push(reader, ' world');
    expect(rec.events).toEqual(['head', 'data:hello', 'data: world', 'end']);
    expect(reader.idle).toBe(true);
  });

  it('decodes a chunked body with chunk extensions and trailers', () => {
    const { reader, rec } = createReader(true);
    push(reader, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' + '5;name=value\r\nhello\r\n' + '6 ; q="a;b"\r\n world\r\n' + 'A\r\n0123456789\r\n' + '0;last\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n');
    expect(rec.messages).toHaveLength(1);
    expect(rec.messages[0]?.body).toBe('hello world0123456789');
    expect(rec.messages[0]?.ended).toBe(true);
    expect(reader.idle).toBe(true);
  });

  it('accepts upper- and lower-case hex chunk sizes', () => {
    const { reader, rec } = createReader(true);
    push(reader, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' + `b\r\n${'x'.repeat(11)}\r\nB\r\n${'y'.repeat(11)}\r\n0\r\n\r\n`);
    expect(rec.messages[0]?.body).toBe('x'.repeat(11) + 'y'.repeat(11));
  });

  it('skips empty lines before a request (RFC 9112 §2.2)', () => {
    const { reader, rec } = createReader(true);
    push(reader, '\r\n\r\nGET /a HTTP/1.1\r\n\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
    expect(rec.messages.map((m) => m.head.url)).toEqual(['/a', '/b']);
  });

  it('reads pipelined requests of every framing from one push, in order', () => {
    const { reader, rec } = createReader(true);
    push(reader, 'GET /1 HTTP/1.1\r\n\r\n' + 'POST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc' + 'POST /3 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n' + 'GET /4 HTTP/1.0\r\n\r\n');
    expect(rec.messages.map((m) => [m.head.url, m.body, m.ended])).toEqual([
      ['/1', '', true],
      ['/2', 'abc', true],
      ['/3', 'de', true],
      ['/4', '', true],
    ]);
  });

  it('never reads a request body "until close": a request without a length has no body', () => {
    const { reader, rec } = createReader(true);
    push(reader, 'POST / HTTP/1.1\r\n\r\nGET /next HTTP/1.1\r\n\r\n');
    expect(rec.messages.map((m) => [m.head.url, m.body])).toEqual([
      ['/', ''],
      ['/next', ''],
    ]);
  });
});

describe('MessageReader: response bodies', () => {
  it('reads a close-delimited response until end()', () => {
    const { reader, rec } = createReader(false);
    push(reader, 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nabc');
    push(reader, 'def');
    expect(rec.events).toEqual(['head', 'data:abc', 'data:def']);
    expect(reader.end()).toBe(true);
    expect(rec.events).toEqual(['head', 'data:abc', 'data:def', 'end']);
  });

  it('completes an empty close-delimited response on end()', () => {
    const { reader, rec } = createReader(false);
    push(reader, 'HTTP/1.0 200 OK\r\n\r\n');
    expect(rec.events).toEqual(['head']);
    expect(reader.end()).toBe(true);
    expect(rec.events).toEqual(['head', 'end']);
  });

  it('reports a Content-Length body cut short by end()', () => {
    const { reader, rec } = createReader(false);
    push(reader, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
    expect(reader.end()).toBe(false);
    expect(rec.messages[0]?.ended).toBe(false);
  });

  it('reports a chunked body cut short by end()', () => {
    const { reader } = createReader(false);
    push(reader, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab');
    expect(reader.end()).toBe(false);
  });

  it('reports a clean end between messages', () => {
    const { reader } = createReader(false);
    expect(reader.end()).toBe(true);
    push(reader, 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx');
    expect(reader.end()).toBe(true);
  });

  // A worker that dies halfway through writing a head has cut its response short just as much as one that
  // dies in the body; end() says "false if a message was cut short".
  it('reports a head cut short by end()', () => {
    const { reader, rec } = createReader(false);
    push(reader, 'HTTP/1.1 200 OK\r\nContent-Le');
    expect(rec.events).toEqual([]);
    expect(reader.end()).toBe(false);
  });

  it('gives a reply to HEAD no body even with Content-Length or chunked (onHead returns false)', () => {
    const { reader, rec } = createReader(false, { wantsBody: (i) => i !== 0 && i !== 1 });
    push(reader, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n' + 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' + 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
    expect(rec.messages.map((m) => [m.head.status, m.body, m.ended])).toEqual([
      [200, '', true],
      [200, '', true],
      [200, 'hi', true],
    ]);
  });

  it('gives 1xx, 204 and 304 responses no body, whatever their fields say', () => {
    const { reader, rec } = createReader(false);
    push(
      reader,
      'HTTP/1.1 100 Continue\r\n\r\n' +
        'HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n' +
        'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n' +
        'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n' +
        'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
    );
    expect(rec.messages.map((m) => [m.head.status, m.body, m.ended])).toEqual([
      [100, '', true],
      [103, '', true],
      [204, '', true],
      [304, '', true],
      [200, 'ok', true],
    ]);
  });

  it('does not skip empty lines before a response (only requests get that tolerance)', () => {
    const { reader } = createReader(false);
    expect(parseError(() => push(reader, '\r\nHTTP/1.1 200 OK\r\n\r\n')).status).toBe(502);
  });
});

describe('MessageReader: pause and resume', () => {
  it('holds the next pipelined message while paused in onEnd, and delivers it on resume()', () => {
    const { reader, rec } = createReader(true, { pauseOnEnd: true });
    push(reader, 'POST /1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nab' + 'GET /2 HTTP/1.1\r\n\r\n');
    expect(rec.messages.map((m) => m.head.url)).toEqual(['/1']);
    expect(reader.idle).toBe(false);
    // More bytes while paused are kept, not parsed.
    push(reader, 'GET /3 HTTP/1.1\r\n\r\n');
    expect(rec.messages.map((m) => m.head.url)).toEqual(['/1']);
    reader.resume();
    expect(rec.messages.map((m) => m.head.url)).toEqual(['/1', '/2']);
    reader.resume();
    expect(rec.messages.map((m) => m.head.url)).toEqual(['/1', '/2', '/3']);
    expect(reader.idle).toBe(true);
  });

  it('treats resume() without pause() as a no-op', () => {
    const { reader, rec } = createReader(true);
    reader.resume();
    push(reader, 'GET / HTTP/1.1\r\n\r\n');
    reader.resume();
    expect(rec.events).toEqual(['head', 'end']);
  });

  it('stops handing out body bytes when paused in onHead, and continues on resume()', () => {
    const { reader, rec } = createReader(true, { onHead: (r) => r.pause() });
    push(reader, 'POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz');
    expect(rec.events).toEqual(['head']);
    reader.resume();
    expect(rec.events).toEqual(['head', 'data:xyz', 'end']);
  });
});

describe('MessageReader: upgrade', () => {
  it('returns the bytes after an upgrade request head when upgrade() is called from onHead', () => {
    const leftovers: Buffer[] = [];
    const { reader, rec } = createReader(true, { onHead: (r, head) => void (head.upgrade && leftovers.push(r.upgrade())) });
    push(reader, 'GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello');
    expect(leftovers.map((b) => b.toString('latin1'))).toEqual(['\x81\x05hello']);
    expect(reader.upgraded).toBe(true);
    expect(rec.events).toEqual(['head']);
    // Nothing after the switch is parsed as HTTP.
    push(reader, 'GET /not-http HTTP/1.1\r\n\r\n');
    expect(rec.events).toEqual(['head']);
  });

  it('returns the bytes held back by a pause when upgrade() is called later', () => {
    const { reader, rec } = createReader(true, { pauseOnEnd: true });
    push(reader, 'GET /ws HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nframe-1');
    push(reader, 'frame-2');
    expect(rec.events).toEqual(['head', 'end']);
    expect(reader.upgrade().toString('latin1')).toBe('frame-1frame-2');
    expect(reader.upgraded).toBe(true);
  });

  it('returns an empty buffer when nothing followed the head', () => {
    const leftovers: Buffer[] = [];
    const { reader } = createReader(false, { onHead: (r) => void leftovers.push(r.upgrade()) });
    push(reader, 'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(leftovers.map((b) => b.length)).toEqual([0]);
  });
});

describe('MessageReader: rawChunked', () => {
  it('hands out a chunked body with its framing, byte for byte, and decodes the next message normally', () => {
    const framed = '3;x=1\r\nabc\r\n0\r\nT: 1\r\n\r\n';
    const { reader, rec } = createReader(false, { raw: true });
    push(reader, `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${framed}HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok`);
    expect(rec.messages.map((m) => [m.body, m.ended])).toEqual([
      [framed, true],
      ['ok', true],
    ]);
  });

  it('still validates the framing it hands out raw', () => {
    const { reader } = createReader(false, { raw: true });
    expect(parseError(() => push(reader, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n')).status).toBe(502);
  });

  it('is reset after each message (the next chunked message is decoded unless set again)', () => {
    let heads = 0;
    const { reader, rec } = createReader(false, {
      onHead: (r) => {
        if (heads++ === 0) r.rawChunked = true;
      },
    });
    push(reader, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n' + 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nb\r\n0\r\n\r\n');
    expect(rec.messages.map((m) => m.body)).toEqual(['1\r\na\r\n0\r\n\r\n', 'b']);
    expect(reader.rawChunked).toBe(false);
  });
});

describe('MessageReader: limits', () => {
  it('answers a request head over the limit with 431, whether or not its end has arrived', () => {
    const big = `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(200)}`;
    expect(parseError(() => createReader(true, {}, 100).reader.push(bytes(big))).status).toBe(431);
    expect(parseError(() => createReader(true, {}, 100).reader.push(bytes(`${big}\r\n\r\n`))).status).toBe(431);
  });

  it('answers a response head over the limit with 502', () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(200)}`;
    expect(parseError(() => createReader(false, {}, 100).reader.push(bytes(big))).status).toBe(502);
    expect(parseError(() => createReader(false, {}, 100).reader.push(bytes(`${big}\r\n\r\n`))).status).toBe(502);
  });

  it('accepts a head of exactly the limit (the final CRLFCRLF does not count)', () => {
    const head = 'GET / HTTP/1.1\r\nX: ' + 'a'.repeat(81);
    expect(head.length).toBe(100);
    const { reader, rec } = createReader(true, {}, 100);
    push(reader, `${head}\r\n\r\n`);
    expect(rec.events).toEqual(['head', 'end']);
    expect(parseError(() => createReader(true, {}, 99).reader.push(bytes(`${head}\r\n\r\n`))).status).toBe(431);
  });

  it('counts the limit per message, not per connection', () => {
    const { reader, rec } = createReader(true, {}, 100);
    const one = 'GET / HTTP/1.1\r\nX: ' + 'a'.repeat(60) + '\r\n\r\n';
    push(reader, one.repeat(5));
    expect(rec.messages).toHaveLength(5);
  });
});

describe('MessageReader: chunk framing errors', () => {
  const prefix = 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n';

  it.each([
    ['not hex', 'zz\r\n'],
    ['negative', '-1\r\n'],
    ['empty', '\r\n'],
    ['leading space', ' 5\r\nhello\r\n'],
    ['0x prefix', '0x5\r\nhello\r\n'],
    ['13 hex digits', '1000000000000\r\n'],
    ['a sign', '+5\r\nhello\r\n'],
  ])('rejects a chunk size that is %s', (_name, line) => {
    expect(parseError(() => push(createReader(true).reader, prefix + line)).message).toMatch(/invalid chunk size/);
  });

  it('rejects chunk data not followed by CRLF', () => {
    expect(parseError(() => push(createReader(true).reader, `${prefix}5\r\nhelloX\r\n`)).message).toMatch(/not followed by CRLF/);
    expect(parseError(() => push(createReader(true).reader, `${prefix}5\r\nhello\rX`)).message).toMatch(/not followed by CRLF/);
    expect(parseError(() => push(createReader(true).reader, `${prefix}5\r\nhello\n0\r\n\r\n`)).message).toMatch(/not followed by CRLF/);
  });

  it('rejects a chunk-size line ended by a bare LF', () => {
    expect(parseError(() => push(createReader(true).reader, `${prefix}5\nhello\r\n`)).message).toMatch(/CRLF/);
  });

  it('rejects a chunk-size line longer than 4 KiB that has no end', () => {
    expect(parseError(() => push(createReader(true).reader, `${prefix}5;${'e'.repeat(5000)}`)).message).toMatch(/too long/);
  });

  it('uses 400 for requests and 502 for responses', () => {
    expect(parseError(() => push(createReader(true).reader, `${prefix}g\r\n`)).status).toBe(400);
    expect(parseError(() => push(createReader(false).reader, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\ng\r\n')).status).toBe(502);
  });

  it('passes head errors through with their status (505 for HTTP/2.0)', () => {
    expect(parseError(() => push(createReader(true).reader, 'GET / HTTP/2.0\r\n\r\n')).status).toBe(505);
  });
});

describe('MessageReader: seen', () => {
  it('counts the bytes of the current message and starts over at the next', () => {
    const reader = new MessageReader(false, 1000, { onHead: () => true, onData: () => {}, onEnd: () => {} });
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n';
    reader.push(bytes(`${head}ab`));
    expect(reader.seen).toBe(head.length + 2);
    reader.push(bytes('cd'));
    expect(reader.seen).toBe(0);
  });
});
