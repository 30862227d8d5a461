// The target list in the shape of Node's own `/json/list` and `/json/version`, so tools that speak that
// format (chrome://inspect, VS Code, Puppeteer-style clients) can read it from the control API. Each entry
// is the worker's own entry with its WebSocket addresses pointed at our proxy.
import { z } from 'zod';
import type { DebugTarget } from '../shared/protocol.js';
import type { JsonListEntrySchema } from '../shared/protocol.js';

export type JsonListEntry = z.infer<typeof JsonListEntrySchema>;

/** What a worker's inspector answers at /json/list (only the fields we keep; others may be missing). */
export const RawEntrySchema = z.object({
  id: z.string(),
  title: z.string().optional(),
  url: z.string().optional(),
  type: z.string().optional(),
  faviconUrl: z.string().optional(),
  description: z.string().optional(),
});
export type RawEntry = z.infer<typeof RawEntrySchema>;

/** The DevTools frontend bundled with Chrome for a Node target (`ws` is host:port/path, without the scheme). */
export function devtoolsUrl(ws: string, compat = false): string {
  return `devtools://devtools/bundled/${compat ? 'inspector' : 'js_app'}.html?experiments=true&v8only=true&ws=${ws}`;
}

/** A worker's /json/list entries, their addresses replaced by the proxy's on `controlHost` (`127.0.0.1:7070`). */
export function shapeJsonList(raw: readonly RawEntry[], target: DebugTarget, controlHost: string): JsonListEntry[] {
  const ws = `${controlHost}${target.proxyPath}`;
  const who = `worker #${target.ordinal} of ${target.instance}${target.pid === undefined ? '' : `, pid ${target.pid}`}`;
  const entries = raw.length > 0 ? raw : [{ id: `cloudbench-${target.worker}` }];
  return entries.map((e) => ({
    description: e.description ?? 'node.js instance',
    devtoolsFrontendUrl: devtoolsUrl(ws),
    devtoolsFrontendUrlCompat: devtoolsUrl(ws, true),
    faviconUrl: e.faviconUrl ?? 'https://nodejs.org/static/images/favicons/favicon.ico',
    id: e.id,
    title: `${e.title ?? 'node'} (${who})`,
    type: e.type ?? 'node',
    url: e.url ?? '',
    webSocketDebuggerUrl: `ws://${ws}`,
  }));
}

/** /json/version: Node answers `{ Browser: "node.js/v20.x", "Protocol-Version": "1.1" }`. */
export function jsonVersion(nodeVersion: string | undefined): { Browser: string; 'Protocol-Version': string } {
  return { Browser: `node.js/${nodeVersion ?? process.version}`, 'Protocol-Version': '1.1' };
}

/** Reads a worker's own /json/list (its inspector's HTTP side, on 127.0.0.1). */
export async function fetchRawList(port: number): Promise<RawEntry[]> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2000) });
    const parsed = z.array(RawEntrySchema).safeParse(await res.json());
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

export async function fetchNodeVersion(port: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/version`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { Browser?: unknown };
    return typeof body.Browser === 'string' ? body.Browser.replace(/^node\.js\//, '') : undefined;
  } catch {
    return undefined;
  }
}
