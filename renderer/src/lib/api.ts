// The HTTP half of the control protocol. Every entry of ROUTES becomes a typed method of the same name
// (`api.killWorker({ params: { worker } })`), built from the table itself: components never write a URL,
// bodies are checked against the route's schema before they leave, and answers are checked against the
// response schema before anyone reads them.
import type { z } from 'zod';
import { ERRORS, cbError } from '../../../runtime/shared/errors.js';
import { ErrorResponseSchema, LOG_EXPORT_PATH, ROUTES, routePath } from './protocol';
import type { ErrorInfoMessage, LogQueryMessage, RouteName } from './protocol';

type Routes = typeof ROUTES;

/** The `:name` segments of a path, as a union of names. */
type PathParams<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | PathParams<Rest>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

type ParamsArg<R> = R extends { path: infer P extends string }
  ? [PathParams<P>] extends [never]
    ? unknown
    : { params: Record<PathParams<P>, string> }
  : unknown;
type BodyArg<R> = R extends { body: infer B extends z.ZodType } ? { body: z.input<B> } : unknown;
type QueryArg<R> = R extends { query: infer Q extends z.ZodType } ? { query?: z.output<Q> } : unknown;

export type RouteArgs<K extends RouteName> = ParamsArg<Routes[K]> & BodyArg<Routes[K]> & QueryArg<Routes[K]> & { signal?: AbortSignal };
export type RouteResult<K extends RouteName> = z.output<Routes[K]['response']>;

/** Routes whose arguments are all optional may be called with none. */
type RouteMethod<K extends RouteName> = object extends Omit<RouteArgs<K>, 'signal'>
  ? (args?: RouteArgs<K>) => Promise<RouteResult<K>>
  : (args: RouteArgs<K>) => Promise<RouteResult<K>>;

export type Api = { readonly [K in RouteName]: RouteMethod<K> } & {
  /** The plain-text export of the logs matching a query (LOG_EXPORT_PATH). */
  exportLogs(query: LogQueryMessage, signal?: AbortSignal): Promise<Blob>;
};

/** A failed call, always with a serializable ErrorInfo to show (code, message, fix). */
export class ApiError extends Error {
  readonly info: ErrorInfoMessage;
  constructor(info: ErrorInfoMessage) {
    super(info.message);
    this.name = 'ApiError';
    this.info = info;
  }
  get status(): number {
    return this.info.status;
  }
}

/** Errors of the client itself (no answer, or an answer outside the protocol). */
/** A client-side error with the catalogue's fix text (one wording, kept in runtime/shared/errors.ts). */
function clientError(code: 'CB_ERR_UI_UNREACHABLE' | 'CB_ERR_UI_BAD_RESPONSE', status: number, message: string): ApiError {
  return new ApiError({ code, status, message, fix: ERRORS[code].fix, params: {} });
}

const isAbort = (err: unknown): boolean => err instanceof DOMException && err.name === 'AbortError';

type AnyArgs = { params?: Record<string, string>; body?: unknown; query?: Record<string, unknown>; signal?: AbortSignal };
type AnyRoute = { method: string; path: string; body: z.ZodType | null; query?: z.ZodType; response: z.ZodType };

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const detail = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new ApiError(cbError('CB_ERR_CONTROL_BAD_REQUEST', { what, detail }).toJSON());
}

export function createApi(token: string, fetchImpl: typeof fetch = globalThis.fetch.bind(globalThis)): Api {
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({ Authorization: `Bearer ${token}`, ...extra });

  async function send(method: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetchImpl(url, { ...init, method, cache: 'no-store', credentials: 'omit' });
    } catch (err) {
      if (isAbort(err)) throw err;
      throw clientError('CB_ERR_UI_UNREACHABLE', 0, `Cannot reach the Cloudbench runtime (${method} ${url}): ${(err as Error).message}.`);
    }
  }

  async function failure(res: Response, method: string, url: string): Promise<ApiError> {
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      // The signal fired while the body was read: that is a cancellation, not a bad answer.
      if (isAbort(err)) throw err;
      body = undefined;
    }
    const parsed = ErrorResponseSchema.safeParse(body);
    if (parsed.success) return new ApiError(parsed.data.error);
    return clientError('CB_ERR_UI_BAD_RESPONSE', res.status, `${method} ${url} answered ${res.status} ${res.statusText} without an error body.`);
  }

  async function call(name: RouteName, route: AnyRoute, args: AnyArgs = {}): Promise<unknown> {
    const url = routePath(route.path, args.params) + queryString(route.query ? checked(route.query, args.query ?? {}, `${name} query`) as Record<string, unknown> : undefined);
    const init: RequestInit = { headers: headers({ Accept: 'application/json' }), signal: args.signal };
    if (route.body) {
      init.body = JSON.stringify(checked(route.body, args.body, `${name} body`));
      init.headers = headers({ Accept: 'application/json', 'Content-Type': 'application/json' });
    }
    const res = await send(route.method, url, init);
    if (!res.ok) throw await failure(res, route.method, url);
    let json: unknown;
    try {
      json = await res.json();
    } catch (err) {
      if (isAbort(err)) throw err;
      throw clientError('CB_ERR_UI_BAD_RESPONSE', res.status, `${route.method} ${url} answered with something that is not JSON.`);
    }
    const parsed = route.response.safeParse(json);
    if (!parsed.success) {
      throw clientError('CB_ERR_UI_BAD_RESPONSE', res.status, `${route.method} ${url} answered outside the protocol: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}.`);
    }
    return parsed.data;
  }

  const api: Record<string, unknown> = {};
  for (const [name, route] of Object.entries(ROUTES) as Array<[RouteName, AnyRoute]>) {
    api[name] = (args?: AnyArgs) => call(name, route, args);
  }
  api.exportLogs = async (query: LogQueryMessage, signal?: AbortSignal): Promise<Blob> => {
    const url = LOG_EXPORT_PATH + queryString(query);
    const res = await send('GET', url, { headers: headers({ Accept: 'text/plain' }), signal });
    if (!res.ok) throw await failure(res, 'GET', url);
    return res.blob();
  };
  return api as Api;
}

/** Any thrown value as ErrorInfo, for the error boxes. */
export function errorInfo(err: unknown): ErrorInfoMessage {
  if (err instanceof ApiError) return err.info;
  return { code: 'CB_ERR_UI_UNEXPECTED', status: 0, message: err instanceof Error ? err.message : String(err), fix: 'Reload the page; if it happens again, report it with the browser console output.', params: {} };
}
