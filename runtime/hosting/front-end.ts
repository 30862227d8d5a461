// The public listener: a plain Node HTTP server whose only work per request is to hand it to the instance.
// Loopback by default; everything heavy (log writing, stats) happens elsewhere.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { cbError } from '../shared/errors.js';
import { freePort } from '../workers/worker-group.js';
import type { Instance } from './instance.js';

export interface FrontEndOptions {
  readonly host: string;
  readonly port: number;
  /** Largest request head accepted (iisnode's maxRequestBufferSize). */
  readonly maxHeaderSize: number;
}

export interface FrontEnd {
  readonly server: http.Server;
  readonly url: string;
  readonly port: number;
  /** Stop accepting; idle keep-alive connections close now, busy ones after their response. */
  close(): Promise<void>;
}

export async function startFrontEnd(instance: Instance, options: FrontEndOptions): Promise<FrontEnd> {
  const server = http.createServer({
    maxHeaderSize: options.maxHeaderSize,
    // Uploads and long polls may take as long as they need; a stuck worker is the app's business.
    requestTimeout: 0,
    keepAliveTimeout: 5000,
    noDelay: true,
  });
  server.on('request', function frontEndRequest(req, res) {
    instance.handle(req, res);
  });
  server.on('upgrade', function frontEndUpgrade(req, socket: Socket, head: Buffer) {
    socket.on('error', () => socket.destroy());
    instance.handleUpgrade(req, socket, head);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  await listen(server, options.host, options.port);
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    server,
    url: `http://${hostForUrl}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
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
