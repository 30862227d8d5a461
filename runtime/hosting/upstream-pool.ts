// Keep-alive connections to one worker's pipe. A pooled connection is never used after the worker may have
// closed it: Node servers close idle connections after keepAliveTimeout (5 s by default, announced as
// `Keep-Alive: timeout=5`), so a connection is retired one second before the announced time, and at once if
// the worker closes or ends it while idle. That race is what produced iisnode's 500.1013s (iisnode.md §4.2).
import net from 'node:net';
import type { WorkerAddress } from '../workers/worker.js';
import { MessageReader } from './http1/message-reader.js';
import type { ReaderHandler } from './http1/message-reader.js';
import type { MessageHead } from './http1/head.js';
import type { OutputBatch } from './output-batch.js';

/** What the current exchange on an upstream connection hears from it. */
export interface UpstreamListener extends ReaderHandler {
  /** Where the response goes: batched while one read from the worker is processed, so head, body and
   * framing leave in one write instead of a syscall each. */
  readonly output: OutputBatch;
  onUpstreamError(error: NodeJS.ErrnoException): void;
  onUpstreamDrain(): void;
}

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export class Upstream {
  readonly socket: net.Socket;
  readonly reader: MessageReader;
  listener: UpstreamListener | undefined;
  /** It served a request before: an error with no response byte may be a keep-alive race. */
  reused = false;
  connected = false;
  idleSince = 0;
  /** How long it may sit idle, from the worker's Keep-Alive hint. */
  idleLimitMs: number;
  closed = false;

  constructor(address: WorkerAddress, idleLimitMs: number, maxHeadSize: number) {
    this.idleLimitMs = idleLimitMs;
    // Reads land in one shared buffer and go straight to #onRead (Node's `onread`), skipping a 64 KB
    // allocation and the Readable machinery per read; #onRead copies what it keeps.
    const onread = { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => this.#onRead(n, buf) };
    this.socket = net.connect(address.kind === 'pipe' ? { path: address.path, onread } : { host: address.host, port: address.port, noDelay: true, onread });
    this.reader = new MessageReader(false, maxHeadSize, {
      onHead: (head: MessageHead) => {
        if (head.keepAliveTimeout >= 0) this.idleLimitMs = Math.min(this.idleLimitMs, Math.max(0, head.keepAliveTimeout * 1000 - 1000));
        return this.listener?.onHead(head);
      },
      onData: (chunk) => this.listener?.onData(chunk),
      onEnd: () => this.listener?.onEnd(),
    });
    this.socket.on('connect', () => (this.connected = true));
    this.socket.on('drain', () => this.listener?.onUpstreamDrain());
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.#lost(err));
    this.socket.on('end', () => {
      // A close-delimited response ends here.
      if (this.listener && !this.reader.end()) this.#lost(Object.assign(new Error('the worker closed the connection'), { code: 'UPSTREAM_CLOSED' }));
      this.destroy();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.#lost(Object.assign(new Error('the worker closed the connection'), { code: 'UPSTREAM_CLOSED' }));
    });
  }

  /** After a 101 Switching Protocols, everything the worker sends goes here unparsed. */
  tunnel: net.Socket | undefined;

  #onRead(n: number, buf: Uint8Array): boolean {
    const tunnel = this.tunnel;
    if (tunnel) {
      const copy = Buffer.allocUnsafe(n);
      copy.set(buf.subarray(0, n));
      if (!tunnel.write(copy)) {
        this.socket.pause();
        tunnel.once('drain', () => this.socket.resume());
      }
      return true;
    }
    const l = this.listener;
    if (!l) {
      // Bytes on an idle connection: the worker broke protocol; never reuse it.
      this.destroy();
      return false;
    }
    const out = l.output;
    out.begin();
    try {
      // A copy: the shared read buffer is overwritten by the next read, while writes to the client may queue.
      const chunk = Buffer.allocUnsafe(n);
      chunk.set(buf.subarray(0, n));
      this.reader.push(chunk);
    } catch (err) {
      this.destroy();
      l.onUpstreamError(err as NodeJS.ErrnoException);
    } finally {
      // The client cannot take more: stop reading the worker until it drains (the exchange resumes us).
      if (!out.end() && this.listener === l) this.socket.pause();
    }
    return true;
  }

  #lost(err: NodeJS.ErrnoException): void {
    this.closed = true;
    const l = this.listener;
    this.listener = undefined;
    l?.onUpstreamError(err);
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }
}

export class UpstreamPool {
  readonly #idle: Upstream[] = [];
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(
    private readonly address: WorkerAddress,
    private readonly idleLimitMs: number,
    private readonly maxHeadSize: number,
    /** Most idle connections kept (iisnode's maxNamedPipeConnectionPoolSize); more are closed on release. */
    private readonly maxIdle = 512,
  ) {
    this.#sweep = setInterval(() => this.#expire(), 1000);
    this.#sweep.unref();
  }

  /** An idle connection, or a new one (writes before it connects are buffered by the socket). */
  acquire(): Upstream {
    const now = Date.now();
    for (let up = this.#idle.pop(); up !== undefined; up = this.#idle.pop()) {
      if (!up.closed && now - up.idleSince < up.idleLimitMs) {
        up.reused = true;
        return up;
      }
      up.destroy();
    }
    const up = new Upstream(this.address, this.idleLimitMs, this.maxHeadSize);
    up.socket.setNoDelay?.(true);
    return up;
  }

  /** Back to the pool after a complete exchange, or closed if it cannot be reused. */
  release(up: Upstream, reusable: boolean): void {
    up.listener = undefined;
    if (!reusable || up.closed || this.#closed || !up.reader.idle || this.#idle.length >= this.maxIdle) {
      up.destroy();
      return;
    }
    up.idleSince = Date.now();
    this.#idle.push(up);
  }

  get idleCount(): number {
    return this.#idle.length;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const up of this.#idle.splice(0)) up.destroy();
  }

  #expire(): void {
    const now = Date.now();
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      const up = this.#idle[i] as Upstream;
      if (up.closed || now - up.idleSince >= up.idleLimitMs) {
        this.#idle.splice(i, 1);
        up.destroy();
      }
    }
  }
}
