// One request/response exchange between a client connection and a worker. The request head is re-serialized
// (hop-by-hop fields dropped, X-Forwarded-* added when enabled) and its body re-framed; the response likewise.
// Bodies stream both ways with backpressure; the first bytes of a request body (up to maxReplayBodyBytes) are
// kept so the request can be replayed on another worker if its first worker fails before answering.
import { createReadStream } from 'node:fs';
import type { ReadStream } from 'node:fs';
import type { Worker } from '../workers/worker.js';
import type { ProxyTarget } from './reverse-proxy.js';
import type { ClientConnection } from './client-connection.js';
import { appendForwardedFor } from './forward-headers.js';
import { HOP_BY_HOP, connectionListed } from './http1/head.js';
import type { MessageHead } from './http1/head.js';
import type { Waiting } from './request-queue.js';
import type { Upstream, UpstreamListener, UpstreamPool } from './upstream-pool.js';
import { holdUntilTurnEnd } from './turn-flush.js';

export interface ExchangeOutcome {
  readonly status: number;
  /** The attempt failed before any of the response reached the client. */
  readonly error?: NodeJS.ErrnoException;
  /** false when the worker certainly did not process the request. */
  readonly received?: boolean;
}

export interface ExchangeHost {
  readonly enableXFF: boolean;
  readonly maxReplayBodyBytes: number;
  route(ex: Exchange): void;
  /** The attempt on `worker` ended (response complete, or failed). */
  settled(ex: Exchange, worker: Worker, outcome: ExchangeOutcome): void;
  /** The client went away before the exchange settled. */
  abandoned(ex: Exchange): void;
}

const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'ENOTSOCK']);
const CHUNK_END = Buffer.from('0\r\n\r\n', 'latin1');
const CRLF = Buffer.from('\r\n', 'latin1');

export class Exchange implements Waiting, UpstreamListener {
  readonly enqueuedAt = Date.now();
  timer?: NodeJS.Timeout | undefined;
  slot?: number;
  dequeuedAt = 0;
  retries = 0;
  avoid: Worker | undefined;
  worker: Worker | undefined;
  /** The response's status once it started; set for records. */
  status = 0;
  requestDone = false;
  responseStarted = false;
  /** The worker's response fields as received (for request records). */
  responseHeaders: readonly string[] = [];
  /** Fields the site pipeline adds for the app (X-Original-URL after a rewrite); a client's own are dropped. */
  extraHeaders: ReadonlyArray<readonly [string, string]> = [];
  /** Fields added to the app's response head (iisnode-debug); called when the head is written. */
  responseDecorator: (() => ReadonlyArray<readonly [string, string]>) | undefined;
  /** Sent to another server by a rewrite rule (reverse-proxy.ts): the path and query it gets, and which server. */
  targetUrl: string | undefined;
  /** The instance's router a load balancer placed this exchange on (it settles there). */
  placedOn: ExchangeHost | undefined;
  /** The load balancer a VIP handed this exchange to (it stays there even if the VIP is swapped meanwhile). */
  viaBalancer: ExchangeHost | undefined;
  proxyTarget: ProxyTarget | undefined;
  #file: ReadStream | undefined;
  settled = false;
  readonly upgrade: boolean;

  #upstream: Upstream | undefined;
  #pool: UpstreamPool | undefined;
  #chunks: Buffer[] = [];
  #bodyBytes = 0;
  /** Every body byte so far is in #chunks: the request can be sent again. */
  #retained = true;
  #informational = false;
  #rechunk = false;
  #closeClient = false;
  #responseClose = false;
  #headText: string | undefined;

  constructor(
    readonly client: ClientConnection,
    readonly head: MessageHead,
  ) {
    this.upgrade = head.upgrade;
  }

  get host(): ExchangeHost {
    return this.client.host;
  }

  get output(): ClientConnection['out'] {
    return this.client.out;
  }

  get method(): string {
    return this.head.method as string;
  }

  get url(): string {
    return this.head.url as string;
  }

  get replayable(): boolean {
    return this.#retained;
  }

  // ---- request side -----------------------------------------------------------------------------------

  onRequestData(chunk: Buffer): void {
    this.#bodyBytes += chunk.length;
    if (this.#upstream === undefined) {
      // Waiting for a worker: keep everything, but stop reading past the replay limit.
      this.#chunks.push(chunk);
      if (this.#bodyBytes > this.host.maxReplayBodyBytes) this.client.pauseSocket();
      return;
    }
    if (this.#retained) {
      if (this.#bodyBytes <= this.host.maxReplayBodyBytes) this.#chunks.push(chunk);
      else {
        this.#retained = false;
        this.#chunks = [];
      }
    }
    this.#writeBody(chunk);
  }

  onRequestEnd(): void {
    this.requestDone = true;
    if (this.#upstream !== undefined && this.head.chunked) this.#upstream.socket.write(CHUNK_END);
  }

  /** Send the request to `worker` over a pooled connection. */
  attach(worker: Worker, pool: UpstreamPool): void {
    this.worker = worker;
    this.#pool = pool;
    if (this.dequeuedAt === 0) this.dequeuedAt = Date.now();
    const up = pool.acquire();
    this.#upstream = up;
    up.listener = this;
    const socket = up.socket;
    holdUntilTurnEnd(socket);
    socket.cork();
    socket.write(this.#requestHead(), 'latin1');
    for (const chunk of this.#chunks) this.#writeBody(chunk);
    if (this.requestDone && this.head.chunked) socket.write(CHUNK_END);
    socket.uncork();
    if (this.#bodyBytes > this.host.maxReplayBodyBytes) {
      this.#retained = false;
      this.#chunks = [];
    }
    this.client.resumeSocket();
  }

  #writeBody(chunk: Buffer): void {
    const socket = (this.#upstream as Upstream).socket;
    let ok: boolean;
    if (this.head.chunked) {
      socket.cork();
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      socket.write(chunk);
      ok = socket.write(CRLF);
      socket.uncork();
    } else {
      ok = socket.write(chunk);
    }
    if (!ok) this.client.pauseSocket();
  }

  #requestHead(): string {
    if (this.#headText !== undefined) return this.#headText;
    const h = this.head;
    const listed = connectionListed(h.headers);
    const xff = this.host.enableXFF;
    let forwardedFor: string | undefined;
    let hasProto = false;
    let upgradeValue = '';
    let hasHost = false;
    let text = `${h.method} ${this.targetUrl ?? h.url} HTTP/1.1\r\n`;
    const headers = h.headers;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      const value = headers[i + 1] as string;
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || (listed !== undefined && listed.has(lower))) {
        if (lower === 'upgrade') upgradeValue = value;
        continue;
      }
      if (xff && lower === 'x-forwarded-for') {
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      }
      if (xff && lower === 'x-forwarded-proto') hasProto = true;
      if (lower === 'host') hasHost = true;
      if (this.extraHeaders.length > 0 && this.extraHeaders.some(([n]) => n.toLowerCase() === lower)) continue;
      text += `${name}: ${value}\r\n`;
    }
    for (const [name, value] of this.extraHeaders) text += `${name}: ${value.replace(/[\r\n]/g, ' ')}\r\n`;
    // Workers get HTTP/1.1, which requires Host; an HTTP/1.0 client may have sent none.
    if (!hasHost) text += `Host: ${this.client.socket.localAddress}:${this.client.socket.localPort}\r\n`;
    if (xff) {
      text += `X-Forwarded-For: ${appendForwardedFor(forwardedFor, this.client.socket.remoteAddress ?? '')}\r\n`;
      if (!hasProto) text += 'X-Forwarded-Proto: http\r\n';
    }
    if (h.chunked) text += `Transfer-Encoding: ${h.transferEncoding}\r\n`;
    if (this.upgrade) text += `Connection: Upgrade\r\nUpgrade: ${upgradeValue}\r\n`;
    this.#headText = `${text}\r\n`;
    return this.#headText;
  }

  // ---- response side (UpstreamListener) ------------------------------------------------------------------

  onHead(res: MessageHead): boolean {
    const out = this.client.out;
    if (res.status < 200) {
      this.#informational = true;
      if (res.status === 101 && this.upgrade) {
        this.#splice(res);
        return false;
      }
      // 100 Continue was already answered by the front end; other 1xx (103 Early Hints) pass through.
      if (res.status !== 100 && res.status !== 101 && this.head.minor === 1) out.write(this.#responseHead(res, false));
      return false;
    }
    this.responseStarted = true;
    this.status = res.status;
    this.responseHeaders = res.headers;
    this.#responseClose = res.close;
    const noBody = this.head.method === 'HEAD' || res.status === 204 || res.status === 304;
    out.write(this.#responseHead(res, !noBody));
    return !noBody;
  }

  #responseHead(res: MessageHead, hasBody: boolean): string {
    const listed = connectionListed(res.headers);
    let text = `HTTP/1.1 ${res.status} ${res.statusText}\r\n`;
    const headers = res.headers;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower) || (listed !== undefined && listed.has(lower))) continue;
      text += `${name}: ${headers[i + 1]}\r\n`;
    }
    if (res.status >= 200) {
      if (this.responseDecorator) for (const [name, value] of this.responseDecorator()) text += `${name}: ${value}\r\n`;
      this.#closeClient = this.head.close;
      if (hasBody && res.contentLength < 0) {
        // Chunked or close-delimited from the worker: chunked for HTTP/1.1 clients (passed through as received
        // when the worker chunked it already), close-delimited for HTTP/1.0 ones.
        if (this.head.minor === 1) {
          if (res.chunked && this.#upstream) this.#upstream.reader.rawChunked = true;
          else this.#rechunk = true;
          text += 'Transfer-Encoding: chunked\r\n';
        } else this.#closeClient = true;
      }
      if (this.#closeClient) text += 'Connection: close\r\n';
      else if (this.head.minor === 0) text += 'Connection: keep-alive\r\n';
    }
    return `${text}\r\n`;
  }

  onData(chunk: Buffer): void {
    const out = this.client.out;
    if (this.#rechunk) {
      out.write(`${chunk.length.toString(16)}\r\n`);
      out.write(chunk);
      out.write(CRLF);
    } else out.write(chunk);
  }

  onEnd(): void {
    if (this.#informational) {
      this.#informational = false;
      return;
    }
    if (this.#rechunk) this.client.out.write(CHUNK_END);
    const up = this.#upstream as Upstream;
    const worker = this.worker as Worker;
    this.#upstream = undefined;
    (this.#pool as UpstreamPool).release(up, !this.#responseClose && this.requestDone);
    this.settled = true;
    this.client.exchangeDone(this, this.#closeClient || !this.requestDone);
    this.host.settled(this, worker, { status: this.status });
  }

  onUpstreamError(error: NodeJS.ErrnoException): void {
    const up = this.#upstream;
    const worker = this.worker;
    if (up === undefined || worker === undefined) return;
    this.#upstream = undefined;
    up.listener = undefined;
    up.destroy();
    if (this.responseStarted) {
      // Mid-response: the status line is out; a broken connection is the only honest signal left.
      this.settled = true;
      this.client.socket.destroy();
      this.host.settled(this, worker, { status: this.status });
      return;
    }
    // Never connected, or a reused keep-alive connection that broke before a single response byte: the worker
    // did not process this request (the latter is the keep-alive race; see upstream-pool.ts).
    const received = !(NOT_CONNECTED.has(error.code ?? '') && !up.connected) && !(up.reused && !up.reader.started && !this.#informational);
    this.worker = undefined;
    this.host.settled(this, worker, { status: 502, error, received });
  }

  onUpstreamDrain(): void {
    this.client.resumeSocket();
  }

  onClientDrain(): void {
    this.#upstream?.socket.resume();
    this.#file?.resume();
  }

  onClientClose(): void {
    if (this.settled) return;
    this.settled = true;
    this.#file?.destroy();
    const up = this.#upstream;
    const worker = this.worker;
    this.#upstream = undefined;
    if (up) {
      up.listener = undefined;
      up.destroy();
    }
    this.host.abandoned(this);
    if (worker) this.host.settled(this, worker, { status: this.status || 499 });
  }

  /** Drop the exchange without a response (the connection is being closed). */
  abandon(): void {
    this.onClientClose();
  }

  /** Answer with a response of the front end's own (error pages). */
  respond(status: number, reason: string, headers: ReadonlyArray<readonly [string, string | number]>, body: string): void {
    this.settled = true;
    this.status = status;
    const socket = this.client.socket;
    if (this.responseStarted || socket.destroyed) {
      socket.destroy();
      return;
    }
    this.responseStarted = true;
    this.responseHeaders = headers.flatMap(([name, value]) => [name, String(value)]);
    // The rest of an unread request body would be taken for the next request: close instead.
    const close = this.head.close || !this.requestDone;
    let text = `HTTP/1.1 ${status} ${reason}\r\n`;
    for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
    const bytes = Buffer.from(this.head.method === 'HEAD' ? '' : body, 'utf8');
    text += `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
    const out = this.client.out;
    out.begin();
    out.write(text);
    if (bytes.length > 0) out.write(bytes);
    out.end();
    this.client.exchangeDone(this, close);
  }

  /** Answer with (a range of) a file, streamed from disk with backpressure; `done` runs once it is all sent. */
  respondFile(status: number, reason: string, headers: ReadonlyArray<readonly [string, string | number]>, file: string, range: { start: number; end: number } | undefined, done: () => void): void {
    this.settled = true;
    this.status = status;
    this.responseStarted = true;
    const socket = this.client.socket;
    const close = this.head.close || !this.requestDone;
    let text = `HTTP/1.1 ${status} ${reason}\r\n`;
    for (const [name, value] of headers) text += `${name}: ${value}\r\n`;
    if (status !== 206 && status !== 304 && !headers.some(([n]) => n === 'Content-Length')) text += 'Content-Length: 0\r\n';
    this.client.out.write(`${text}${close ? 'Connection: close\r\n' : ''}\r\n`);
    if (range === undefined) {
      this.client.exchangeDone(this, close);
      return done();
    }
    const stream = createReadStream(file, { start: range.start, end: range.end, highWaterMark: 64 * 1024 });
    this.#file = stream;
    stream.on('data', (chunk) => {
      if (!socket.write(chunk)) stream.pause();
    });
    stream.on('end', () => {
      this.#file = undefined;
      this.client.exchangeDone(this, close);
      done();
    });
    stream.on('error', () => {
      this.#file = undefined;
      socket.destroy();
      done();
    });
  }

  /** 101 Switching Protocols: from here on the two sockets are spliced byte for byte. */
  #splice(res: MessageHead): void {
    const up = this.#upstream as Upstream;
    const worker = this.worker as Worker;
    const client = this.client.socket;
    this.responseStarted = true;
    this.status = 101;
    let text = `HTTP/1.1 101 ${res.statusText}\r\n`;
    for (let i = 0; i < res.headers.length; i += 2) text += `${res.headers[i]}: ${res.headers[i + 1]}\r\n`;
    this.client.out.write(`${text}\r\n`);
    const fromWorker = up.reader.upgrade();
    const fromClient = this.client.reader.upgrade();
    up.listener = undefined;
    this.#upstream = undefined;
    client.removeAllListeners('data');
    // Through the batch, after the 101 head it holds: the worker's first frames often come in the same read.
    if (fromWorker.length > 0) this.client.out.write(fromWorker);
    if (fromClient.length > 0) up.socket.write(fromClient);
    this.client.resumeSocket();
    up.tunnel = client;
    client.pipe(up.socket);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      up.socket.destroy();
      client.destroy();
      this.settled = true;
      this.host.settled(this, worker, { status: 101 });
    };
    up.socket.on('close', close);
    client.on('close', close);
    up.socket.on('error', close);
  }
}
