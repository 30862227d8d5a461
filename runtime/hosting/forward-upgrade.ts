// WebSocket (and any HTTP/1.1 Upgrade) pass-through: replay the request head to the worker on a fresh
// connection, then splice the two sockets. The worker's answer (101 or a refusal) reaches the client as is.
import net from 'node:net';
import type { Worker } from '../workers/worker.js';
import { requestHeadersForWorker } from './forward-headers.js';
import type { ForwardOutcome } from './forward-request.js';
import type { Pending } from './instance.js';

export function forwardUpgrade(p: Pending, worker: Worker, enableXFF: boolean, settle: (outcome: ForwardOutcome) => void): void {
  const upgrade = p.upgrade;
  if (!upgrade) return;
  const { socket: client, head } = upgrade;
  const req = p.req;
  const a = worker.address;
  const upstream = net.connect(a.kind === 'pipe' ? { path: a.path } : { host: a.host, port: a.port });
  let connected = false;
  let done = false;
  const finish = (outcome: ForwardOutcome): void => {
    if (done) return;
    done = true;
    settle(outcome);
  };

  upstream.once('connect', () => {
    connected = true;
    const headers = requestHeadersForWorker(req, { enableXFF }, true);
    let text = `${req.method} ${req.url} HTTP/${req.httpVersion}\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    upstream.write(`${text}\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (error) => {
    if (!connected) {
      upstream.destroy();
      finish({ status: 502, error, received: false });
    } else {
      client.destroy();
    }
  });
  client.on('error', () => upstream.destroy());
  // Either side closing ends the pair; the worker's request slot is free once both are closed.
  upstream.on('close', () => {
    if (connected) {
      client.destroy();
      finish({ status: 101 });
    }
  });
  client.on('close', () => {
    if (connected) upstream.destroy();
  });
}
