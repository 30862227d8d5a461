// One role instance on the request path: pick a worker (round robin among the least busy, under the
// per-process cap), or hold the request in the bounded queue until one can take it, then hand the exchange
// to a pooled connection of that worker. Failed attempts are retried when that is safe.
import { cbError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import { headerValue } from './http1/head.js';
import type { Worker } from '../workers/worker.js';
import type { WorkerGroup } from '../workers/worker-group.js';
import { renderError } from './error-page.js';
import type { Exchange, ExchangeHost, ExchangeOutcome } from './exchange.js';
import { RequestQueue } from './request-queue.js';
import { UpstreamPool } from './upstream-pool.js';

const STICKY_COOKIE = /(?:^|;\s*)iisnode\.session\.cookie=(\d{1,9})(?:;|$)/;

export interface InstanceOptions {
  readonly name: string;
  readonly group: WorkerGroup;
  readonly maxConcurrentRequestsPerProcess: number;
  readonly queueLength: number;
  readonly queueTimeoutMs: number;
  readonly enableXFF: boolean;
  readonly devErrorsEnabled: boolean;
  /** Request bodies up to this size are kept so the request can be replayed on another worker. */
  readonly maxReplayBodyBytes: number;
  /** Upper bound on the idle life of a pooled connection (iisnode's maxNamedPipePooledConnectionAge). */
  readonly pooledConnectionAgeMs: number;
  /** Idle connections kept per worker (iisnode's maxNamedPipeConnectionPoolSize). @default 512 */
  readonly pooledConnectionsMax?: number;
  /** Largest response head accepted from a worker (iisnode's maxRequestBufferSize). */
  readonly maxHeadSize: number;
  /**
   * iisnode's nodeProcessStickySessions: a request with the cookie `iisnode.session.cookie=<n>` goes to
   * process n (mod the count) when it can take it; other requests are balanced as usual and get the cookie
   * naming the process that answered (socket.io's polling transports need this with several processes).
   * @default false
   */
  readonly stickySessions?: boolean;
  /** Answer node failures as iisnode did (projects with a web.config; see error-page.ts). @default false */
  readonly iisnodeErrors?: boolean;
  /** The worker's recent stderr, for error pages. */
  readonly stderrTail: (pid: number) => string;
  readonly onRequest?: (record: RequestRecord) => void;
}

export interface RequestRecord {
  /** Increasing per instance. */
  readonly id: number;
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
  /** Flat [name, value, …] as received from the client and from the worker (references, not copies).
   * Kept only on recent records (see SiteHost): retaining every record's strings costs the GC on the hot path. */
  requestHeaders: readonly string[];
  responseHeaders: readonly string[];
}

/** Connection errors meaning nobody listens on the worker's socket any more. */
const REFUSED = new Set(['ECONNREFUSED', 'ENOENT']);
const UNREACHABLE_MS = 1000;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export class Instance implements ExchangeHost {
  enableXFF: boolean;
  readonly maxReplayBodyBytes: number;
  readonly #queue: RequestQueue<Exchange>;
  readonly #pools = new Map<Worker, UpstreamPool>();
  #rr = -1;
  readonly #unreachable = new Map<Worker, number>();
  #requestId = 0;

  constructor(public options: InstanceOptions) {
    this.enableXFF = options.enableXFF;
    this.maxReplayBodyBytes = options.maxReplayBodyBytes;
    this.#queue = new RequestQueue<Exchange>(options.queueLength, options.queueTimeoutMs, (ex) =>
      this.#fail(ex, cbError('CB_ERR_HOSTING_QUEUE_TIMEOUT', { instance: options.name, waitedMs: Date.now() - ex.enqueuedAt, limitMs: options.queueTimeoutMs })),
    );
    options.group.on('routable', () => this.#onRoutableChanged());
    options.group.on('state', (state) => {
      if (state === 'failed') this.#queue.drainAll((ex) => this.#failInstance(ex));
    });
    options.group.on('exited', (worker) => this.#closePool(worker));
  }

  /** Settings from a changed configuration; they apply to requests routed from now on. */
  reconfigure(patch: Partial<Pick<InstanceOptions, 'maxConcurrentRequestsPerProcess' | 'enableXFF' | 'devErrorsEnabled' | 'pooledConnectionAgeMs' | 'pooledConnectionsMax' | 'maxHeadSize' | 'iisnodeErrors' | 'stickySessions'>>): void {
    this.options = { ...this.options, ...patch };
    this.enableXFF = this.options.enableXFF;
  }

  get queued(): number {
    return this.#queue.length;
  }

  route(ex: Exchange): void {
    const group = this.options.group;
    if (group.state === 'failed' && !group.recycling) return this.#failInstance(ex);
    if (group.state === 'stopped') return this.handoff ? this.handoff(ex) : this.#fail(ex, cbError('CB_ERR_HOSTING_STOPPING', { instance: this.options.name }));
    if (this.options.stickySessions && ex.retries === 0) {
      const worker = this.#sticky(ex) ?? this.#pick(undefined);
      if (worker) return this.#attach(ex, worker);
      if (!this.#queue.push(ex)) this.#fail(ex, cbError('CB_ERR_HOSTING_QUEUE_FULL', { instance: this.options.name, limit: this.options.queueLength }));
      return;
    }
    const worker = this.#pick(ex.avoid);
    if (worker) return this.#attach(ex, worker);
    if (!this.#queue.push(ex)) this.#fail(ex, cbError('CB_ERR_HOSTING_QUEUE_FULL', { instance: this.options.name, limit: this.options.queueLength }));
  }

  abandoned(ex: Exchange): void {
    this.#queue.remove(ex);
    if (ex.worker === undefined) this.record(ex, ex.status || 499, 'client closed the connection');
  }

  /** Close every pooled connection and answer what still waits (shutdown). */
  /**
   * Set while this instance leaves a site that goes on serving (scale-in, instance kill): requests it can no
   * longer serve — still queued, or to be retried after its workers were killed — go back to the site's
   * balancer instead of failing.
   */
  handoff: ((ex: Exchange) => void) | undefined;

  close(): void {
    this.#queue.drainAll((ex) => (this.handoff ? this.handoff(ex) : this.#fail(ex, cbError('CB_ERR_HOSTING_STOPPING', { instance: this.options.name }))));
    for (const pool of this.#pools.values()) pool.close();
    this.#pools.clear();
  }

  /**
   * Round robin among the least busy: scan from the worker after the last one chosen and take the first with
   * the fewest requests in flight, skipping those at the cap. Sequential requests therefore alternate
   * 1,2,1,2 (iisnode's order, functional test 114), and a slow request steers new ones to idle workers.
   */
  #pick(avoid: Worker | undefined): Worker | undefined {
    const list = this.options.group.routable;
    if (this.#unreachable.size > 0) this.#expireUnreachable();
    const n = list.length;
    const cap = this.options.maxConcurrentRequestsPerProcess;
    let best: Worker | undefined;
    let bestIndex = -1;
    for (let k = 1; k <= n; k++) {
      const index = (this.#rr + k) % n;
      const w = list[index] as Worker;
      // A worker paused in the debugger takes nothing new: its requests would hang until it resumes.
      if (w.active >= cap || w === avoid || w.paused || this.#unreachable.has(w)) continue;
      if (best === undefined || w.active < best.active) {
        best = w;
        bestIndex = index;
        if (w.active === 0) break;
      }
    }
    // The worker to avoid is still better than waiting when it is the only one left.
    if (best === undefined && avoid !== undefined && avoid.state === 'ready' && !avoid.paused && avoid.active < cap && !this.#unreachable.has(avoid)) return avoid;
    if (best !== undefined) this.#rr = bestIndex;
    return best;
  }

  /**
   * A worker that refused a connection is likely dead before its exit is reported (a SIGKILLed process leaves
   * its socket file behind): retrying it at once would spend every retry in the same millisecond. It is left
   * out of dispatch for a moment; its exit, or the end of that moment, puts waiting requests back in motion.
   */
  #markUnreachable(worker: Worker): void {
    if (this.#unreachable.has(worker)) return;
    this.#unreachable.set(worker, Date.now() + UNREACHABLE_MS);
    setTimeout(() => {
      this.#unreachable.delete(worker);
      this.#pump();
    }, UNREACHABLE_MS).unref();
  }

  #expireUnreachable(): void {
    const now = Date.now();
    for (const [w, until] of this.#unreachable) if (until <= now || w.state !== 'ready') this.#unreachable.delete(w);
  }

  #onRoutableChanged(): void {
    const routable = this.options.group.routable;
    if (this.#rr >= routable.length) this.#rr = -1;
    // Workers out of rotation with nothing in flight: close their idle connections so they can exit cleanly.
    for (const [worker, pool] of this.#pools) if (worker.state !== 'ready' && worker.active === 0) pool.close();
    this.#pump();
  }

  /** Hand queued requests to workers that can take them. */
  #pump(): void {
    while (this.#queue.length > 0) {
      const worker = this.#pick(undefined);
      if (!worker) return;
      this.#attach(this.#queue.shift() as Exchange, worker);
    }
  }

  /** The process the request's affinity cookie names, if it can take the request now. */
  #sticky(ex: Exchange): Worker | undefined {
    const cookie = headerValue(ex.head, 'cookie');
    const m = cookie === undefined ? null : STICKY_COOKIE.exec(cookie);
    const list = this.options.group.routable;
    if (m === null || list.length === 0) return undefined;
    const w = list[Number(m[1]) % list.length] as Worker;
    return w.active < this.options.maxConcurrentRequestsPerProcess && !w.paused ? w : undefined;
  }

  #attach(ex: Exchange, worker: Worker): void {
    if (this.options.stickySessions) {
      // Name the process that answers, so the client's next requests come back to it.
      const index = this.options.group.routable.indexOf(worker);
      const before = ex.responseDecorator;
      ex.responseDecorator = () => [...(before?.() ?? []), ['Set-Cookie', `iisnode.session.cookie=${Math.max(0, index)}; Path=/`]];
    }
    worker.requestStarted();
    ex.attach(worker, this.#pool(worker));
  }

  #pool(worker: Worker): UpstreamPool {
    let pool = this.#pools.get(worker);
    if (!pool) {
      // A Node server closes idle connections after 5 s unless it says otherwise; stay under that.
      pool = new UpstreamPool(worker.address, Math.min(4000, this.options.pooledConnectionAgeMs), this.options.maxHeadSize, this.options.pooledConnectionsMax);
      this.#pools.set(worker, pool);
    }
    return pool;
  }

  #closePool(worker: Worker): void {
    this.#pools.get(worker)?.close();
    this.#pools.delete(worker);
  }

  settled(ex: Exchange, worker: Worker, outcome: ExchangeOutcome): void {
    worker.requestFinished();
    if (outcome.received === false && outcome.error !== undefined && REFUSED.has(outcome.error.code ?? '')) this.#markUnreachable(worker);
    if (worker.state !== 'ready' && worker.active === 0) this.#pools.get(worker)?.close();
    if (outcome.error) {
      if (this.#mayRetry(ex, outcome)) {
        ex.retries++;
        ex.avoid = worker;
        this.route(ex);
      } else {
        void this.#reportFailure(ex, worker, outcome.error);
      }
    } else {
      this.record(ex, outcome.status, undefined);
    }
    if (this.#queue.length > 0) this.#pump();
  }

  /**
   * Retry on another worker when the worker never got the request (connection refused, socket file gone, a
   * stale keep-alive connection), or when the request is idempotent; in both cases only if its body is kept.
   */
  #mayRetry(ex: Exchange, outcome: ExchangeOutcome): boolean {
    if (ex.retries >= Math.max(2, this.options.group.count + 1)) return false;
    if (!ex.replayable || ex.client.socket.destroyed) return false;
    return outcome.received === false || IDEMPOTENT.has(ex.method);
  }

  async #reportFailure(ex: Exchange, worker: Worker, error: Error): Promise<void> {
    // The socket usually breaks a moment before the process is reported gone; wait briefly to tell a crash
    // (with its stderr) from a connection the app itself broke.
    const exit = await Promise.race([worker.exited, new Promise<undefined>((r) => setTimeout(r, 300, undefined))]);
    const reason = !ex.replayable ? 'its body was streamed and cannot be sent again' : `${ex.method} is not idempotent`;
    const err = exit
      ? cbError('CB_ERR_HOSTING_WORKER_DIED', { worker: worker.label, pid: worker.pid ?? '-', method: ex.method, url: ex.url, reason })
      : cbError('CB_ERR_HOSTING_UPSTREAM', { method: ex.method, url: ex.url, worker: worker.label, detail: error.message });
    this.#fail(ex, err, worker.pid);
  }

  #failInstance(ex: Exchange): void {
    const failure = this.options.group.failure;
    const err = failure?.exit.error ?? failure?.worker.startError ?? cbError('CB_ERR_HOSTING_INSTANCE_FAILED', { instance: this.options.name, crashes: failure?.unstableExits ?? 0, windowMs: 2000 });
    this.#fail(ex, err, failure?.worker.pid);
  }

  #fail(ex: Exchange, error: CloudbenchError, pid?: number): void {
    const page = renderError(error, { devErrorsEnabled: this.options.devErrorsEnabled, iisnode: this.options.iisnodeErrors, stderrTail: pid === undefined ? undefined : this.options.stderrTail(pid) });
    ex.respond(page.status, page.reason, page.headers, page.body);
    this.record(ex, error.status, error.code);
  }

  /** Emit the request record of an exchange (also for answers the site pipeline gave itself). */
  record(ex: Exchange, status: number, error: string | undefined): void {
    const onRequest = this.options.onRequest;
    if (!onRequest) return;
    const now = Date.now();
    onRequest({
      id: ++this.#requestId,
      time: ex.enqueuedAt,
      method: ex.method,
      url: ex.url,
      status,
      durationMs: now - ex.enqueuedAt,
      queueMs: (ex.dequeuedAt || now) - ex.enqueuedAt,
      instance: this.options.name,
      worker: ex.worker?.id,
      pid: ex.worker?.pid,
      retries: ex.retries,
      error,
      requestHeaders: ex.head.headers,
      responseHeaders: ex.responseHeaders,
    });
  }
}
