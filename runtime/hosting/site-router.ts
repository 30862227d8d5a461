// Between the listener and the instance: runs the site pipeline (rewrite, request filtering, handler mapping)
// and answers redirects, static files and refusals itself; requests for the app go on to the instance.
import type { CloudbenchError } from '../shared/errors.js';
import { cbError } from '../shared/errors.js';
import { ReverseProxy } from './reverse-proxy.js';
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { escapeHtml, renderConfigError } from './error-page.js';
import { LOG_INDEX_FILE, listLogFiles, renderLogIndex } from '../logs/log-index.js';
import type { Exchange, ExchangeHost, ExchangeOutcome } from './exchange.js';
import type { Instance } from './instance.js';
import type { DebugCommand, SitePipeline } from './site-pipeline.js';
import type { WorkerGroup } from '../workers/worker-group.js';
import { staticResponse } from './static-file.js';
import { headerValue } from './http1/head.js';
import type { Worker } from '../workers/worker.js';

/** iisnode features that decorate requests for the app (promoteServerVars, debugHeaderEnabled). */
export interface RequestDecorations {
  /** Server variables sent as `X-iisnode-<VAR>` request headers (iisnode test 119). */
  readonly promoteServerVars: readonly string[];
  /** Add iisnode's `iisnode-debug` response header (test 132). */
  readonly debugHeader: boolean;
  /** The node command line, for the debug header. */
  readonly nodeCommand: string;
}

/** The answer to an iisnode debugger URL (runtime/debug/debug-urls.ts makes it). */
export interface DebugUrlAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export type DebugUrlHandler = (command: DebugCommand, group: WorkerGroup) => Promise<DebugUrlAnswer>;

export class SiteRouter implements ExchangeHost {
  /**
   * Answers iisnode's debugger URLs (`/<script>/debug/`, `?brk`, `?kill`) by attaching the workbench's
   * debugger. Only callers on this machine get them: the page leads to code execution in the app.
   */
  debugUrls: DebugUrlHandler | undefined;
  /** A web.config / iisnode.yml edit that cannot be applied: local callers get a page naming file:line:col. */
  configError: CloudbenchError | undefined;
  /**
   * The log folder as a URL path (`/iisnode/`) and on disk, when it lies inside the site. iisnode let IIS
   * serve it to anyone; here only callers on this machine see it (the logs can hold secrets).
   */
  logs: { readonly urlPath: string; readonly directory: string } | undefined;
  /**
   * Checks a workbench token (constant time), so callers on other machines (with `--host`) can read the log
   * folder when they present it: `Authorization: Bearer <token>`, or `?token=<token>` once in a browser,
   * which sets an HttpOnly cookie for the log folder's path. Undefined: local callers only.
   */
  logToken: ((given: string) => boolean) | undefined;
  decorations: RequestDecorations = { promoteServerVars: [], debugHeader: false, nodeCommand: 'node' };
  readonly #proxy: ReverseProxy;

  constructor(
    private readonly instance: Instance,
    /** Undefined for projects without a web.config: everything goes to the app. */
    private pipeline: SitePipeline | undefined,
    private mimeMap: Readonly<Record<string, string | null>>,
  ) {
    this.#proxy = new ReverseProxy(instance.options.maxHeadSize);
  }

  get enableXFF(): boolean {
    return this.instance.enableXFF;
  }

  get maxReplayBodyBytes(): number {
    return this.instance.maxReplayBodyBytes;
  }

  reconfigure(pipeline: SitePipeline | undefined, mimeMap: Readonly<Record<string, string | null>>): void {
    this.pipeline = pipeline;
    this.mimeMap = mimeMap;
  }

  route(ex: Exchange): void {
    if (this.configError && ex.retries === 0) {
      const page = renderConfigError(this.configError, isLoopback(ex.client.socket.remoteAddress ?? ''), true);
      ex.respond(page.status, page.reason, page.headers, page.body);
      return this.instance.record(ex, page.status, undefined);
    }
    if (this.logs && ex.retries === 0 && this.#isLogRequest(ex)) return this.#serveLogs(ex);
    if (!this.pipeline || ex.retries > 0 || ex.upgrade) return this.#toApp(ex, []);
    const socket = ex.client.socket;
    const d = this.pipeline.decide(ex.head, socket.remoteAddress ?? '', socket.localPort ?? 0);
    switch (d.kind) {
      case 'node':
        return this.#toApp(ex, d.headers);
      case 'static': {
        const r = staticResponse(ex.head, d.file, d.stat, this.mimeMap);
        if (r.status === 404 || r.status === 405) return this.#page(ex, r.status, r.reason, r.status === 404 ? 'This file type is not served (no MIME type is mapped for it).' : 'Static files answer GET and HEAD only.', r.headers);
        ex.respondFile(r.status, r.reason, r.headers, d.file, r.range, () => this.instance.record(ex, r.status, undefined));
        return;
      }
      case 'redirect':
        ex.respond(d.status, d.status === 301 ? 'Moved Permanently' : d.status === 307 ? 'Temporary Redirect' : d.status === 303 ? 'See Other' : 'Found', [['Location', d.location]], '');
        return this.instance.record(ex, d.status, undefined);
      case 'status':
        return this.#page(ex, d.status, d.reason, d.detail);
      case 'proxy': {
        const error = this.#proxy.forward(ex, d.target, []);
        if (error) return this.#proxyFailed(ex, error);
        return;
      }
      case 'abort':
        ex.client.socket.destroy();
        return this.instance.record(ex, 0, 'aborted by a rewrite rule');
      case 'debug':
        return this.#debug(ex, d.command);
    }
  }

  #debug(ex: Exchange, command: DebugCommand): void {
    if (!isLoopback(ex.client.socket.remoteAddress ?? '')) return this.#page(ex, 404, 'Not Found', 'Not found.');
    const handler = this.debugUrls;
    if (!handler) return this.#page(ex, 200, 'OK', 'Debugging runs in the Cloudbench workbench: open it and use the Debugger view.');
    void handler(command, this.instance.options.group).then(
      (a) => {
        ex.respond(a.status, a.status === 200 ? 'OK' : 'Error', [['Content-Type', a.contentType], ['Cache-Control', 'no-cache']], a.body);
        this.instance.record(ex, a.status, undefined);
      },
      (err: unknown) => this.#page(ex, 500, 'Internal Server Error', err instanceof Error ? err.message : String(err)),
    );
  }

  #isLogRequest(ex: Exchange): boolean {
    const logs = this.logs as { urlPath: string };
    if (this.pipeline === undefined) return false;
    const url = ex.url.split('?')[0] as string;
    let decoded: string;
    try {
      decoded = decodeURIComponent(url);
    } catch {
      return false;
    }
    return (decoded.toLowerCase() + '/').startsWith(logs.urlPath.toLowerCase());
  }

  /** The log folder: a listing (newest first, stderr marked) and the files, to local callers only. */
  #serveLogs(ex: Exchange): void {
    const logs = this.logs as { urlPath: string; directory: string };
    const access = isLoopback(ex.client.socket.remoteAddress ?? '') ? 'local' : this.#logTokenAccess(ex);
    if (access === undefined) return this.#page(ex, 404, 'Not Found', 'Not found.');
    const rest = decodeURIComponent(ex.url.split('?')[0] as string).slice(logs.urlPath.length - 1).replace(/^\/+/, '');
    if (rest === '' || rest === LOG_INDEX_FILE) {
      // A token given in the query becomes a cookie for the folder, so the listing's links work without it.
      const cookie: Array<[string, string]> = access === 'query' ? [['Set-Cookie', `${LOG_COOKIE}=${encodeURIComponent(this.#queryToken(ex) ?? '')}; Path=${logs.urlPath}; HttpOnly; SameSite=Strict`]] : [];
      // Generated on each request (not read from disk): the folder may be one without iisnode's index.html.
      void listLogFiles(logs.directory).then((files) => {
        ex.respond(200, 'OK', [['Content-Type', 'text/html; charset=utf-8'], ['Cache-Control', 'no-cache'], ...cookie], renderLogIndex(files));
        this.instance.record(ex, 200, undefined);
      });
      return;
    }
    if (rest.includes('/') || rest.includes('\\') || !/-(stdout|stderr)-\d+\.txt$/.test(rest)) return this.#page(ex, 404, 'Not Found', 'No such log file.');
    const file = path.join(logs.directory, rest);
    let st;
    try {
      st = statSync(file);
    } catch {
      return this.#page(ex, 404, 'Not Found', 'No such log file.');
    }
    const r = staticResponse(ex.head, file, st, { '.txt': 'text/plain; charset=utf-8' });
    ex.respondFile(r.status, r.reason, r.headers, file, r.range, () => this.instance.record(ex, r.status, undefined));
  }

  /** How a caller on another machine showed the workbench token, or undefined when it did not. */
  #logTokenAccess(ex: Exchange): 'header' | 'query' | 'cookie' | undefined {
    const check = this.logToken;
    if (!check) return undefined;
    const auth = headerValue(ex.head, 'authorization');
    if (auth?.startsWith('Bearer ') && check(auth.slice(7).trim())) return 'header';
    const fromQuery = this.#queryToken(ex);
    if (fromQuery !== undefined && check(fromQuery)) return 'query';
    const cookies = headerValue(ex.head, 'cookie') ?? '';
    for (const part of cookies.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== LOG_COOKIE) continue;
      let value: string;
      try {
        value = decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        continue;
      }
      if (check(value)) return 'cookie';
    }
    return undefined;
  }

  #queryToken(ex: Exchange): string | undefined {
    const q = ex.url.indexOf('?');
    if (q < 0) return undefined;
    return new URLSearchParams(ex.url.slice(q + 1)).get('token') ?? undefined;
  }

  #toApp(ex: Exchange, headers: Array<[string, string]>): void {
    const { promoteServerVars, debugHeader } = this.decorations;
    if (ex.retries === 0 && promoteServerVars.length > 0) {
      for (const name of promoteServerVars) headers.push([`X-iisnode-${name}`, serverVariable(ex, name)]);
    }
    if (headers.length > 0) ex.extraHeaders = headers;
    if (debugHeader) ex.responseDecorator = () => [['iisnode-debug', this.#debugHeader(ex)]];
    this.instance.route(ex);
  }

  /** iisnode's `iisnode-debug` header: a bit.ly link whose fragment carries the diagnostics (iisnode.md §2.10). */
  #debugHeader(ex: Exchange): string {
    const w = ex.worker;
    const memKB = Math.round(process.memoryUsage.rss() / 1024);
    const fields: Array<[string, string | number]> = [
      ['iisnode_ver', '0.2.27'],
      ['node', this.decorations.nodeCommand],
      ['dns', hostname()],
      ['worker_pid', process.pid],
      ['node_pid', w?.pid ?? 0],
      ['worker_mem_ws', memKB],
      ['worker_mem_pagefile', memKB],
      ['node_mem_ws', 0],
      ['node_mem_pagefile', 0],
      ['app_processes', this.instance.options.group.routable.length],
      ['process_active_req', w?.active ?? 0],
      ['app_active_req', this.instance.options.group.routable.reduce((n, x) => n + x.active, 0)],
      ['worker_total_req', w?.total ?? 0],
      ['np_retry', ex.retries],
      ['req_time', Date.now() - ex.enqueuedAt],
      ['hresult', 0],
    ];
    return `http://bit.ly/NsU2nd#${fields.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}`;
  }

  #page(ex: Exchange, status: number, reason: string, detail: string, headers: ReadonlyArray<readonly [string, string | number]> = []): void {
    const body = `<!doctype html><meta charset="utf-8"><title>${status} ${escapeHtml(reason)}</title><h1>${status} ${escapeHtml(reason)}</h1><p>${escapeHtml(detail)}</p>\n`;
    ex.respond(status, reason, [...headers.filter(([n]) => n !== 'Content-Type'), ['Content-Type', 'text/html; charset=utf-8']], body);
    this.instance.record(ex, status, undefined);
  }

  settled(ex: Exchange, worker: Worker, outcome: ExchangeOutcome): void {
    const target = ex.proxyTarget;
    if (target === undefined) return this.instance.settled(ex, worker, outcome);
    if (outcome.error === undefined) return this.instance.record(ex, outcome.status, undefined);
    const problem = outcome.received === false ? `refused the connection (${outcome.error.message})` : `broke the connection (${outcome.error.message})`;
    this.#proxyFailed(ex, cbError('CB_ERR_HOSTING_PROXY', { method: ex.method, url: ex.url, target: `${target.origin}${ex.targetUrl ?? ''}`, problem }));
  }

  abandoned(ex: Exchange): void {
    // A proxied exchange is recorded by settled(), which follows.
    if (ex.proxyTarget === undefined) this.instance.abandoned(ex);
  }

  /** Closes the connections kept to other servers (the site stops). */
  close(): void {
    this.#proxy.close();
  }

  #proxyFailed(ex: Exchange, error: CloudbenchError): void {
    if (ex.responseStarted || ex.client.socket.destroyed) {
      ex.client.socket.destroy();
      return this.instance.record(ex, ex.status || 502, error.code);
    }
    ex.respond(502, 'Bad Gateway', [['Content-Type', 'text/html; charset=utf-8']], `<!doctype html><meta charset="utf-8"><title>502 Bad Gateway</title><h1>502 Bad Gateway</h1><p><code>${error.code}</code>: ${escapeHtml(error.message)}</p><p>${escapeHtml(error.fix)}</p>\n`);
    this.instance.record(ex, 502, error.code);
  }
}

/** The cookie that carries the workbench token for the log folder's URL (set from `?token=`). */
const LOG_COOKIE = 'cloudbench-logs';

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The IIS server variables iisnode can promote, computed from the request as IIS would. */
function serverVariable(ex: Exchange, name: string): string {
  const socket = ex.client.socket;
  const url = ex.url;
  const q = url.indexOf('?');
  switch (name.toUpperCase()) {
    case 'REQUEST_METHOD':
      return ex.method;
    case 'URL':
    case 'PATH_INFO':
    case 'SCRIPT_NAME':
      return q < 0 ? url : url.slice(0, q);
    case 'QUERY_STRING':
      return q < 0 ? '' : url.slice(q + 1);
    case 'REQUEST_URI':
    case 'UNENCODED_URL':
    case 'HTTP_URL':
      return url;
    case 'REMOTE_ADDR':
    case 'REMOTE_HOST':
      return (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    case 'REMOTE_PORT':
      return String(socket.remotePort ?? '');
    case 'SERVER_PORT':
      return String(socket.localPort ?? '');
    case 'LOCAL_ADDR':
      return (socket.localAddress ?? '').replace(/^::ffff:/, '');
    case 'SERVER_PROTOCOL':
      return `HTTP/1.${ex.head.minor}`;
    case 'HTTPS':
      return 'off';
    case 'SERVER_NAME': {
      const host = headerValue(ex.head, 'host') ?? '';
      return host.replace(/:\d+$/, '');
    }
    case 'AUTH_USER':
    case 'AUTH_TYPE':
    case 'LOGON_USER':
    case 'REMOTE_USER':
      // No Windows authentication here: IIS leaves these empty for anonymous requests too.
      return '';
    default:
      return name.toUpperCase().startsWith('HTTP_') ? (headerValue(ex.head, name.slice(5).replace(/_/g, '-')) ?? '') : '';
  }
}
