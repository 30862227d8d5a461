// A VIP: the public listener of a slot. It forwards each request to whatever the slot currently runs (a
// site's load balancer). A swap re-points two VIPs at each other's sites in one synchronous step, so no
// request finds a VIP pointing nowhere; an exchange keeps the balancer it was handed to, so in-flight
// requests finish where they started.

import type { Exchange, ExchangeHost, ExchangeOutcome } from '../hosting/exchange.js';
import { startFrontEnd } from '../hosting/front-end.js';
import type { FrontEnd } from '../hosting/front-end.js';
import { renderError } from '../hosting/error-page.js';
import { cbError } from '../shared/errors.js';
import type { Worker } from '../workers/worker.js';

export class Vip implements ExchangeHost {
  target: ExchangeHost | undefined;
  #frontEnd: FrontEnd | undefined;

  constructor(readonly name: string) {}

  get url(): string {
    return this.#frontEnd?.url ?? '';
  }

  get port(): number {
    return this.#frontEnd?.port ?? 0;
  }

  get enableXFF(): boolean {
    return this.target?.enableXFF ?? false;
  }

  get maxReplayBodyBytes(): number {
    return this.target?.maxReplayBodyBytes ?? 64 * 1024;
  }

  /** Listens on `port` (0: a free one). Listening again moves the VIP: the new port opens, then the old closes. */
  async listen(host: string, port: number): Promise<void> {
    const previous = this.#frontEnd;
    const next = await startFrontEnd(this, { host, port, maxHeaderSize: 64 * 1024 });
    // The URL changes only once the old port is closed, so whoever reads it never finds both open.
    await previous?.close();
    this.#frontEnd = next;
  }

  route(ex: Exchange): void {
    const target = this.target;
    if (target === undefined) {
      // An empty slot: nothing deployed there yet.
      const page = renderError(cbError('CB_ERR_FABRIC_EMPTY_SLOT', { slot: this.name }), { devErrorsEnabled: true });
      ex.respond(page.status, page.reason, page.headers, page.body);
      return;
    }
    ex.viaBalancer = target;
    target.route(ex);
  }

  settled(ex: Exchange, worker: Worker, outcome: ExchangeOutcome): void {
    (ex.viaBalancer ?? this.target)?.settled(ex, worker, outcome);
  }

  abandoned(ex: Exchange): void {
    (ex.viaBalancer ?? this.target)?.abandoned(ex);
  }

  async close(): Promise<void> {
    const frontEnd = this.#frontEnd;
    this.#frontEnd = undefined;
    await frontEnd?.close();
  }
}
