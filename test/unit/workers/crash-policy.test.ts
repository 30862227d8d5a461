// The crash policy decides whether a crashing app is restarted at once, after a pause, or given up on. A wrong
// answer either spins the CPU restarting a broken app or leaves a healthy one down after a single crash.
import { describe, expect, it } from 'vitest';
import { DEFAULT_CRASH_POLICY, decideAfterExit } from '../../../runtime/workers/crash-policy.js';
import type { CrashDecision, CrashPolicy } from '../../../runtime/workers/crash-policy.js';

const POLICY: CrashPolicy = { minUptimeMs: 1000, maxUnstableExits: 6, baseDelayMs: 100, maxDelayMs: 500 };

/** Feeds `n` quick exits in a row through the policy, as the supervisor would. */
function crashLoop(n: number, policy: CrashPolicy = POLICY): CrashDecision[] {
  const out: CrashDecision[] = [];
  let unstable = 0;
  for (let i = 0; i < n; i++) {
    const d = decideAfterExit(unstable, 10, policy);
    out.push(d);
    unstable = d.unstableExits;
    if (d.action === 'fail') break;
  }
  return out;
}

describe('decideAfterExit', () => {
  it('restarts at once after the first quick crash', () => {
    expect(decideAfterExit(0, 10, POLICY)).toEqual({ action: 'restart', delayMs: 0, unstableExits: 1 });
  });

  it('doubles the delay from baseDelayMs on each further quick crash, up to maxDelayMs, then fails', () => {
    expect(crashLoop(10)).toEqual([
      { action: 'restart', delayMs: 0, unstableExits: 1 },
      { action: 'restart', delayMs: 100, unstableExits: 2 },
      { action: 'restart', delayMs: 200, unstableExits: 3 },
      { action: 'restart', delayMs: 400, unstableExits: 4 },
      { action: 'restart', delayMs: 500, unstableExits: 5 },
      { action: 'fail', unstableExits: 6 },
    ]);
  });

  it('fails on the maxUnstableExits-th quick crash in a row, not one later', () => {
    const loop = crashLoop(100, { ...POLICY, maxUnstableExits: 3 });
    expect(loop.map((d) => d.action)).toEqual(['restart', 'restart', 'fail']);
    expect(decideAfterExit(2, 0, { ...POLICY, maxUnstableExits: 3 })).toEqual({ action: 'fail', unstableExits: 3 });
  });

  it('treats a run of at least minUptimeMs as stable: immediate restart and the count starts over', () => {
    expect(decideAfterExit(4, 1000, POLICY)).toEqual({ action: 'restart', delayMs: 0, unstableExits: 0 });
    expect(decideAfterExit(5, 60_000, POLICY)).toEqual({ action: 'restart', delayMs: 0, unstableExits: 0 });
    // One millisecond short still counts as unstable.
    expect(decideAfterExit(0, 999, POLICY).unstableExits).toBe(1);
  });

  it('never fails an app that crashes only after running stably', () => {
    let unstable = 0;
    for (let i = 0; i < 1000; i++) {
      const d = decideAfterExit(unstable, i % 2 === 0 ? 5 : 5000, POLICY);
      expect(d.action).toBe('restart');
      unstable = d.unstableExits;
    }
  });

  it('keeps the delay capped however long the crash loop (no overflow to Infinity or NaN)', () => {
    const d = decideAfterExit(5000, 0, { ...POLICY, maxUnstableExits: Number.POSITIVE_INFINITY });
    expect(d).toEqual({ action: 'restart', delayMs: 500, unstableExits: 5001 });
  });

  it('uses the documented defaults: 2 s of uptime is stable, 5 quick crashes fail, delays 0/100/200/400', () => {
    expect(DEFAULT_CRASH_POLICY).toEqual({ minUptimeMs: 2000, maxUnstableExits: 5, baseDelayMs: 100, maxDelayMs: 2000 });
    expect(Object.isFrozen(DEFAULT_CRASH_POLICY)).toBe(true);
    expect(crashLoop(10, DEFAULT_CRASH_POLICY)).toEqual([
      { action: 'restart', delayMs: 0, unstableExits: 1 },
      { action: 'restart', delayMs: 100, unstableExits: 2 },
      { action: 'restart', delayMs: 200, unstableExits: 3 },
      { action: 'restart', delayMs: 400, unstableExits: 4 },
      { action: 'fail', unstableExits: 5 },
    ]);
    expect(decideAfterExit(3, 1999).action).toBe('restart');
    expect(decideAfterExit(4, 1999).action).toBe('fail');
    expect(decideAfterExit(4, 2000).action).toBe('restart');
  });
});
