// The control API: HTTP for commands and queries (dispatched from the protocol's ROUTES table), one
// WebSocket for the live stream, and the built renderer as static files, all on one loopback port. Order of
// checks for every request: Host/Origin (auth.ts explains the threats), then the token for /api/.
import { existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { z } from 'zod';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import { LOG_EXPORT_PATH, LogQuerySchema, ROUTES, STREAM_PATH, STREAM_PROTOCOL } from '../shared/protocol.js';
import type { RouteName } from '../shared/protocol.js';
import { workerEnvironment } from '../hosting/site-host.js';
import type { TerminalManager } from '../terminal/terminal-manager.js';
import { allowedHosts, checkOrigin, checkToken, tokenMatches } from './auth.js';
import { WORKBENCH_CSP } from '../shared/csp.js';
import { StreamHub } from './stream-hub.js';
import type { Workbench } from './workbench.js';
import { toRequestMessage } from './workbench.js';
import { fabricHandlers } from './fabric-routes.js';
import { storageHandlers } from './storage-explorer.js';
import { servicebusHandlers } from './servicebus-explorer.js';
import { listen } from '../hosting/front-end.js';
import { DebugManager } from '../debug/debug-manager.js';
import { createCdpProxy } from '../debug/cdp-proxy.js';
import { createDebugUrlHandler } from '../debug/debug-urls.js';
import { debugHandlers, siteRouters, siteWorkers } from './debug-routes.js';

export interface ControlServerOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string;
  readonly workbench: Workbench;
  readonly terminals: TerminalManager;
  /** Built renderer. @default dist/renderer next to the runtime */
  readonly staticDir?: string;
}

export interface ControlServer {
  /** The workbench URL, token included (in the fragment, so it never reaches a server log). */
  readonly url: string;
  readonly port: number;
  readonly hub: StreamHub;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;
const DEFAULT_STATIC = fileURLToPath(new URL('../../renderer/', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

type Handler = (ctx: { params: Record<string, string>; body: unknown; query: unknown }) => Promise<unknown> | unknown;

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { workbench, terminals } = options;
  const hub = new StreamHub(workbench, terminals);
  const debugManager = new DebugManager({
    workers: () => siteWorkers(workbench.site),
    hook: () => workbench.options.site.hook ?? true,
    portRange: () => workbench.site?.project.settings.debuggerPortRange ?? '',
  });
  debugManager.on('changed', () => hub.publish('debug', { type: 'debug', targets: debugManager.targets() }));
  let controlHost = '';
  // iisnode's /<script>/debug/ URLs of every instance of the open project lead to this workbench's debugger.
  const debugUrls = createDebugUrlHandler(debugManager, () => `http://${controlHost}`);
  // The log folder's URL also answers callers on other machines that present this workbench's token.
  const logToken = (given: string): boolean => tokenMatches(given, options.token);
  const wireDebugUrls = (): void => {
    for (const router of siteRouters(workbench.site)) {
      router.debugUrls ??= debugUrls;
      router.logToken ??= logToken;
    }
  };
  workbench.on('topology', wireDebugUrls);
  wireDebugUrls();
  const handlers = { ...routeHandlers(workbench, terminals), ...debugHandlers(workbench, debugManager, () => controlHost), ...fabricHandlers(workbench), ...storageHandlers(workbench), ...servicebusHandlers(workbench) };
  const routes = Object.entries(ROUTES).map(([name, route]) => ({ name: name as RouteName, route, pattern: compile(route.path) }));
  const staticDir = path.resolve(options.staticDir ?? DEFAULT_STATIC);
  let hosts = new Set<string>();

  const server = http.createServer((req, res) => {
    void (async () => {
      const refusal = checkOrigin(req, hosts);
      if (refusal) return sendError(res, refusal);
      const url = new URL(req.url ?? '/', 'http://control');
      if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, url.pathname, staticDir);
      const denied = checkToken(req, options.token);
      if (denied) return sendError(res, denied);
      if (url.pathname === LOG_EXPORT_PATH && req.method === 'GET') return exportLogs(res, url, workbench);
      const matches = routes.map((r) => ({ ...r, params: r.pattern(url.pathname) })).filter((r) => r.params !== undefined);
      if (matches.length === 0) return sendError(res, cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'API path', name: url.pathname }));
      const hit = matches.find((r) => r.route.method === req.method);
      if (!hit) return sendError(res, cbError('CB_ERR_CONTROL_METHOD', { method: req.method ?? '', path: url.pathname, allowed: matches.map((m) => m.route.method).join(', ') }));
      const body = hit.route.body ? validate(hit.route.body as z.ZodType<unknown>, await readJson(req), 'request body') : undefined;
      const querySchema = 'query' in hit.route ? hit.route.query : undefined;
      const query = querySchema ? validate(querySchema as z.ZodType<unknown>, Object.fromEntries(url.searchParams), 'query') : undefined;
      const result = await handlers[hit.name]({ params: hit.params as Record<string, string>, body, query });
      send(res, 200, (hit.route.response as z.ZodType<unknown>).parse(result));
    })().catch((err: unknown) => sendError(res, isCloudbenchError(err) ? err : cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'request', detail: err instanceof Error ? err.message : String(err) })));
  });

  // The token and origin are checked before the WebSocket handshake completes (cross-site WebSocket hijacking).
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, handleProtocols: (offered) => (offered.has(STREAM_PROTOCOL) ? STREAM_PROTOCOL : false) });
  const cdpProxy = createCdpProxy(debugManager, () => hosts);
  server.on('upgrade', (req, socket: Duplex, head: Buffer) => {
    if (cdpProxy.handleUpgrade(req, socket, head)) return;
    const url = new URL(req.url ?? '/', 'http://control');
    const refusal = url.pathname !== STREAM_PATH ? cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'stream', name: url.pathname }) : (checkOrigin(req, hosts) ?? checkToken(req, options.token));
    if (refusal) {
      const body = JSON.stringify({ error: refusal.toJSON() });
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => hub.add(ws));
  });

  await listen(server, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(options.host, port);
  controlHost = `127.0.0.1:${port}`;
  const shown = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${port}/#token=${options.token}`,
    port,
    hub,
    close: () =>
      new Promise<void>((resolve) => {
        hub.close();
        workbench.off('topology', wireDebugUrls);
        cdpProxy.close();
        void debugManager.close();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function routeHandlers(workbench: Workbench, terminals: TerminalManager): Record<Exclude<RouteName, `debug${string}` | `fabric${string}` | `storage${string}` | `servicebus${string}`>, Handler> {
  // Any instance of the open site names it: recycle, restart and worker count apply to all its instances.
  const site = (instance: string) => {
    const s = workbench.requireSite();
    if (!s.allInstances.some((r) => r.name === instance)) throw cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'instance', name: instance });
    return s;
  };
  const ok = { ok: true as const };
  return {
    state: () => workbench.topology(),
    openProject: async ({ body }) => {
      await workbench.open((body as { folder: string }).folder);
      return workbench.topology();
    },
    closeProject: async () => {
      await workbench.close();
      return workbench.topology();
    },
    recent: () => ({ recent: workbench.recent(), samples: workbench.samples() }),
    recycle: ({ params }) => (site(params.instance as string).recycle(), ok),
    restart: ({ params }) => (site(params.instance as string).restart(), ok),
    setWorkerCount: ({ params, body }) => (site(params.instance as string).setWorkerCount((body as { count: number }).count), ok),
    killWorker: ({ params }) => {
      if (!workbench.requireSite().killWorker(params.worker as string)) throw cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'worker', name: params.worker as string });
      return ok;
    },
    logs: ({ query }) => ({ records: workbench.site?.logs.query(query as z.infer<typeof LogQuerySchema>) ?? [] }),
    requests: ({ query }) => {
      const q = query as { text?: string; afterId?: number; limit?: number };
      const text = q.text?.toLowerCase();
      const all = (workbench.site?.requests ?? []).filter((r) => (q.afterId === undefined || r.id > q.afterId) && (text === undefined || `${r.method} ${r.url} ${r.status}`.toLowerCase().includes(text)));
      return { records: all.slice(-(q.limit ?? 1000)).map(toRequestMessage) };
    },
    terminals: () => ({ terminals: terminals.list() }),
    openTerminal: ({ body }) => {
      const { cols, rows } = body as { cols: number; rows: number };
      const s = workbench.site;
      // The same environment the workers get (connection strings, appSettings, NODE_ENV), minus the worker's own PORT.
      const base = workbench.options.site.env ?? process.env;
      const env = s ? workerEnvironment(s.project, s.instance.options.name, base) : { ...base };
      delete env.PORT;
      delete env.CLOUDBENCH_WORKER;
      return terminals.open({ cwd: s?.project.appRoot ?? os.homedir(), env, cols, rows });
    },
    resizeTerminal: ({ params, body }) => {
      const { cols, rows } = body as { cols: number; rows: number };
      terminals.resize(params.terminal as string, cols, rows);
      return ok;
    },
    closeTerminal: ({ params }) => {
      terminals.close(params.terminal as string);
      return ok;
    },
  };
}

/** `/api/workers/:worker/kill` → a matcher returning the parameters, or undefined. */
function compile(pattern: string): (pathname: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
  return (pathname) => {
    const m = re.exec(pathname);
    if (!m) return undefined;
    return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1] as string)]));
  };
}

function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw cbError('CB_ERR_CONTROL_BAD_REQUEST', { what, detail: parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ') });
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'request body', detail: `it is larger than ${MAX_BODY} bytes` }));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'request body', detail: `it is not JSON (${(err as Error).message})` }));
      }
    });
    req.on('error', reject);
  });
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

function send(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: http.ServerResponse, error: CloudbenchError): void {
  if (res.headersSent) return void res.destroy();
  send(res, error.status, { error: error.toJSON() });
}

function exportLogs(res: http.ServerResponse, url: URL, workbench: Workbench): void {
  const query = validate(LogQuerySchema, Object.fromEntries(url.searchParams), 'query');
  const records = workbench.site?.logs.query({ limit: 100_000, ...query }) ?? [];
  const text = records.map((r) => `${new Date(r.time).toISOString()} ${r.instance} ${r.worker}:${r.pid} ${r.stream} ${r.text}`).join('\n');
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Disposition': 'attachment; filename="cloudbench-logs.txt"' });
  res.end(text.length > 0 ? `${text}\n` : '');
}

/** Files of the built renderer; a path can never leave staticDir; unknown paths without an extension get the app. */
function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, staticDir: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, cbError('CB_ERR_CONTROL_METHOD', { method: req.method ?? '', path: pathname, allowed: 'GET' }));
  let file: string;
  try {
    file = path.resolve(staticDir, `.${decodeURIComponent(pathname)}`);
  } catch {
    return sendError(res, cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'file', name: pathname }));
  }
  if (file !== staticDir && !file.startsWith(staticDir + path.sep)) return sendError(res, cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'file', name: pathname }));
  if (!existsSync(file) || statSync(file).isDirectory()) {
    if (path.extname(pathname) !== '') return sendError(res, cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'file', name: pathname }));
    file = path.join(staticDir, 'index.html');
  }
  if (!existsSync(file)) {
    const body = '<!doctype html><meta charset="utf-8"><title>Cloudbench</title><p>The workbench UI is not built. Run <code>npm run build</code> in the Cloudbench folder, then reload.</p>';
    res.writeHead(503, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
    return void res.end(body);
  }
  const data = readFileSync(file);
  const isIndex = path.basename(file) === 'index.html';
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': data.length,
    'Cache-Control': isIndex ? 'no-cache' : 'public, max-age=31536000, immutable',
    ...(isIndex ? { 'Content-Security-Policy': WORKBENCH_CSP } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : data);
}
