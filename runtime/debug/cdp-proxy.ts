// The CDP proxy: a WebSocket on the control port (`/api/debug/cdp/<worker>/<key>`) relayed to the worker's
// inspector on 127.0.0.1, so the workbench panel, a pasted devtools:// URL and scripts reach a worker
// through one port.
//
// Threat: whoever holds this socket runs code in the worker. Checks, in order, before the handshake:
// - Host must be this control server's (DNS rebinding: a page of evil.example resolving to 127.0.0.1);
// - Origin, when sent, must be the workbench's own or Chrome's DevTools frontend (`devtools://devtools`), so
//   no other web page can open it from the user's browser (cross-site WebSocket hijacking);
// - the last path segment must equal the session's key, compared in constant time. The key is random per
//   attach, only the token-protected API hands it out, and it dies on detach. It stands in for the token
//   because chrome://inspect, DevTools and VS Code cannot send an Authorization header or subprotocol.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { RawData } from 'ws';
import { cbError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import { DEBUG_CDP_PREFIX } from '../shared/protocol.js';
import { tokenMatches } from '../control/auth.js';
import type { DebugManager } from './debug-manager.js';
import type { InspectorSession } from './inspector-session.js';

const DEVTOOLS_ORIGIN = 'devtools://devtools';

export interface CdpProxy {
  /** Whether the upgrade is for the proxy (then it was answered). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

export function createCdpProxy(manager: DebugManager, hosts: () => ReadonlySet<string>): CdpProxy {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  return {
    handleUpgrade(req, socket, head) {
      const pathname = new URL(req.url ?? '/', 'http://control').pathname;
      if (!pathname.startsWith(DEBUG_CDP_PREFIX)) return false;
      const checked = check(req, pathname, manager, hosts());
      if ('error' in checked) {
        refuse(socket, checked.error);
        return true;
      }
      const session = checked.session;
      wss.handleUpgrade(req, socket, head, (client) => relay(client, session));
      return true;
    },
    close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
    },
  };
}

function check(req: IncomingMessage, pathname: string, manager: DebugManager, hosts: ReadonlySet<string>): { session: InspectorSession } | { error: CloudbenchError } {
  const refused = (detail: string): { error: CloudbenchError } => ({ error: cbError('CB_ERR_DEBUG_PROXY_REFUSED', { path: DEBUG_CDP_PREFIX, detail }) });
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return refused(`the Host "${host}" is not this workbench`);
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== DEVTOOLS_ORIGIN) {
    let originHost = '';
    try {
      const u = new URL(origin);
      originHost = u.protocol === 'http:' ? u.host.toLowerCase() : '';
    } catch {
      // Not a URL: refused below.
    }
    if (!hosts.has(originHost)) return refused(`pages of ${origin} may not open it`);
  }
  const [workerPart, key, ...more] = pathname.slice(DEBUG_CDP_PREFIX.length).split('/');
  if (!workerPart || !key || more.length > 0) return refused('the path needs a worker and its key');
  let worker: string;
  try {
    worker = decodeURIComponent(workerPart);
  } catch {
    return refused('the worker segment is not valid');
  }
  const session = manager.session(worker);
  // The same answer for "not attached" and "wrong key": the key is the secret, the worker id is not.
  if (!session || session.closed || !tokenMatches(key, session.key)) return refused('the key is wrong or the worker is not attached');
  return { session };
}

function refuse(socket: Duplex, error: CloudbenchError): void {
  const body = JSON.stringify({ error: error.toJSON() });
  socket.end(`HTTP/1.1 ${error.status} ${error.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Relays messages both ways; whichever side closes, the other follows. */
function relay(client: WebSocket, session: InspectorSession): void {
  const upstream = new WebSocket(session.options.url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  const early: Array<{ data: RawData; isBinary: boolean }> = [];
  const upstreamClosed = new Promise<void>((resolve) => upstream.once('close', () => resolve()));
  const unregister = session.addClient({ close: () => client.close(1001, 'the debugger was detached'), closed: upstreamClosed });
  let removed = false;
  const remove = (): void => {
    if (!removed) unregister();
    removed = true;
  };
  client.on('message', (data, isBinary) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(data, { binary: isBinary });
    else early.push({ data, isBinary });
  });
  upstream.on('open', () => {
    for (const m of early.splice(0)) upstream.send(m.data, { binary: m.isBinary });
  });
  upstream.on('message', (data, isBinary) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
  const end = (): void => {
    remove();
    if (client.readyState === WebSocket.OPEN || client.readyState === WebSocket.CONNECTING) client.close();
    if (upstream.readyState === WebSocket.OPEN) upstream.close();
    else if (upstream.readyState === WebSocket.CONNECTING) upstream.terminate();
  };
  client.on('close', end);
  upstream.on('close', end);
  client.on('error', () => client.terminate());
  upstream.on('error', () => upstream.terminate());
}
