// Small formatters shared by the views: one place decides how a number reads at a glance.

export function formatBytesMB(bytes: number | undefined): string {
  if (bytes === undefined) return '–';
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

export function formatPercent(value: number | undefined): string {
  if (value === undefined) return '–';
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} %`;
}

export function formatMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Local wall-clock time with milliseconds: 14:03:07.123 */
export function formatClock(time: number): string {
  const d = new Date(time);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** "3 s", "4 min", "2 h" since time. */
export function formatAge(time: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

/** Flat [name, value, name, value, …] as pairs. */
export function headerPairs(flat: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

export function statusClass(status: number): 'ok' | 'redirect' | 'client' | 'server' | 'none' {
  if (status >= 500) return 'server';
  if (status >= 400) return 'client';
  if (status >= 300) return 'redirect';
  if (status >= 100) return 'ok';
  return 'none';
}

/** A log record as one line of an exported file (the same shape as the runtime's export). */
export function formatLogLine(r: { time: number; instance: string; worker: string; pid: number; stream: string; text: string }): string {
  return `${new Date(r.time).toISOString()} ${r.instance} ${r.worker}:${r.pid} ${r.stream} ${r.text}`;
}
