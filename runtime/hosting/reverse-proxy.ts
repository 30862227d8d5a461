// Heterogeneous sites: a URL Rewrite rule whose action URL is absolute (`http://localhost:5000/{R:1}`) sends
// the request to another server, as IIS's Application Request Routing does. This lets a folder hold the
// node app plus another app server (a Python API, a PHP site, a dev server) behind one URL.
//
// The request goes through the same Exchange as a worker's: its head is re-serialized with the target's
// path and Host, the body streams with backpressure, chunked framing and WebSocket upgrades pass through.
// Only plain-HTTP targets: the other server runs on this machine (TLS to it would buy nothing locally).

import type { CloudbenchError } from '../shared/errors.js';
import { cbError } from '../shared/errors.js';
import type { Worker } from '../workers/worker.js';
import type { Exchange } from './exchange.js';
import { UpstreamPool } from './upstream-pool.js';

/** Stands where a worker stands in an exchange, so the exchange can tell its host the attempt is over. */
export interface ProxyTarget {
  readonly label: string;
  readonly origin: string;
}

export class ReverseProxy {
  readonly #servers = new Map<string, { pool: UpstreamPool; target: ProxyTarget }>();

  constructor(private readonly maxHeadSize: number) {}

  /** Sends `ex` to `target` (an absolute URL from a rewrite rule); an error when the URL cannot be proxied. */
  forward(ex: Exchange, target: string, headers: ReadonlyArray<readonly [string, string]>): CloudbenchError | undefined {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return cbError('CB_ERR_HOSTING_PROXY', { method: ex.method, url: ex.url, target, problem: 'is not a valid URL' });
    }
    if (url.protocol !== 'http:') {
      return cbError('CB_ERR_HOSTING_PROXY', { method: ex.method, url: ex.url, target, problem: `uses ${url.protocol.replace(':', '')}; only http:// targets (servers on this machine) can be proxied` });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port === '' ? 80 : Number(url.port);
    const origin = `${url.protocol}//${url.host}`;
    let server = this.#servers.get(origin);
    if (server === undefined) {
      // Servers other than node may keep idle connections for less than node's 5 s: stay well under.
      server = { pool: new UpstreamPool({ kind: 'tcp', host, port }, 2000, this.maxHeadSize), target: { label: origin, origin } };
      this.#servers.set(origin, server);
    }
    ex.targetUrl = `${url.pathname}${url.search}`;
    // As ARR does by default (preserveHostHeader=false): the other server sees its own host name.
    ex.extraHeaders = [...headers, ['Host', url.host]];
    ex.proxyTarget = server.target;
    ex.attach(server.target as unknown as Worker, server.pool);
    return undefined;
  }

  close(): void {
    for (const { pool } of this.#servers.values()) pool.close();
    this.#servers.clear();
  }
}
