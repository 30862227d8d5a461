// The workbench's built-in load generator: keeps `concurrency` request loops against a URL at up to `rate`
// requests per second for `durationSec`, and samples every second: requests/s, failures, latency p50/p99,
// and which instance answered (from the site's own request records), so a developer can watch a scale-out
// spread the load. One run at a time; it stops itself at the end of its duration.

import http from 'node:http';

export interface LoadSettings {
  readonly url: string;
  readonly concurrency: number;
  /** Requests per second in total; 0 = as fast as the loops go. */
  readonly rate: number;
  readonly durationSec: number;
}

export interface LoadSample {
  readonly time: number;
  readonly requests: number;
  readonly failed: number;
  readonly p50: number;
  readonly p99: number;
  readonly byInstance: Record<string, number>;
}

export class LoadGenerator {
  settings: LoadSettings | undefined;
  samples: LoadSample[] = [];
  #running = false;
  #latencies: number[] = [];
  #requests = 0;
  #failed = 0;
  #byInstance: Record<string, number> = {};
  #timer: NodeJS.Timeout | undefined;
  #agent: http.Agent | undefined;

  get running(): boolean {
    return this.#running;
  }

  /** Counts a request the target site answered, by instance (fed from the site's request records). */
  served(instance: string): void {
    if (this.#running) this.#byInstance[instance] = (this.#byInstance[instance] ?? 0) + 1;
  }

  start(settings: LoadSettings): void {
    this.stop();
    this.settings = settings;
    this.samples = [];
    this.#running = true;
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: settings.concurrency });
    const endAt = Date.now() + settings.durationSec * 1000;
    const gap = settings.rate > 0 ? (1000 * settings.concurrency) / settings.rate : 0;
    for (let i = 0; i < settings.concurrency; i++) void this.#loop(settings.url, gap, endAt);
    this.#timer = setInterval(() => {
      this.#sample();
      if (Date.now() >= endAt) this.stop();
    }, 1000);
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    clearInterval(this.#timer);
    this.#sample();
    this.#agent?.destroy();
  }

  #sample(): void {
    const sorted = this.#latencies.sort((a, b) => a - b);
    const at = (q: number): number => (sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number));
    this.samples.push({ time: Date.now(), requests: this.#requests, failed: this.#failed, p50: at(0.5), p99: at(0.99), byInstance: this.#byInstance });
    if (this.samples.length > 600) this.samples.shift();
    this.#latencies = [];
    this.#requests = 0;
    this.#failed = 0;
    this.#byInstance = {};
  }

  async #loop(url: string, gap: number, endAt: number): Promise<void> {
    while (this.#running && Date.now() < endAt) {
      const started = performance.now();
      const ok = await this.#once(url);
      const took = performance.now() - started;
      this.#requests++;
      if (!ok) this.#failed++;
      this.#latencies.push(took);
      if (gap > took) await new Promise((r) => setTimeout(r, gap - took));
    }
  }

  #once(url: string): Promise<boolean> {
    return new Promise((resolve) => {
      const req = http.get(url, { agent: this.#agent, timeout: 30_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve((res.statusCode ?? 0) < 500));
        res.on('error', () => resolve(false));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
  }
}
