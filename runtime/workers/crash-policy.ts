// When a worker exits unexpectedly: restart it, after how long, or give up. A pure function, so the policy
// is tested without processes or clocks (PM2's min_uptime/max_restarts idea, as a function).

export interface CrashPolicy {
  /** A worker that ran at least this long before exiting is considered stable: the count starts over. */
  readonly minUptimeMs: number;
  /** This many unstable exits in a row mark the slot failed. */
  readonly maxUnstableExits: number;
  /** Delay before the second unstable restart; doubles each time after. The first restart is immediate. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_CRASH_POLICY: CrashPolicy = Object.freeze({
  minUptimeMs: 2000,
  maxUnstableExits: 5,
  baseDelayMs: 100,
  maxDelayMs: 2000,
});

export type CrashDecision = { readonly action: 'restart'; readonly delayMs: number; readonly unstableExits: number } | { readonly action: 'fail'; readonly unstableExits: number };

/**
 * @param unstableExitsBefore unstable exits in a row before this one
 * @param uptimeMs how long the worker that just exited ran
 */
export function decideAfterExit(unstableExitsBefore: number, uptimeMs: number, policy: CrashPolicy = DEFAULT_CRASH_POLICY): CrashDecision {
  if (uptimeMs >= policy.minUptimeMs) return { action: 'restart', delayMs: 0, unstableExits: 0 };
  const unstableExits = unstableExitsBefore + 1;
  if (unstableExits >= policy.maxUnstableExits) return { action: 'fail', unstableExits };
  const delayMs = unstableExits === 1 ? 0 : Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (unstableExits - 2));
  return { action: 'restart', delayMs, unstableExits };
}
