// Incremental HTTP/1.1 message reader over a byte stream: finds heads, then hands out body bytes decoded
// from their framing (Content-Length, chunked, or up to the end of the stream for close-delimited responses).
// Body chunks are zero-copy slices of what the socket delivered.
import { HttpParseError, parseHead } from './head.js';
import type { MessageHead } from './head.js';

export interface ReaderHandler {
  /** A head was parsed. For responses, return false when the message has no body (e.g. a reply to HEAD). */
  onHead(head: MessageHead): boolean | void;
  onData(chunk: Buffer): void;
  /** The message is complete. The handler may pause() here to hold the next message. */
  onEnd(): void;
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  /** The connection switched protocols; no more HTTP here. */
  Upgraded,
}

const EMPTY = Buffer.alloc(0);
const MAX_CHUNK_LINE = 4096;

export class MessageReader {
  #state = State.Head;
  #buf: Buffer = EMPTY;
  #off = 0;
  #remaining = 0;
  #paused = false;
  #searchFrom = 0;
  /** Bytes of the current message seen so far (a response that started can no longer be retried). */
  seen = 0;
  /**
   * Set by onHead: hand out a chunked body with its framing, as received (validated all the same). The front
   * end then forwards it in one slice instead of re-framing it, when the client takes chunked too.
   */
  rawChunked = false;
  #rawFrom = -1;

  constructor(
    private readonly isRequest: boolean,
    private readonly maxHeadSize: number,
    private readonly handler: ReaderHandler,
  ) {}

  /** Some of the current message has arrived (even just part of its head). */
  get started(): boolean {
    return this.seen > 0 || this.#off < this.#buf.length;
  }

  /** Between messages (nothing of a next one has arrived). */
  get idle(): boolean {
    return this.#state === State.Head && this.#off >= this.#buf.length;
  }

  get upgraded(): boolean {
    return this.#state === State.Upgraded;
  }

  push(chunk: Buffer): void {
    if (this.#off >= this.#buf.length) {
      this.#buf = chunk;
      this.#off = 0;
    } else {
      this.#buf = Buffer.concat([this.#buf.subarray(this.#off), chunk]);
      this.#searchFrom -= this.#off;
      this.#off = 0;
    }
    this.#run();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#run();
  }

  /** Stop parsing for good: the rest of the stream belongs to another protocol. Returns the bytes already read. */
  upgrade(): Buffer {
    this.#state = State.Upgraded;
    const rest = this.#buf.subarray(this.#off);
    this.#buf = EMPTY;
    this.#off = 0;
    return rest;
  }

  /** The stream ended. Completes a close-delimited body; returns false if a message was cut short. */
  end(): boolean {
    if (this.#state === State.UntilClose) {
      this.#state = State.Head;
      this.handler.onEnd();
      return true;
    }
    // Between messages only if nothing of a next head has arrived either.
    return this.#state === State.Head && this.seen === 0 && this.#off >= this.#buf.length;
  }

  #run(): void {
    if (this.#rawFrom >= 0) this.#rawFrom = this.#off;
    try {
      this.#loop();
    } finally {
      this.#flushRaw();
    }
  }

  /** Hands out the framed bytes consumed since the last flush. */
  #flushRaw(): void {
    if (this.#rawFrom < 0 || this.#off <= this.#rawFrom) return;
    const chunk = this.#buf.subarray(this.#rawFrom, this.#off);
    this.#rawFrom = this.#off;
    this.handler.onData(chunk);
  }

  #loop(): void {
    while (!this.#paused && this.#off < this.#buf.length) {
      switch (this.#state) {
        case State.Head:
          if (!this.#readHead()) return;
          break;
        case State.Length: {
          const n = Math.min(this.#remaining, this.#buf.length - this.#off);
          this.#emit(n);
          this.#remaining -= n;
          if (this.#remaining === 0) this.#complete();
          break;
        }
        case State.ChunkSize:
        case State.Trailers:
          if (!this.#readChunkLine()) return;
          break;
        case State.ChunkData: {
          const n = Math.min(this.#remaining, this.#buf.length - this.#off);
          this.#emit(n);
          this.#remaining -= n;
          if (this.#remaining === 0) {
            this.#state = State.ChunkDataEnd;
            this.#remaining = 2;
          }
          break;
        }
        case State.ChunkDataEnd: {
          const c = this.#buf[this.#off] as number;
          if (c !== (this.#remaining === 2 ? 13 : 10)) throw new HttpParseError(this.#bad(), 'chunk data not followed by CRLF');
          this.#off++;
          this.seen++;
          if (--this.#remaining === 0) this.#state = State.ChunkSize;
          break;
        }
        case State.UntilClose:
          this.#emit(this.#buf.length - this.#off);
          break;
        case State.Upgraded:
          return;
      }
    }
  }

  #bad(): number {
    return this.isRequest ? 400 : 502;
  }

  #emit(n: number): void {
    const chunk = this.#buf.subarray(this.#off, this.#off + n);
    this.#off += n;
    this.seen += n;
    if (n > 0 && this.#rawFrom < 0) this.handler.onData(chunk);
  }

  #readHead(): boolean {
    const buf = this.#buf;
    // Tolerate the empty lines some clients send between requests (RFC 9112 §2.2).
    while (this.isRequest && this.seen === 0 && buf[this.#off] === 13 && buf[this.#off + 1] === 10) this.#off += 2;
    if (this.#off >= buf.length) return false;
    const end = buf.indexOf('\r\n\r\n', Math.max(this.#off, this.#searchFrom), 'latin1');
    if (end < 0) {
      // +3: the bytes so far may end with the first part of the closing CRLFCRLF.
      if (buf.length - this.#off > this.maxHeadSize + 3) throw new HttpParseError(this.isRequest ? 431 : 502, 'message head too large');
      this.#searchFrom = Math.max(this.#off, buf.length - 3);
      return false;
    }
    if (end - this.#off > this.maxHeadSize) throw new HttpParseError(this.isRequest ? 431 : 502, 'message head too large');
    const head = parseHead(buf.toString('latin1', this.#off, end), this.isRequest);
    this.seen += end + 4 - this.#off;
    this.#off = end + 4;
    this.#searchFrom = 0;
    const wantsBody = this.handler.onHead(head) !== false;
    if (this.#state === State.Upgraded) return false;
    if (!this.isRequest && (head.status < 200 || head.status === 204 || head.status === 304 || !wantsBody)) {
      // Informational, empty by definition, or a reply to HEAD: the head is the whole message.
      this.#complete();
    } else if (head.chunked) {
      this.#state = State.ChunkSize;
      if (this.rawChunked) this.#rawFrom = this.#off;
    } else if (head.contentLength > 0) {
      this.#state = State.Length;
      this.#remaining = head.contentLength;
    } else if (head.contentLength === -1 && !this.isRequest) {
      this.#state = State.UntilClose;
    } else {
      this.#complete();
    }
    return true;
  }

  /** A chunk-size line (`1a;ext=x`) or a trailer line. */
  #readChunkLine(): boolean {
    const buf = this.#buf;
    const lf = buf.indexOf(10, this.#off);
    if (lf < 0) {
      if (buf.length - this.#off > MAX_CHUNK_LINE) throw new HttpParseError(this.#bad(), 'chunk line too long');
      return false;
    }
    if (lf === this.#off || buf[lf - 1] !== 13) throw new HttpParseError(this.#bad(), 'chunk line not ended by CRLF');
    const line = buf.toString('latin1', this.#off, lf - 1);
    this.seen += lf + 1 - this.#off;
    this.#off = lf + 1;
    if (this.#state === State.Trailers) {
      if (line === '') this.#complete();
      return true;
    }
    const semi = line.indexOf(';');
    const hex = (semi < 0 ? line : line.slice(0, semi)).trimEnd();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new HttpParseError(this.#bad(), 'invalid chunk size');
    const size = parseInt(hex, 16);
    if (size === 0) this.#state = State.Trailers;
    else {
      this.#state = State.ChunkData;
      this.#remaining = size;
    }
    return true;
  }

  #complete(): void {
    this.#flushRaw();
    this.#rawFrom = -1;
    this.rawChunked = false;
    this.#state = State.Head;
    this.seen = 0;
    this.handler.onEnd();
  }
}
