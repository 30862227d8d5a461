// Between the listener and the instance: runs the site pipeline (rewrite, request filtering, handler mapping)
// and answers redirects, static files and refusals itself; requests for the app go on to the instance.
import { escapeHtml } from './error-page.js';
import type { Exchange, ExchangeHost, ExchangeOutcome } from './exchange.js';
import type { Instance } from './instance.js';
import type { SitePipeline } from './site-pipeline.js';
import { staticResponse } from './static-file.js';
import type { Worker } from '../workers/worker.js';

export class SiteRouter implements ExchangeHost {
  readonly enableXFF: boolean;
  readonly maxReplayBodyBytes: number;

  constructor(
    private readonly instance: Instance,
    private readonly pipeline: SitePipeline,
    private readonly mimeMap: Readonly<Record<string, string | null>>,
  ) {
    this.enableXFF = instance.enableXFF;
    this.maxReplayBodyBytes = instance.maxReplayBodyBytes;
  }

  route(ex: Exchange): void {
    if (ex.retries > 0 || ex.upgrade) return this.instance.route(ex);
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
