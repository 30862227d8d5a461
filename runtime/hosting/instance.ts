// One role instance on the request path: pick a worker (round robin among the least busy, under the
// per-process cap), or hold the request in the bounded queue until one can take it, then forward it over a
// pooled keep-alive connection to the worker's pipe. Failed forwards are retried when that is safe.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Pool } from 'undici';
import { cbError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import type { Worker } from '../workers/worker.js';
import type { WorkerGroup } from '../workers/worker-group.js';
import { sendError } from './error-page.js';
import { forwardRequest } from './forward-request.js';
import { forwardUpgrade } from './forward-upgrade.js';
import { RequestQueue } from './request-queue.js';
import type { Waiting } from './request-queue.js';

export interface InstanceOptions {
  readonly name: string;
  readonly group: WorkerGroup;
  readonly maxConcurrentRequestsPerProcess: number;
  readonly queueLength: number;
  readonly queueTimeoutMs: number;
  readonly enableXFF: boolean;
  readonly devErrorsEnabled: boolean;
  /** Request bodies up to this size are buffered so the request can be replayed on another worker. */
  readonly maxReplayBodyBytes: number;
  /** Upper bound on the life of an idle pooled connection (iisnode's maxNamedPipePooledConnectionAge). */
  readonly pooledConnectionAgeMs: number;
  /** The worker's recent stderr, for error pages. */
  readonly stderrTail: (pid: number) => string;
  readonly onRequest?: (record: RequestRecord) => void;
}

export interface RequestRecord {
  readonly time: number;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly durationMs: number;
  readonly queueMs: number;
  readonly instance: string;
  readonly worker: string | undefined;
  readonly pid: number | undefined;
  readonly retries: number;
  readonly error: string | undefined;
}

/** A request on its way to a worker. */
export interface Pending extends Waiting {
  readonly req: IncomingMessage;
  readonly res: ServerResponse | undefined;
  readonly upgrade: { socket: Duplex; head: Buffer } | undefined;
  /** null: no body; Buffer: buffered (replayable); 'stream': streamed from req (not replayable). */
  body: Buffer | null | 'stream';
  retries: number;
  avoid: Worker | undefined;
  dequeuedAt: number;
  worker: Worker | undefined;
  settled: boolean;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export class Instance {
  readonly #queue: RequestQueue<Pending>;
  readonly #pools = new Map<Worker, Pool>();
  #rr = -1;

  constructor(readonly options: InstanceOptions) {
    this.#queue = new RequestQueue<Pending>(options.queueLength, options.queueTimeoutMs, (p) =>
      this.#fail(p, cbError('CB_ERR_HOSTING_QUEUE_TIMEOUT', { instance: options.name, waitedMs: Date.now() - p.enqueuedAt, limitMs: options.queueTimeoutMs })),
    );
    options.group.on('routable', () => this.#onRoutableChanged());
    options.group.on('state', (state) => {
      if (state === 'failed') this.#queue.drainAll((p) => this.#failInstance(p));
    });
    options.group.on('exited', (worker) => this.#closePool(worker));
  }

  get queued(): number {
    return this.#queue.length;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const p = this.#pending(req, res, undefined);
    const length = req.headers['content-length'];
    if (length === undefined && req.headers['transfer-encoding'] === undefined) {
      p.body = null;
      this.#route(p);
    } else if (length !== undefined && Number(length) <= this.options.maxReplayBodyBytes) {
      readBody(req, (body) => {
        p.body = body.length === 0 && length === '0' ? Buffer.alloc(0) : body;
        this.#route(p);
      });
    } else {
      p.body = 'stream';
      this.#route(p);
    }
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const p = this.#pending(req, undefined, { socket, head });
    p.body = null;
    this.#route(p);
  }

  /** Close every pooled connection (shutdown). */
  async close(): Promise<void> {
    this.#queue.drainAll((p) => this.#fail(p, cbError('CB_ERR_HOSTING_STOPPING', { instance: this.options.name })));
    await Promise.all([...this.#pools.values()].map((pool) => pool.destroy()));
    this.#pools.clear();
  }

  #pending(req: IncomingMessage, res: ServerResponse | undefined, upgrade: Pending['upgrade']): Pending {
    const p: Pending = { req, res, upgrade, body: null, retries: 0, avoid: undefined, enqueuedAt: Date.now(), dequeuedAt: 0, worker: undefined, settled: false };
    return p;
  }

  #route(p: Pending): void {
    const group = this.options.group;
    if (group.state === 'failed' && !group.recycling) return this.#failInstance(p);
    if (group.state === 'stopped') return this.#fail(p, cbError('CB_ERR_HOSTING_STOPPING', { instance: this.options.name }));
    const worker = this.#pick(p.avoid);
    if (worker) return this.#forward(p, worker);
    if (!this.#queue.push(p)) return this.#fail(p, cbError('CB_ERR_HOSTING_QUEUE_FULL', { instance: this.options.name, limit: this.options.queueLength }));
    // A client that gives up while waiting leaves the queue.
    (p.res ?? p.upgrade?.socket)?.once('close', () => this.#queue.remove(p));
  }

  /**
   * Round robin among the least busy: scan from the worker after the last one chosen and take the first with
   * the fewest requests in flight, skipping those at the cap. Sequential requests therefore alternate
   * 1,2,1,2 (iisnode's order, functional test 114), and a slow request steers new ones to idle workers.
   */
  #pick(avoid: Worker | undefined): Worker | undefined {
    const list = this.options.group.routable;
    const n = list.length;
    const cap = this.options.maxConcurrentRequestsPerProcess;
    let best: Worker | undefined;
    let bestIndex = -1;
    for (let k = 1; k <= n; k++) {
      const index = (this.#rr + k) % n;
      const w = list[index] as Worker;
      if (w.active >= cap || w === avoid) continue;
      if (best === undefined || w.active < best.active) {
        best = w;
        bestIndex = index;
        if (w.active === 0) break;
      }
    }
    if (best === undefined && avoid !== undefined && avoid.state === 'ready' && avoid.active < cap) return avoid;
    if (best !== undefined) this.#rr = bestIndex;
    return best;
  }

  #onRoutableChanged(): void {
    if (this.#rr >= this.options.group.routable.length) this.#rr = -1;
    this.#pump();
  }

  /** Hand queued requests to workers that can take them. */
  #pump(): void {
    while (this.#queue.length > 0) {
      const worker = this.#pick(undefined);
      if (!worker) return;
      const p = this.#queue.shift() as Pending;
      this.#forward(p, worker);
    }
  }

  #forward(p: Pending, worker: Worker): void {
    p.worker = worker;
    p.dequeuedAt = Date.now();
    worker.requestStarted();
    if (p.upgrade) forwardUpgrade(p, worker, this.options.enableXFF, (outcome) => this.#settled(p, worker, outcome));
    else forwardRequest(p, this.#pool(worker), this.options.enableXFF, (outcome) => this.#settled(p, worker, outcome));
  }

  #pool(worker: Worker): Pool {
    let pool = this.#pools.get(worker);
    if (!pool) {
      const a = worker.address;
      const keepAlive = Math.min(4000, this.options.pooledConnectionAgeMs);
      const common = {
        connections: null,
        pipelining: 1,
        // Close pooled connections before the worker would: Node's server announces `Keep-Alive: timeout=5` and
        // undici retires a connection `threshold` ms before the announced time, so a stale pooled connection is
        // never written to (the race behind iisnode's 500.1013s).
        keepAliveTimeout: keepAlive,
        keepAliveMaxTimeout: Math.max(keepAlive, this.options.pooledConnectionAgeMs),
        keepAliveTimeoutThreshold: 1000,
        headersTimeout: 0,
        bodyTimeout: 0,
      };
      pool = a.kind === 'pipe' ? new Pool('http://localhost', { ...common, socketPath: a.path }) : new Pool(`http://${a.host}:${a.port}`, common);
      this.#pools.set(worker, pool);
    }
    return pool;
  }

  #closePool(worker: Worker): void {
    const pool = this.#pools.get(worker);
    if (!pool) return;
    this.#pools.delete(worker);
    void pool.destroy().catch(() => undefined);
  }

  /** Called once per forward attempt. `error` is set when the attempt failed before a response started. */
  #settled(p: Pending, worker: Worker, outcome: { status: number; error?: Error; received?: boolean }): void {
    worker.requestFinished();
    if (outcome.error) {
      if (this.#mayRetry(p, outcome)) {
        p.retries++;
        p.avoid = worker;
        this.#route(p);
      } else {
        void this.#reportFailure(p, worker, outcome.error);
      }
    } else {
      this.#record(p, outcome.status, undefined);
    }
    if (this.#queue.length > 0) this.#pump();
  }

  /**
   * Retry on another worker when the worker never got the request (connection refused, socket file gone), or
   * when the request is idempotent and its body (if any) was buffered, so sending it again is harmless.
   */
  #mayRetry(p: Pending, outcome: { received?: boolean }): boolean {
    if (p.retries >= Math.max(2, this.options.group.count + 1)) return false;
    if (p.body === 'stream') return false;
    if (p.res?.destroyed || p.upgrade?.socket.destroyed) return false;
    return outcome.received === false || IDEMPOTENT.has(p.req.method ?? '');
  }

  async #reportFailure(p: Pending, worker: Worker, error: Error): Promise<void> {
    // The socket usually breaks a moment before the process is reported gone; wait briefly to tell a crash
    // (with its stderr) from a connection the app itself broke.
    const exit = await Promise.race([worker.exited, new Promise<undefined>((r) => setTimeout(r, 300, undefined))]);
    const method = p.req.method ?? '';
    const url = p.req.url ?? '';
    const reason = p.body === 'stream' ? 'its body was streamed and cannot be sent again' : `${method} is not idempotent`;
    const err = exit
      ? cbError('CB_ERR_HOSTING_WORKER_DIED', { worker: worker.label, pid: worker.pid ?? '-', method, url, reason })
      : cbError('CB_ERR_HOSTING_UPSTREAM', { method, url, worker: worker.label, detail: error.message });
    this.#fail(p, err, worker.pid);
  }

  #failInstance(p: Pending): void {
    const failure = this.options.group.failure;
    const err = cbError('CB_ERR_HOSTING_INSTANCE_FAILED', { instance: this.options.name, crashes: failure?.unstableExits ?? 0, windowMs: 2000 });
    this.#fail(p, failure?.exit.error ?? err, failure?.worker.pid);
  }

  #fail(p: Pending, error: CloudbenchError, pid?: number): void {
    if (p.settled) return;
    const stderrTail = pid === undefined ? undefined : this.options.stderrTail(pid);
    if (p.res) {
      sendError(p.res, error, { devErrorsEnabled: this.options.devErrorsEnabled, stderrTail });
    } else if (p.upgrade) {
      const s = p.upgrade.socket;
      if (!s.destroyed) s.end(`HTTP/1.1 ${error.status} ${error.code}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    this.#record(p, error.status, error.code);
  }

  #record(p: Pending, status: number, error: string | undefined): void {
    p.settled = true;
    const onRequest = this.options.onRequest;
    if (!onRequest) return;
    const now = Date.now();
    onRequest({
      time: p.enqueuedAt,
      method: p.req.method ?? '',
      url: p.req.url ?? '',
      status,
      durationMs: now - p.enqueuedAt,
      queueMs: (p.dequeuedAt || now) - p.enqueuedAt,
      instance: this.options.name,
      worker: p.worker?.id,
      pid: p.worker?.pid,
      retries: p.retries,
      error,
    });
  }
}

function readBody(req: IncomingMessage, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
  // A client that aborts mid-body never gets a response; nothing to route.
  req.on('error', () => undefined);
}
