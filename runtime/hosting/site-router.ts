// Between the listener and the instance: runs the site pipeline (rewrite, request filtering, handler mapping)
// and answers redirects, static files and refusals itself; requests for the app go on to the instance.
import type { CloudbenchError } from '../shared/errors.js';
import { escapeHtml } from './error-page.js';
import type { Exchange, ExchangeHost, ExchangeOutcome } from './exchange.js';
import type { Instance } from './instance.js';
import type { SitePipeline } from './site-pipeline.js';
import { staticResponse } from './static-file.js';
import type { Worker } from '../workers/worker.js';

export class SiteRouter implements ExchangeHost {
  /** A web.config / iisnode.yml edit that cannot be applied: local callers get a page naming file:line:col. */
  configError: CloudbenchError | undefined;

  constructor(
    private readonly instance: Instance,
    /** Undefined for projects without a web.config: everything goes to the app. */
    private pipeline: SitePipeline | undefined,
    private mimeMap: Readonly<Record<string, string | null>>,
  ) {}

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
      // As iisnode does for configuration errors: explained to local callers only (the front end is
      // loopback-bound by default; a request from elsewhere gets a plain 500).
      const local = isLoopback(ex.client.socket.remoteAddress ?? '');
      return this.#page(ex, 500, 'Internal Server Error', local ? `${this.configError.code}: ${this.configError.message} ${this.configError.fix} The previous settings keep running until the file is fixed.` : 'The site has a configuration error.');
    }
    if (!this.pipeline || ex.retries > 0 || ex.upgrade) return this.instance.route(ex);
    const socket = ex.client.socket;
    const d = this.pipeline.decide(ex.head, socket.remoteAddress ?? '', socket.localPort ?? 0);
    switch (d.kind) {
      case 'node':
        ex.extraHeaders = d.headers;
        return this.instance.route(ex);
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
      case 'abort':
        ex.client.socket.destroy();
        return this.instance.record(ex, 0, 'aborted by a rewrite rule');
    }
  }

  #page(ex: Exchange, status: number, reason: string, detail: string, headers: ReadonlyArray<readonly [string, string | number]> = []): void {
    const body = `<!doctype html><meta charset="utf-8"><title>${status} ${escapeHtml(reason)}</title><h1>${status} ${escapeHtml(reason)}</h1><p>${escapeHtml(detail)}</p>\n`;
    ex.respond(status, reason, [...headers.filter(([n]) => n !== 'Content-Type'), ['Content-Type', 'text/html; charset=utf-8']], body);
    this.instance.record(ex, status, undefined);
  }

  settled(ex: Exchange, worker: Worker, outcome: ExchangeOutcome): void {
    this.instance.settled(ex, worker, outcome);
  }

  abandoned(ex: Exchange): void {
    this.instance.abandoned(ex);
  }
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
