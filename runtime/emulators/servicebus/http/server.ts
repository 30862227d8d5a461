// The HTTP listener (default port 5300): GET /health as Microsoft's emulator answers it, the legacy
// runtime REST API and the ATOM management API. Every other request needs a SAS Authorization header
// signed with a configured key (or a WRAP / bearer token, which cannot be checked locally). Paths are
// matched case-insensitively because the SDKs write `Messages/Head` and `messages/head` alike.
import http from 'node:http';
import type { ServiceBusEngine } from '../engine/engine.js';
import { isEngineError, type EngineErrorKind } from '../engine/errors.js';
import { createDebug } from '../../../logs/debug.js';
import { checkSasToken, type SasKeys } from '../sas.js';
import { escapeXml } from './xml.js';
import { handleAdmin } from './admin-routes.js';
import { messageFromHttp, messageToHttp, receiveWithTimeout } from './runtime-routes.js';

const debug = createDebug('servicebus:http');
/** Request bodies larger than this are refused before they are read whole (messages are checked against their entity's own limit). */
const MAX_BODY = 64 * 1024 * 1024;

const STATUS: Record<EngineErrorKind, number> = {
  EntityNotFound: 404, EntityAlreadyExists: 409, MessageLockLost: 410, SessionLockLost: 410, SessionCannotBeLocked: 410,
  MessageNotFound: 404, MessageTooLarge: 413, InvalidOperation: 400, BadArgument: 400, SqlSyntax: 400,
};

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HttpError(413, `The request body is larger than ${MAX_BODY} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

async function route(engine: ServiceBusEngine, keys: SasKeys, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const segments = url.pathname.split('/').filter((x) => x !== '').map(decodeURIComponent);
  const lower = segments.map((x) => x.toLowerCase());
  const method = (req.method ?? 'GET').toUpperCase();
  if (lower.length === 1 && lower[0] === 'health') {
    return send(res, 200, JSON.stringify({ status: 'healthy', message: 'Service is healthy.' }), { 'Content-Type': 'application/json' });
  }
  const auth = req.headers.authorization;
  const check = auth === undefined ? { ok: false as const, reason: 'no Authorization header' } : checkSasToken(auth, keys, Date.now());
  if (!check.ok) throw new HttpError(401, `Unauthorized: ${check.reason}.`);
  const body = await readBody(req);
  const hostHeader = req.headers.host ?? 'localhost';
  const m = lower.lastIndexOf('messages');
  if (m > 0) {
    const entity = segments.slice(0, m).join('/');
    const rest = lower.slice(m + 1);
    if (rest.length === 0 && method === 'POST') {
      engine.send(entity, [messageFromHttp(body, req.headers)]);
      return send(res, 201, '');
    }
    if (rest.length === 1 && rest[0] === 'head' && (method === 'POST' || method === 'DELETE')) {
      const timeout = Math.min(Number(url.searchParams.get('timeout') ?? 60), 230) * 1000;
      const d = await receiveWithTimeout(engine, entity, method === 'POST', timeout);
      if (!d) return send(res, 204, '');
      const out = messageToHttp(d, entity, hostHeader.replace(/:\d+$/, ''));
      return send(res, method === 'POST' ? 201 : 200, out.body, out.headers);
    }
    if (rest.length === 2) {
      const token = segments[m + 2] as string;
      const r = engine.receivable(entity);
      if (method === 'DELETE') r.complete(token);
      else if (method === 'PUT') r.abandon(token);
      else if (method === 'POST') r.renewLock(token);
      else throw new HttpError(405, `${method} is not allowed on a locked message.`);
      return send(res, 200, '');
    }
  }
  if (segments.length === 0) throw new HttpError(404, 'Name an entity in the path.');
  const isUpdate = req.headers['if-match'] !== undefined;
  const base = `http://${hostHeader}`;
  const out = handleAdmin(engine, { method, segments, query: url.searchParams, body: body.toString('utf8'), isUpdate, base });
  send(res, out.status, out.xml, out.xml ? { 'Content-Type': 'application/atom+xml;type=entry;charset=utf-8' } : {});
}

function fail(res: http.ServerResponse, err: unknown): void {
  const status = err instanceof HttpError ? err.status : isEngineError(err) ? STATUS[err.kind] : 500;
  const detail = err instanceof Error ? err.message : String(err);
  if (status === 500) debug('request failed: %O', err);
  if (res.headersSent) return void res.destroy();
  send(res, status, `<Error><Code>${status}</Code><Detail>${escapeXml(detail)}</Detail></Error>`, { 'Content-Type': 'application/xml; charset=utf-8' });
}

export function createHttpServer(engine: ServiceBusEngine, keys: SasKeys): { server: http.Server; close(): Promise<void> } {
  const server = http.createServer((req, res) => {
    route(engine, keys, req, res).catch((err: unknown) => fail(res, err));
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
