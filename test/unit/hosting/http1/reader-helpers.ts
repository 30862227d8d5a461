// Shared by the http1 tests: a handler that records what a MessageReader reports, ways to feed it bytes,
// and a seeded PRNG so random chunkings and mutations are the same on every run.
import type { MessageHead } from '../../../../runtime/hosting/http1/head.js';
import { MessageReader } from '../../../../runtime/hosting/http1/message-reader.js';
import type { ReaderHandler } from '../../../../runtime/hosting/http1/message-reader.js';

export interface Recorded {
  readonly head: MessageHead;
  /** Body bytes as handed to onData, concatenated, latin1. */
  body: string;
  /** How many onData calls made up the body. */
  dataCalls: number;
  ended: boolean;
}

export interface RecorderOptions {
  /** Responses: return false to say "no body" (a reply to HEAD), by message index. */
  readonly wantsBody?: (index: number, head: MessageHead) => boolean;
  /** Turn on rawChunked for chunked messages. */
  readonly raw?: boolean;
  /** Pause in onEnd (to hold the next message). */
  readonly pauseOnEnd?: boolean;
  /** Called from onHead, after recording (e.g. to call reader.upgrade()). */
  readonly onHead?: (reader: MessageReader, head: MessageHead) => void;
}

export class Recorder implements ReaderHandler {
  readonly messages: Recorded[] = [];
  /** Every callback in order: 'head', 'data:<bytes>', 'end'. */
  readonly events: string[] = [];
  reader!: MessageReader;

  constructor(private readonly options: RecorderOptions = {}) {}

  onHead(head: MessageHead): boolean {
    const index = this.messages.length;
    this.messages.push({ head, body: '', dataCalls: 0, ended: false });
    this.events.push('head');
    if (this.options.raw && head.chunked) this.reader.rawChunked = true;
    this.options.onHead?.(this.reader, head);
    return this.options.wantsBody ? this.options.wantsBody(index, head) : true;
  }

  onData(chunk: Buffer): void {
    const current = this.messages[this.messages.length - 1];
    if (current === undefined) throw new Error('onData before any head');
    if (current.ended) throw new Error('onData after onEnd');
    current.body += chunk.toString('latin1');
    current.dataCalls++;
    this.events.push(`data:${chunk.toString('latin1')}`);
  }

  onEnd(): void {
    const current = this.messages[this.messages.length - 1];
    if (current === undefined) throw new Error('onEnd before any head');
    if (current.ended) throw new Error('onEnd twice for one message');
    current.ended = true;
    this.events.push('end');
    if (this.options.pauseOnEnd) this.reader.pause();
  }

  /** Heads and bodies only: what must not depend on how the bytes were chunked. */
  summary(): Array<{ head: MessageHead; body: string; ended: boolean }> {
    return this.messages.map((m) => ({ head: m.head, body: m.body, ended: m.ended }));
  }
}

export function createReader(isRequest: boolean, options: RecorderOptions = {}, maxHeadSize = 16 * 1024): { reader: MessageReader; rec: Recorder } {
  const rec = new Recorder(options);
  const reader = new MessageReader(isRequest, maxHeadSize, rec);
  rec.reader = reader;
  return { reader, rec };
}

export function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Feeds `data` in pieces ending at the given offsets (each piece a fresh Buffer, as sockets deliver). */
export function pushPieces(reader: MessageReader, data: Buffer, cuts: readonly number[]): void {
  let from = 0;
  for (const cut of [...cuts, data.length]) {
    if (cut > from) reader.push(Buffer.from(data.subarray(from, cut)));
    from = Math.max(from, cut);
  }
}

/** mulberry32: a tiny seeded PRNG, good enough to make test inputs reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random cut points in (0, length), sorted, about one every `meanPiece` bytes. */
export function randomCuts(random: () => number, length: number, meanPiece: number): number[] {
  const cuts: number[] = [];
  let at = 0;
  for (;;) {
    at += 1 + Math.floor(random() * meanPiece * 2);
    if (at >= length) return cuts;
    cuts.push(at);
  }
}
