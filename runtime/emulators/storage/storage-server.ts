// The HTTP side shared by the Table and Queue emulators: listen (127.0.0.1 by default), read the body with a
// cap, resolve the account, stamp the headers every Azure Storage response has (x-ms-request-id,
// x-ms-version, Date), call the service adapter and turn a domain error into the service's error response.
// node:http is enough here: requests are small and the work behind them is one SQLite statement or a few.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cbError } from '../../shared/errors.js';
import { createDebug } from '../../logs/debug.js';
import { DEV_ACCOUNT } from './accounts.js';
import type { AccountRegistry } from './accounts.js';
import { domainError, isDomainError } from './domain-error.js';
import type { StorageDomainError } from './domain-error.js';
import { checkApiVersion } from './api-versions.js';
import { corsRules, preflight, responseCorsHeaders } from './cors.js';
import type { CorsRule } from './cors.js';
import { authorizationAccount, resolveTarget } from './request-target.js';
import type { RequestTarget } from './request-target.js';
import type { SignedRequest } from './shared-key.js';
import type { GroupCommit } from './group-commit.js';

const debug = createDebug('emulators:storage');

/** The newest version we answer with when the client names none; any version a client sends is accepted unless strictApiVersion (api-versions.ts). */
export const BASELINE_VERSION = '2025-11-05';

export interface StorageRequest extends SignedRequest {
  readonly target: RequestTarget;
  readonly body: Buffer;
  /** Header names with their original case (metadata names keep theirs). */
  readonly rawHeaders: readonly string[];
  readonly requestId: string;
  /** scheme://host[:port] as the client addressed us, for odata.metadata and ServiceEndpoint links. */
  readonly origin: string;
}

export interface StorageResponse {
  status: number;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
}

export interface ServiceAdapter {
  readonly name: 'table' | 'queue';
  readonly maxBodyBytes: number;
  handle(req: StorageRequest): StorageResponse;
  /** The account's service properties (XML), for its CORS rules. */
  serviceProperties(account: string): string;
  /** On-disk databases: the requests of one event-loop turn share one commit (group-commit.ts). */
  readonly group?: GroupCommit;
  errorResponse(error: StorageDomainError, req: { requestId: string; headers: http.IncomingHttpHeaders; url: string }): StorageResponse;
  /** Whether a resource path (below the account) can be this service's, for URLs that name no account. */
  bareShape(resourcePath: string, url: string): boolean;
}

export interface ListenOptions {
  readonly host: string;
  readonly port: number;
  /** The CLI option that changes this port, named in the busy-port error. */
  readonly option: string;
  /** Refuse x-ms-version values that are not Azure Storage service versions (api-versions.ts). @default false */
  readonly strictApiVersion?: boolean;
  /** Serve HTTPS with this PEM certificate and key instead of HTTP. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer };
}

let cachedDate = '';
let cachedSecond = 0;
/** RFC 1123 date, formatted once a second rather than once a request. */
function httpDate(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedDate = new Date(second * 1000).toUTCString();
  }
  return cachedDate;
}

function send(res: ServerResponse, req: IncomingMessage, requestId: string, out: StorageResponse): void {
  const headers: Record<string, string | number> = {
    'x-ms-request-id': requestId,
    'x-ms-version': (req.headers['x-ms-version'] as string | undefined) ?? BASELINE_VERSION,
    Date: httpDate(),
    Server: 'Cloudbench-Storage',
    ...out.headers,
  };
  const clientId = req.headers['x-ms-client-request-id'];
  if (typeof clientId === 'string') headers['x-ms-client-request-id'] = clientId;
  const body = out.body ?? '';
  headers['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(out.status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** CORS rules per account, parsed again only when the account's service properties change. */
class CorsCache {
  readonly #byAccount = new Map<string, { xml: string; rules: CorsRule[] }>();
  constructor(private readonly adapter: ServiceAdapter) {}
  rules(account: string): CorsRule[] {
    const xml = this.adapter.serviceProperties(account);
    const cached = this.#byAccount.get(account);
    if (cached?.xml === xml) return cached.rules;
    let rules: CorsRule[];
    try {
      rules = corsRules(xml);
    } catch {
      rules = [];
    }
    this.#byAccount.set(account, { xml, rules });
    return rules;
  }
}

interface ServerContext {
  readonly adapter: ServiceAdapter;
  readonly accounts: AccountRegistry;
  readonly strict: boolean;
  readonly cors: CorsCache;
}

function dispatch(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, body: Buffer, tooLarge = false): void {
  const { adapter, accounts, strict } = ctx;
  const requestId = randomUUID();
  const origin = req.headers.origin;
  let account: string | undefined;
  /** Adds the CORS headers a request from a browser gets (only requests with Origin; never a preflight). */
  const withCors = (out: StorageResponse): StorageResponse => {
    if (typeof origin !== 'string' || account === undefined || req.method === 'OPTIONS') return out;
    try {
      const cors = responseCorsHeaders(ctx.cors.rules(account), origin, req.method ?? 'GET', [...Object.keys(out.headers ?? {}), 'x-ms-request-id', 'x-ms-version', 'date']);
      return Object.keys(cors).length === 0 ? out : { ...out, headers: { ...out.headers, ...cors } };
    } catch (error) {
      // The rules could not be read (the database is closing): answer without CORS rather than not at all.
      debug('%s CORS rules unavailable: %s', requestId, (error as Error).message);
      return out;
    }
  };
  try {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q === -1 ? url : url.slice(0, q);
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    const target = resolveTarget(req.headers.host, rawPath, accounts, {
      signedBy: () => authorizationAccount(req.headers.authorization) ?? (q !== -1 && /[?&]sig=/.test(url) ? DEV_ACCOUNT : undefined),
      shape: (path) => adapter.bareShape(path, url),
    });
    if (!target) throw domainError('ResourceNotFound', `No storage account in the URL "${rawPath}": use /<account>/… or <account>.${adapter.name}.localhost.`);
    account = target.account;
    if (tooLarge) {
      const error = domainError('RequestBodyTooLarge', `The request body is too large and exceeds the maximum permissible limit (${adapter.maxBodyBytes} bytes).`);
      error.details = { MaxLimit: String(adapter.maxBodyBytes) };
      throw error;
    }
    if (strict && req.method !== 'OPTIONS') {
      const refused = checkApiVersion(req.headers['x-ms-version']);
      if (refused) throw refused;
    }
    if (req.method === 'OPTIONS') {
      send(res, req, requestId, { status: 200, headers: preflight(ctx.cors.rules(target.account), req.headers) });
      return;
    }
    const request: StorageRequest = {
      method: req.method ?? 'GET',
      headers: req.headers,
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      target,
      body,
      rawHeaders: req.rawHeaders,
      requestId,
      origin: `${secure ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`,
      secure,
    };
    if (adapter.group) {
      // Answered once the turn's transaction has committed (group-commit.ts).
      adapter.group.run(
        () => adapter.handle(request),
        (result, commitError) => {
          if (commitError) fail(domainError('InternalError', `The server could not commit the change: ${commitError.message}`));
          else if ('value' in result) send(res, req, requestId, withCors(result.value));
          else fail(result.error);
        },
      );
      return;
    }
    send(res, req, requestId, withCors(adapter.handle(request)));
  } catch (error) {
    fail(error);
  }

  function fail(error: unknown): void {
    if (!isDomainError(error)) debug('%s %s %s failed: %s', requestId, req.method, req.url, (error as Error).stack);
    const domain = isDomainError(error) ? error : domainError('InternalError', `The server encountered an internal error: ${(error as Error).message}`);
    send(res, req, requestId, withCors(adapter.errorResponse(domain, { requestId, headers: req.headers, url: req.url ?? '/' })));
  }
}

const NO_BODY = Buffer.alloc(0);
/** Requests of a connection whose bodies are still being read: a pipelined request after one waits its turn. */
const readingBodies = new WeakMap<object, number>();

function onRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): void {
  const { adapter } = ctx;
  const length = req.headers['content-length'];
  const socket = req.socket;
  const reading = readingBodies.get(socket) ?? 0;
  if (reading === 0 && (length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) {
    // No body (most GETs and DELETEs) and nothing before it on the connection still to handle: answer now rather
    // than after the stream's end event a tick later.
    req.resume();
    dispatch(ctx, req, res, NO_BODY);
    return;
  }
  // Handled at its end event, as every request was: in the order of the connection's requests.
  readingBodies.set(socket, reading + 1);
  let counted = true;
  const handled = () => {
    if (!counted) return;
    counted = false;
    const left = (readingBodies.get(socket) ?? 1) - 1;
    if (left > 0) readingBodies.set(socket, left);
    else readingBodies.delete(socket);
  };
  req.once('close', handled); // aborted before its end
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > adapter.maxBodyBytes) tooLarge = true;
    else chunks.push(chunk);
  });
  // An oversized body is answered (413, with CORS headers) once it has been read, so the client sees it.
  req.on('end', () => {
    handled();
    dispatch(ctx, req, res, tooLarge ? Buffer.alloc(0) : chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), tooLarge);
  });
}

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

export function listenStorage(adapter: ServiceAdapter, accounts: AccountRegistry, options: ListenOptions): Promise<RunningServer> {
  const ctx: ServerContext = { adapter, accounts, strict: options.strictApiVersion === true, cors: new CorsCache(adapter) };
  const handler = (req: IncomingMessage, res: ServerResponse) => onRequest(ctx, req, res);
  const server = options.tls
    ? https.createServer({ keepAlive: true, noDelay: true, cert: options.tls.cert, key: options.tls.key }, handler)
    : http.createServer({ keepAlive: true, noDelay: true }, handler);
  // Azure's own keep-alive is long; SDKs reuse connections, so do not drop them between bursts.
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const problem = error.code === 'EADDRINUSE' ? 'the port is already in use' : `${error.code ?? 'error'}: ${error.message}`;
      reject(cbError('CB_ERR_EMULATORS_PORT_IN_USE', { service: adapter.name, host: options.host, port: options.port, problem, option: options.option }, error));
    });
    server.listen(options.port, options.host, () => {
      const port = (server.address() as AddressInfo).port;
      debug('%s service listening on %s:%d', adapter.name, options.host, port);
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
