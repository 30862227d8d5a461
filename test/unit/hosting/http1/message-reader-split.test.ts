// A socket may deliver a message in any pieces. If the reader's result depended on where a piece ends (a CRLF
// split from its LF, a chunk size cut in half, a head terminator across two pushes), a client could shape its
// writes to make the front end and the worker disagree on a boundary. Every message here is fed split at every
// byte, then in random pieces from a seeded PRNG, and must give the same heads and bodies each time. A fuzz
// loop then checks that broken bytes only ever raise HttpParseError.
import { describe, expect, it } from 'vitest';
import { HttpParseError } from '../../../../runtime/hosting/http1/head.js';
import { bytes, createReader, prng, pushPieces, randomCuts } from './reader-helpers.js';
import type { RecorderOptions } from './reader-helpers.js';

interface Stream {
  readonly name: string;
  readonly isRequest: boolean;
  readonly text: string;
  readonly options?: RecorderOptions;
  /** Close-delimited: the stream's end completes the last message. */
  readonly endsAtClose?: boolean;
  readonly expectedBodies: readonly string[];
}

const STREAMS: readonly Stream[] = [
  {
    name: 'pipelined requests of every framing',
    isRequest: true,
    text:
      '\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n' +
      'POST /b HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello world' +
      'POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nT: x\r\n\r\n' +
      '\r\nPUT /d HTTP/1.0\r\nContent-Length: 2\r\n\r\n\r\n',
    expectedBodies: ['', 'hello world', 'wikipedia in\r\n\r\nchunks.', '\r\n'],
  },
  {
    name: 'responses: 100, chunked, HEAD reply, 204, 304, then close-delimited',
    isRequest: false,
    text:
      'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' +
      'HTTP/1.1 204 No Content\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\nETag: "x"\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n\r\n\r' +
      'HTTP/1.0 200 OK\r\n\r\nuntil\r\nthe end',
    // The third response answers a HEAD request.
    options: { wantsBody: (index) => index !== 2 },
    endsAtClose: true,
    expectedBodies: ['', 'abcdefghijklmnopqrstuvwxyz', '', '', '', '\r\n\r', 'until\r\nthe end'],
  },
  {
    name: 'a chunked body whose data looks like framing',
    isRequest: true,
    text: 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n0\r\n\r\nGET\r\n4\r\n\r\n\r\n\r\n0\r\n\r\n',
    expectedBodies: ['0\r\n\r\nGET\r\n\r\n'],
  },
];

function run(stream: Stream, cuts: readonly number[], extra: RecorderOptions = {}) {
  const { reader, rec } = createReader(stream.isRequest, { ...stream.options, ...extra });
  pushPieces(reader, bytes(stream.text), cuts);
  const cleanEnd = reader.end();
  return { summary: rec.summary(), messages: rec.messages, cleanEnd };
}

describe.each(STREAMS)('MessageReader split invariance: $name', (stream) => {
  const whole = run(stream, []);

  it('parses the stream in one push as expected', () => {
    expect(whole.summary.map((m) => m.body)).toEqual(stream.expectedBodies);
    expect(whole.summary.every((m) => m.ended)).toBe(true);
    expect(whole.cleanEnd).toBe(true);
  });

  it('gives the same heads and bodies when split in two at every byte', () => {
    const length = bytes(stream.text).length;
    for (let cut = 0; cut <= length; cut++) {
      const split = run(stream, [cut]);
      expect(split.summary, `split at byte ${cut}`).toEqual(whole.summary);
      expect(split.cleanEnd, `split at byte ${cut}`).toBe(true);
    }
  });

  it('gives the same heads and bodies when split in three at every pair of bytes near each boundary', () => {
    // Every pair of cuts is quadratic; cuts within 4 bytes of each other cover CRLF pairs and terminators.
    const length = bytes(stream.text).length;
    for (let a = 1; a < length; a++) {
      for (let b = a + 1; b <= Math.min(length - 1, a + 4); b++) {
        expect(run(stream, [a, b]).summary, `split at ${a} and ${b}`).toEqual(whole.summary);
      }
    }
  });

  it('gives the same heads and bodies for 300 random chunkings (seeded)', () => {
    const random = prng(0xc10d + stream.name.length);
    const length = bytes(stream.text).length;
    for (let i = 0; i < 300; i++) {
      const cuts = randomCuts(random, length, 1 + (i % 17));
      expect(run(stream, cuts).summary, `cuts ${cuts.join(',')}`).toEqual(whole.summary);
    }
  });

  it('feeds one byte at a time', () => {
    const length = bytes(stream.text).length;
    expect(run(stream, Array.from({ length }, (_, i) => i)).summary).toEqual(whole.summary);
  });
});

describe('MessageReader rawChunked across split points', () => {
  // The framed body of each chunked message, exactly as on the wire (from after the head to the last CRLF).
  const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
  const framed = ['5;a=b\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n', '3\r\nabc\r\n0\r\n\r\n'];
  const text = `${head}${framed[0]}HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nplan${head}${framed[1]}`;

  it('hands out the framed bytes exactly as received, at every split point', () => {
    const length = bytes(text).length;
    for (let cut = 0; cut <= length; cut++) {
      const { reader, rec } = createReader(false, { raw: true });
      pushPieces(reader, bytes(text), [cut]);
      expect(rec.messages.map((m) => m.body), `split at byte ${cut}`).toEqual([framed[0], 'plan', framed[1]]);
      expect(rec.messages.every((m) => m.ended)).toBe(true);
    }
  });

  it('hands out the framed bytes exactly as received, for random chunkings', () => {
    const random = prng(4242);
    const length = bytes(text).length;
    for (let i = 0; i < 300; i++) {
      const { reader, rec } = createReader(false, { raw: true });
      pushPieces(reader, bytes(text), randomCuts(random, length, 1 + (i % 9)));
      expect(rec.messages.map((m) => m.body)).toEqual([framed[0], 'plan', framed[1]]);
    }
  });

  it('never hands out an empty raw piece', () => {
    const { reader, rec } = createReader(false, { raw: true });
    pushPieces(reader, bytes(text), Array.from({ length: text.length }, (_, i) => i));
    expect(rec.events.filter((e) => e === 'data:')).toEqual([]);
  });
});

describe('MessageReader head size limit across split points', () => {
  // Whether a head fits must not depend on how many bytes of its terminator arrived in the first push.
  it('accepts a head of exactly the limit at every split point', () => {
    const head = 'GET / HTTP/1.1\r\nX: ' + 'a'.repeat(81);
    const text = `${head}\r\n\r\n`;
    const failures: string[] = [];
    for (let cut = 0; cut <= text.length; cut++) {
      const { reader, rec } = createReader(true, {}, head.length);
      try {
        pushPieces(reader, bytes(text), [cut]);
        if (rec.messages.length !== 1) failures.push(`${cut}: no message`);
      } catch (err) {
        failures.push(`${cut}: ${(err as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('rejects a head one byte over the limit at every split point', () => {
    const head = 'GET / HTTP/1.1\r\nX: ' + 'a'.repeat(82);
    const text = `${head}\r\n\r\n`;
    for (let cut = 0; cut <= text.length; cut++) {
      const { reader } = createReader(true, {}, head.length - 1);
      expect(() => pushPieces(reader, bytes(text), [cut]), `split at ${cut}`).toThrow(HttpParseError);
    }
  });
});

describe('MessageReader fuzz: broken bytes raise HttpParseError and nothing else', () => {
  const SEEDS: ReadonlyArray<{ isRequest: boolean; text: string }> = [
    { isRequest: true, text: STREAMS[0]?.text as string },
    { isRequest: true, text: STREAMS[2]?.text as string },
    { isRequest: false, text: STREAMS[1]?.text as string },
    { isRequest: true, text: 'POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\nConnection: upgrade\r\nUpgrade: x\r\n\r\nabc' },
  ];
  const INTERESTING = [...'\r\n:; \t0123456789abcdefABCDEF-,', '\x00', '\x7f', '\xff'];

  function mutate(random: () => number, input: Buffer): Buffer {
    const out = [...input];
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (out.length + 1));
      const byte = random() < 0.6 ? (INTERESTING[Math.floor(random() * INTERESTING.length)] as string).charCodeAt(0) : Math.floor(random() * 256);
      const kind = random();
      if (kind < 0.4 && at < out.length) out[at] = byte;
      else if (kind < 0.7) out.splice(at, 0, byte);
      else if (kind < 0.9) out.splice(at, 1);
      else out.splice(at, Math.floor(random() * 8), ...out.slice(Math.floor(random() * out.length), Math.floor(random() * out.length)));
    }
    return Buffer.from(out);
  }

  it('survives 4000 seeded mutations of valid messages, pushed in random pieces', () => {
    const random = prng(20260101);
    const counts = { parsed: 0, rejected: 0 };
    for (let i = 0; i < 4000; i++) {
      const seed = SEEDS[i % SEEDS.length] as { isRequest: boolean; text: string };
      const input = mutate(random, bytes(seed.text));
      const cuts = randomCuts(random, input.length, 1 + Math.floor(random() * 40));
      const { reader } = createReader(seed.isRequest, {
        // Exercise the side paths too: HEAD replies, raw chunked, upgrades.
        wantsBody: () => random() < 0.8,
        raw: random() < 0.3,
        onHead: (r, head) => {
          if (head.upgrade && random() < 0.5) r.upgrade();
        },
      }, 512);
      try {
        pushPieces(reader, input, cuts);
        reader.end();
        counts.parsed++;
      } catch (err) {
        if (!(err instanceof HttpParseError)) {
          throw new Error(`mutation ${i} threw ${(err as Error).name}: ${(err as Error).message}; input ${JSON.stringify(input.toString('latin1'))}`, { cause: err });
        }
        expect([400, 431, 502, 505]).toContain(err.status);
        counts.rejected++;
      }
    }
    // Both outcomes happen, so the loop tests something either way.
    expect(counts.parsed).toBeGreaterThan(100);
    expect(counts.rejected).toBeGreaterThan(100);
  });
});
