// CPU % and RSS of worker processes, sampled on a timer (never on the request path). pidusage reads
// /proc on Linux and uses ps / wmic elsewhere, so it works without the worker hook.
import pidusage from 'pidusage';

export interface ProcessSample {
  /** Percent of one core since the previous sample (can exceed 100 on several cores). */
  readonly cpu: number;
  readonly rss: number;
}

export class StatsSampler {
  readonly samples = new Map<number, ProcessSample>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(
    private readonly pids: () => number[],
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.sample(), this.intervalMs);
    this.#timer.unref();
  }

  async sample(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const pids = this.pids();
      const live = new Set(pids);
      for (const pid of this.samples.keys()) if (!live.has(pid)) this.samples.delete(pid);
      if (pids.length === 0) return;
      // One call per pid: a batch call fails as a whole when any one process has just exited.
      const stats = await Promise.all(pids.map((pid) => pidusage(pid).catch(() => null)));
      stats.forEach((s, i) => {
        if (s) this.samples.set(pids[i] as number, { cpu: Math.round(s.cpu * 10) / 10, rss: s.memory });
      });
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    pidusage.clear();
  }
}
