// Which port a worker's inspector opens on. iisnode's debuggerPortRange (default 5058-6058) is honoured as
// a preference: worker #n tries start + n - 1 first, so an attach configuration written for worker #1
// (VS Code, chrome://inspect's "Configure…") stays valid across attaches and recycles. A port that is
// taken is skipped; when the whole range is busy the inspector takes any free port.
import net from 'node:net';

export interface PortRange {
  readonly start: number;
  readonly end: number;
}

/** "5058-6058" → {start, end}; undefined for anything else (then any free port is used). */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (start < 1 || end > 65535 || start > end) return undefined;
  return { start, end };
}

/** Ports to try for worker ordinal n, in order: its own first, then round the range (at most `limit`). */
export function candidatePorts(range: PortRange | undefined, ordinal: number, taken: ReadonlySet<number>, limit = 16): number[] {
  if (!range) return [];
  const size = range.end - range.start + 1;
  const out: number[] = [];
  for (let k = 0; k < size && out.length < limit; k++) {
    const port = range.start + ((Math.max(1, ordinal) - 1 + k) % size);
    if (!taken.has(port)) out.push(port);
  }
  return out;
}

/** Whether 127.0.0.1:port can be bound right now (the worker binds it a moment later; a race falls back to 0). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first free candidate, or 0 (any port). */
export async function choosePort(range: PortRange | undefined, ordinal: number, taken: ReadonlySet<number>): Promise<number> {
  for (const port of candidatePorts(range, ordinal, taken)) if (await isPortFree(port)) return port;
  return 0;
}
