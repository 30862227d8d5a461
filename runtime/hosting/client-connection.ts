// One client connection to the front end. Requests are read with the strict reader and handled one at a
// time: the next pipelined request is parsed only when the previous response is complete, so responses go
// out in order (RFC 9112 §9.3.2) and a client cannot make us buffer without bound.
import type net from 'node:net';
import { Exchange } from './exchange.js';
import type { ExchangeHost } from './exchange.js';
import { HttpParseError } from './http1/head.js';
import type { MessageHead } from './http1/head.js';
import { MessageReader } from './http1/message-reader.js';
import { OutputBatch } from './output-batch.js';

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 431: 'Request Header Fields Too Large', 505: 'HTTP Version Not Supported' };
/** Stop reading the socket when this much of the next request waits behind the current one. */
const MAX_WAITING_BYTES = 64 * 1024;

export interface ClientOptions {
  readonly maxHeadSize: number;
  readonly keepAliveTimeoutMs: number;
  /** A client must send a whole request head within this time. */
  readonly headersTimeoutMs: number;
  /** The front end is shutting down: close each connection after its current response. */
  draining: boolean;
}

export class ClientConnection {
  readonly reader: MessageReader;
  readonly out: OutputBatch;
  current: Exchange | undefined;
  /** When the connection last became idle (between requests); swept by the front end's timer rather than a
   * per-request socket timeout, which would cost two timer-list updates on every request. */
  idleSince = Date.now();
  #waitingBytes = 0;
  #pausedSocket = false;

  constructor(
    readonly socket: net.Socket,
    readonly host: ExchangeHost,
    readonly options: ClientOptions,
  ) {
    this.out = new OutputBatch(socket);
    this.reader = new MessageReader(true, options.maxHeadSize, {
      onHead: (head: MessageHead) => this.#onHead(head),
      onData: (chunk) => this.current?.onRequestData(chunk),
      onEnd: () => {
        // Hold the next pipelined request until this response is done.
        this.reader.pause();
        this.current?.onRequestEnd();
      },
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.current?.onClientClose());
    socket.on('end', () => {
      // Half-close: finish the current response, then close.
      if (this.current === undefined) socket.end();
    });
    socket.on('drain', () => this.current?.onClientDrain());
  }

  #onData(chunk: Buffer): void {
    if (this.current !== undefined && this.current.requestDone) {
      this.#waitingBytes += chunk.length;
      if (this.#waitingBytes > MAX_WAITING_BYTES) this.pauseSocket();
    }
    try {
      this.reader.push(chunk);
    } catch (err) {
      this.#reject(err);
    }
  }

  #onHead(head: MessageHead): void {
    if (head.expectContinue && head.minor === 1) this.out.write('HTTP/1.1 100 Continue\r\n\r\n');
    const ex = new Exchange(this, head);
    this.current = ex;
    this.host.route(ex);
  }

  /** Called by the exchange when its response is complete. */
  exchangeDone(ex: Exchange, closeAfter: boolean): void {
    if (this.current !== ex) return;
    this.current = undefined;
    this.#waitingBytes = 0;
    if (closeAfter || this.socket.readableEnded || this.options.draining) {
      this.out.endSocket();
      return;
    }
    this.idleSince = Date.now();
    this.resumeSocket();
    try {
      this.reader.resume();
    } catch (err) {
      this.#reject(err);
    }
  }

  pauseSocket(): void {
    if (!this.#pausedSocket) {
      this.#pausedSocket = true;
      this.socket.pause();
    }
  }

  resumeSocket(): void {
    if (this.#pausedSocket) {
      this.#pausedSocket = false;
      this.socket.resume();
    }
  }

  /** A malformed request: answer 400/431/505 (if no response is under way) and close. */
  #reject(err: unknown): void {
    const status = err instanceof HttpParseError ? err.status : 400;
    const ex = this.current;
    if (ex && ex.responseStarted) {
      this.socket.destroy();
      return;
    }
    ex?.abandon();
    this.current = undefined;
    const body = `${status} ${STATUS_TEXT[status] ?? 'Bad Request'}: ${err instanceof Error ? err.message : String(err)}\n`;
    this.socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Bad Request'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
}
