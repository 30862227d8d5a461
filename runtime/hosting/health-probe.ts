// The load balancer's health probe, as Azure's put on a role (ServiceDefinition.csdef <LoadBalancerProbe>) and
// App Service's Health check do: every interval each instance is asked directly (one of its ready workers,
// not through the VIP) — an HTTP GET of `path` that must answer 2xx within the timeout, or, for `tcp`, a
// connection that must open. After `failures` misses in a row the instance leaves the rotation; the next
// success brings it back. An instance with no ready worker is not probed: the balancer already skips it.
// If every instance fails, none is excluded (as App Service does), so a broken probe path cannot take the
// whole site down.
import http from 'node:http';
import net from 'node:net';
import type { WorkerAddress } from '../workers/worker.js';

export interface HealthProbeSettings {
  readonly protocol: 'http' | 'tcp';
  /** For http: the path requested, starting with `/`. */
  readonly path: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive misses that take an instance out. */
  readonly failures: number;
}

export interface ProbeTarget {
  readonly name: string;
  /** A ready worker's address, or undefined while the instance has none. */
  address(): WorkerAddress | undefined;
  probeFailing: boolean;
}

export interface ProbeChange {
  readonly instance: string;
  readonly failing: boolean;
  readonly detail: string;
}

/** The event-feed line for a change: the same words for the live folder and every environment's slots. */
export function describeProbeChange(change: ProbeChange): string {
  return change.failing ? `Instance ${change.instance} out of the load balancer: ${change.detail}` : `Instance ${change.instance} back in the load balancer: passed the ${change.detail}`;
}

export class HealthProber {
  readonly #misses = new Map<ProbeTarget, number>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    readonly settings: HealthProbeSettings,
    private readonly targets: () => readonly ProbeTarget[],
    private readonly onChange: (change: ProbeChange) => void,
  ) {}

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.probeAll(), this.settings.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const t of this.targets()) t.probeFailing = false;
  }

  /** One round over every instance (also what the timer runs). */
  async probeAll(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const targets = this.targets();
      for (const t of [...this.#misses.keys()]) if (!targets.includes(t)) this.#misses.delete(t);
      await Promise.all(targets.map((t) => this.#probe(t)));
    } finally {
      this.#running = false;
    }
  }

  async #probe(target: ProbeTarget): Promise<void> {
    const address = target.address();
    if (address === undefined) return;
    const failure = await probeOnce(address, this.settings);
    if (failure === undefined) {
      this.#misses.set(target, 0);
      if (target.probeFailing) {
        target.probeFailing = false;
        this.onChange({ instance: target.name, failing: false, detail: this.#what() });
      }
      return;
    }
    const misses = (this.#misses.get(target) ?? 0) + 1;
    this.#misses.set(target, misses);
    if (misses >= this.settings.failures && !target.probeFailing) {
      target.probeFailing = true;
      this.onChange({ instance: target.name, failing: true, detail: `${this.#what()}: ${failure}${this.settings.failures > 1 ? ` (${misses} times in a row)` : ''}` });
    }
  }

  #what(): string {
    return this.settings.protocol === 'http' ? `health probe GET ${this.settings.path}` : 'health probe (TCP connect)';
  }
}

/** Undefined when the instance passes; otherwise what went wrong. */
function probeOnce(address: WorkerAddress, settings: HealthProbeSettings): Promise<string | undefined> {
  const target = address.kind === 'pipe' ? { socketPath: address.path } : { host: address.host, port: address.port };
  return new Promise((resolve) => {
    if (settings.protocol === 'tcp') {
      const socket = net.connect(address.kind === 'pipe' ? { path: address.path } : { host: address.host, port: address.port });
      socket.setTimeout(settings.timeoutMs, () => {
        socket.destroy();
        resolve(`no connection within ${settings.timeoutMs} ms`);
      });
      socket.once('connect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('error', (err) => resolve(err.message));
      return;
    }
    const req = http.request({ ...target, path: settings.path, method: 'GET', headers: { 'user-agent': 'Cloudbench-HealthProbe', connection: 'close' }, timeout: settings.timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 300 ? undefined : `answered ${status}`);
    });
    req.once('timeout', () => {
      req.destroy();
      resolve(`no answer within ${settings.timeoutMs} ms`);
    });
    req.once('error', (err) => resolve(err.message));
    req.end();
  });
}
