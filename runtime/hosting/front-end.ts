// The public listener. It is a plain TCP server speaking HTTP/1.1 itself (http1/) rather than Node's http
// module: per request it only parses the head, picks a worker and moves bytes, which costs a fraction of
// an http.Server + http.request pair (bench/hosting measures it against nginx). Loopback by default.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { cbError } from '../shared/errors.js';
import { freePort } from '../workers/worker-group.js';
import { ClientConnection } from './client-connection.js';
import type { ExchangeHost } from './exchange.js';

export interface FrontEndOptions {
  readonly host: string;
  readonly port: number;
  /** Largest request head accepted (iisnode's maxRequestBufferSize). */
  readonly maxHeaderSize: number;
  /** Idle time after which a keep-alive client connection is closed. @default 5000 */
  readonly keepAliveTimeoutMs?: number;
}

export interface FrontEnd {
  readonly server: net.Server;
  readonly url: string;
  readonly port: number;
  /** Stop accepting; idle connections close now, busy ones after their response. */
  close(): Promise<void>;
}

export async function startFrontEnd(host: ExchangeHost, options: FrontEndOptions): Promise<FrontEnd> {
  const connections = new Set<ClientConnection>();
  const clientOptions = { maxHeadSize: options.maxHeaderSize, keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 5000, headersTimeoutMs: 60_000, draining: false };
  const server = net.createServer({ noDelay: true }, function frontEndConnection(socket) {
    const conn = new ClientConnection(socket, host, clientOptions);
    connections.add(conn);
    socket.once('close', () => connections.delete(conn));
    if (clientOptions.draining) socket.end();
  });

  // Close keep-alive connections idle longer than the timeout, and ones that never sent a whole head.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of connections) {
      const idle = c.current === undefined && now - c.idleSince > clientOptions.keepAliveTimeoutMs;
      if (idle && (c.reader.idle || now - c.idleSince > clientOptions.headersTimeoutMs)) c.socket.destroy();
    }
  }, 1000);
  sweep.unref();
  server.on('close', () => clearInterval(sweep));

  await listen(server, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${hostForUrl}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clientOptions.draining = true;
        server.close(() => resolve());
        for (const c of connections) if (c.current === undefined) c.socket.end();
      }),
  };
}

export function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') {
        void freePort(host)
          .catch(() => 0)
          .then((suggestion) => reject(cbError('CB_ERR_HOSTING_PORT_IN_USE', { host, port, suggestion: suggestion || port + 1 }, err)));
      } else {
        reject(cbError('CB_ERR_HOSTING_LISTEN', { host, port, detail: err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)' : err.message }, err));
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
