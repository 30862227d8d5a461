// The load balancer in front of a site's role instances, as Azure's put in front of a role's VMs. It picks
// an instance for each request (round robin, least connections, or a sticky ARRAffinity cookie as App
// Service sets) among those in rotation, and hands the exchange to that instance's router. The exchange
// remembers where it went, so it settles there even if the instance has since left the rotation, or the
// balancer itself has been swapped to another VIP: in-flight requests finish where they started.
//
// Instances leave the rotation when they stop being healthy (no ready worker, failed, stopping, or the app
// said `busy`); requests arriving while no instance is in rotation wait in a bounded queue.

import { cbError } from '../shared/errors.js';
import type { Worker } from '../workers/worker.js';
import { renderError } from './error-page.js';
import type { Exchange, ExchangeHost, ExchangeOutcome } from './exchange.js';
import { headerValue } from './http1/head.js';
import { RequestQueue } from './request-queue.js';

export type BalancerPolicy = 'round-robin' | 'least-connections' | 'sticky';
export const BALANCER_POLICIES: readonly BalancerPolicy[] = ['round-robin', 'least-connections', 'sticky'];

export interface BalancerMember {
  readonly name: string;
  readonly router: ExchangeHost;
  /** In rotation: it can serve now. */
  readonly healthy: boolean;
  /** Requests in flight or queued on it (least connections). */
  readonly load: number;
  /**
   * Not healthy, but its own queue or error page should answer rather than the balancer's queue: it is
   * starting, or it failed (its page names the crash). False while it stops or reports busy.
   */
  readonly accepting: boolean;
}

export interface LoadBalancerOptions {
  readonly name: string;
  policy?: BalancerPolicy;
  readonly queueLength: number;
  readonly queueTimeoutMs: number;
  /** Answers for requests the balancer itself could not place (queue full or timed out). */
  readonly onUnplaced?: (ex: Exchange, status: number, code: string) => void;
}

const AFFINITY = /(?:^|;\s*)ARRAffinity=([^;\s]+)/;

export class LoadBalancer implements ExchangeHost {
  policy: BalancerPolicy;
  #members: BalancerMember[] = [];
  #rr = -1;
  readonly #waiting: RequestQueue<Exchange>;

  constructor(private readonly options: LoadBalancerOptions) {
    this.policy = options.policy ?? 'round-robin';
    this.#waiting = new RequestQueue<Exchange>(options.queueLength, options.queueTimeoutMs, (ex) =>
      this.#unplaced(ex, cbError('CB_ERR_HOSTING_QUEUE_TIMEOUT', { instance: options.name, waitedMs: Date.now() - ex.enqueuedAt, limitMs: options.queueTimeoutMs })),
    );
  }

  get members(): readonly BalancerMember[] {
    return this.#members;
  }

  get enableXFF(): boolean {
    return this.#members[0]?.router.enableXFF ?? false;
  }

  get maxReplayBodyBytes(): number {
    return this.#members[0]?.router.maxReplayBodyBytes ?? 64 * 1024;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /** Puts an instance in the balancer (it takes requests whenever it is healthy). */
  add(member: BalancerMember): void {
    if (!this.#members.includes(member)) this.#members.push(member);
    this.pump();
  }

  /** Takes an instance out: no new requests; those already on it finish there. */
  remove(member: BalancerMember): void {
    this.#members = this.#members.filter((m) => m !== member);
    if (this.#rr >= this.#members.length) this.#rr = -1;
  }

  /** Health changed somewhere: place waiting requests that can go now. */
  pump(): void {
    while (this.#waiting.length > 0) {
      const member = this.#pick(undefined);
      if (member === undefined) return;
      this.#send(this.#waiting.shift() as Exchange, member);
    }
  }

  route(ex: Exchange): void {
    const member = this.#pick(ex);
    if (member !== undefined) return this.#send(ex, member);
    if (!this.#waiting.push(ex)) this.#unplaced(ex, cbError('CB_ERR_HOSTING_QUEUE_FULL', { instance: this.options.name, limit: this.options.queueLength }));
  }

  settled(ex: Exchange, worker: Worker, outcome: ExchangeOutcome): void {
    (ex.placedOn ?? this.#members[0]?.router)?.settled(ex, worker, outcome);
  }

  abandoned(ex: Exchange): void {
    if (ex.placedOn === undefined) {
      this.#waiting.remove(ex);
      return;
    }
    ex.placedOn.abandoned(ex);
  }

  /** Answers everything still waiting (shutdown). */
  close(): void {
    this.#waiting.drainAll((ex) => this.#unplaced(ex, cbError('CB_ERR_HOSTING_STOPPING', { instance: this.options.name })));
  }

  #send(ex: Exchange, member: BalancerMember): void {
    ex.placedOn = member.router;
    if (this.policy === 'sticky') {
      const before = ex.responseDecorator;
      ex.responseDecorator = () => [...(before?.() ?? []), ['Set-Cookie', `ARRAffinity=${member.name}; Path=/; HttpOnly`]];
    }
    member.router.route(ex);
  }

  #pick(ex: Exchange | undefined): BalancerMember | undefined {
    const list = this.#members;
    const n = list.length;
    if (n === 0) return undefined;
    if (this.policy === 'sticky' && ex !== undefined) {
      const cookie = headerValue(ex.head, 'cookie');
      const wanted = cookie === undefined ? undefined : AFFINITY.exec(cookie)?.[1];
      const member = wanted === undefined ? undefined : list.find((m) => m.name === wanted);
      if (member?.healthy) return member;
    }
    let best: BalancerMember | undefined;
    let bestIndex = -1;
    for (let k = 1; k <= n; k++) {
      const index = (this.#rr + k) % n;
      const m = list[index] as BalancerMember;
      if (!m.healthy) continue;
      if (this.policy !== 'least-connections') {
        best = m;
        bestIndex = index;
        break;
      }
      if (best === undefined || m.load < best.load) {
        best = m;
        bestIndex = index;
      }
    }
    if (best !== undefined) {
      this.#rr = bestIndex;
      return best;
    }
    // Nobody healthy: an instance that is starting queues the request itself (and one that failed answers
    // with its crash page) — as a single iisnode site did. Only when none accepts does the balancer hold it.
    return list.find((m) => m.accepting);
  }

  #unplaced(ex: Exchange, error: ReturnType<typeof cbError>): void {
    if (this.options.onUnplaced) return this.options.onUnplaced(ex, error.status, error.code);
    const page = renderError(error, { devErrorsEnabled: true, retryAfterSeconds: 1 });
    ex.respond(page.status, page.reason, page.headers, page.body);
  }
}
