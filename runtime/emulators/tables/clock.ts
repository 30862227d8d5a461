// Entity timestamps: UTC with Azure's 7 fraction digits (100 ns ticks), strictly increasing within the process
// so that two writes in the same millisecond still get different ETags (an If-Match on the first must fail
// after the second).

let lastTick = 0n;

/** The next timestamp, `YYYY-MM-DDTHH:MM:SS.fffffffZ`. */
export function nextTimestamp(): string {
  const now = BigInt(Date.now()) * 10_000n;
  lastTick = now > lastTick ? now : lastTick + 1n;
  const ms = Number(lastTick / 10_000n);
  const sub = (lastTick % 10_000n).toString().padStart(4, '0');
  return `${new Date(ms).toISOString().slice(0, 23)}${sub}Z`;
}

/** The weak ETag Azure derives from the timestamp: W/"datetime'2024-01-01T00%3A00%3A00.0000000Z'". */
export function etagOf(ts: string): string {
  return `W/"datetime'${encodeURIComponent(ts)}'"`;
}

/** Whether an If-Match value names this version ('*' names any). */
export function etagMatches(ifMatch: string, ts: string): boolean {
  if (ifMatch.trim() === '*') return true;
  const m = /datetime'([^']+)'/.exec(ifMatch);
  if (!m) return false;
  try {
    return decodeURIComponent(m[1] as string) === ts;
  } catch {
    return false;
  }
}
