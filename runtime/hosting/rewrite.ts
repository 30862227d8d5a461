// Runs the IIS URL Rewrite rules of web.config (parsed and compiled by runtime/project/rewrite-rules.ts) for one
// request. IIS semantics, from the module's configuration reference:
//  - rules run in document order against the URL path without its leading slash (distributed rules at the
//    site root), decoded, without the query string;
//  - a rule whose pattern and conditions hold runs its action: Rewrite replaces the URL the following rules
//    see (and appends the query string unless appendQueryString="false"), None changes nothing, and Redirect,
//    CustomResponse and AbortRequest end the request; stopProcessing ends evaluation after the action;
//  - the app still sees the URL the client asked for (IIS passes it as X-Original-URL and iisnode hands that
//    to node as req.url, iisnode test 103); the rewritten URL only decides which handler serves the request.
// https://learn.microsoft.com/iis/extensions/url-rewrite-module/url-rewrite-module-configuration-reference
import { statSync } from 'node:fs';
import path from 'node:path';
import { REDIRECT_STATUS } from '../project/rewrite-rules.js';
import type { RewriteCondition, RewriteRule, Template } from '../project/rewrite-rules.js';
import { encodeComponent, encodePath, encodeUnsafe, escapeDataString, isUnder, normalizePath, physicalPathOf, safeDecode } from './rewrite-url.js';

export interface RewriteRequest {
  /** The request-target path as received, percent-encoded, starting with `/`; a `?query` part is split off. */
  readonly url: string;
  /** The query string without `?`; when omitted, whatever follows `?` in url. */
  readonly queryString?: string;
  readonly method: string;
  /** Header names in any case; repeated headers as arrays (joined with ", " as IIS does). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** @default false */
  readonly https?: boolean;
  /** {REMOTE_ADDR}. @default '' */
  readonly remoteAddress?: string;
  /** {SERVER_PORT}: the port the request arrived on. @default the Host header's port, else 80 or 443 */
  readonly localPort?: number;
}

/** The file system as the rules see it; injected so tests need no disk (createDiskRewriteEnv is the real one). */
export interface RewriteEnv {
  /** The site folder: {REQUEST_FILENAME} maps URLs under it, and IsFile/IsDirectory never look outside it. */
  readonly physicalRoot: string;
  isFile(physicalPath: string): boolean;
  isDirectory(physicalPath: string): boolean;
}

interface ResultBase {
  /** The request-target as the client sent it (path and query): what the app sees as req.url. */
  readonly originalUrl: string;
  /** The URL after every Rewrite (encoded path, then `?query`): what decides the handler. */
  readonly url: string;
  /** The decoded, normalized path of `url`. */
  readonly path: string;
  readonly queryString: string;
  /** True when a Rewrite action changed the URL (IIS then sends X-Original-URL). */
  readonly rewritten: boolean;
  /** The names of the rules whose action ran, in order. */
  readonly matchedRules: readonly string[];
  /** Values set by <serverVariables>; an HTTP_X_FOO entry is the request header X-Foo for the app. */
  readonly serverVariables: Readonly<Record<string, string>>;
}

export type RewriteResult =
  /** Serve `url`: the app (iisnode handler) or a static file at physicalPath. */
  | (ResultBase & { readonly type: 'serve'; readonly physicalPath: string })
  | (ResultBase & { readonly type: 'redirect'; readonly status: 301 | 302 | 303 | 307; readonly location: string })
  | (ResultBase & { readonly type: 'custom'; readonly status: number; readonly subStatus: number; readonly reason: string; readonly description: string })
  /** Close the connection without a response. */
  | (ResultBase & { readonly type: 'abort' })
  /** A Rewrite to an absolute URL: IIS proxies it through Application Request Routing, which Cloudbench lacks. */
  | (ResultBase & { readonly type: 'proxy'; readonly target: string });

interface State {
  readonly req: RewriteRequest;
  readonly env: RewriteEnv;
  readonly root: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  /** The decoded, normalized path the client asked for. */
  readonly requestPath: string;
  path: string;
  query: string;
  rewritten: boolean;
  headers: Map<string, string> | undefined;
  readonly assigned: Record<string, string>;
  readonly matched: string[];
}

/** Evaluates `rules` for one request. Never throws: a file-system probe that fails counts as "no such file". */
export function evaluateRewrite(rules: readonly RewriteRule[], request: RewriteRequest, env: RewriteEnv): RewriteResult {
  const q = request.url.indexOf('?');
  const rawPath = q < 0 ? request.url : request.url.slice(0, q);
  const rawQuery = request.queryString ?? (q < 0 ? '' : request.url.slice(q + 1));
  const requestPath = normalizePath(safeDecode(rawPath));
  const s: State = {
    req: request,
    env,
    root: path.resolve(env.physicalRoot),
    rawPath,
    rawQuery,
    requestPath,
    path: requestPath,
    query: rawQuery,
    rewritten: false,
    headers: undefined,
    assigned: {},
    matched: [],
  };
  for (const rule of rules) {
    if (!rule.enabled) continue;
    const R = matchUrl(rule, s.path.slice(1));
    if (!R) continue;
    const C = conditionsHold(rule, R, s);
    if (!C) continue;
    s.matched.push(rule.name);
    for (const v of rule.serverVariables) {
      if (v.replace || !(v.name in s.assigned)) s.assigned[v.name] = expand(v.value, R, C, s);
    }
    const a = rule.action;
    if (a.type === 'Rewrite') {
      const target = expand(a.url, R, C, s);
      const proxy = /^[a-z][a-z0-9+.-]*:\/\//i.test(target);
      const [p, query] = withQuery(target, a.appendQueryString, s.query);
      if (proxy) return finish(s, { type: 'proxy', target: encodeUnsafe(query ? `${p}?${query}` : p) });
      s.path = normalizePath(safeDecode(p.startsWith('/') ? p : `/${p}`));
      s.query = query;
      s.rewritten = true;
    } else if (a.type === 'Redirect') {
      const [p, query] = withQuery(expand(a.url, R, C, s), a.appendQueryString, s.query);
      return finish(s, { type: 'redirect', status: REDIRECT_STATUS[a.redirectType], location: encodeUnsafe(query ? `${p}?${query}` : p) });
    } else if (a.type === 'CustomResponse') {
      const reason = printable(expand(a.statusReason, R, C, s));
      const description = printable(expand(a.statusDescription, R, C, s));
      return finish(s, { type: 'custom', status: a.statusCode, subStatus: a.subStatusCode, reason, description });
    } else if (a.type === 'AbortRequest') return finish(s, { type: 'abort' });
    if (rule.stopProcessing) break;
  }
  return finish(s, { type: 'serve', physicalPath: physicalPathOf(s.root, s.path) });
}

/** A result without the fields every result shares (distributes over the union). */
type Outcome<T = RewriteResult> = T extends ResultBase ? Omit<T, keyof ResultBase> : never;

function finish(s: State, outcome: Outcome): RewriteResult {
  const base: ResultBase = {
    originalUrl: s.rawQuery ? `${s.rawPath}?${s.rawQuery}` : s.rawPath,
    url: encodePath(s.path) + (s.query ? `?${encodeUnsafe(s.query)}` : ''),
    path: s.path,
    queryString: s.query,
    rewritten: s.rewritten,
    matchedRules: s.matched,
    serverVariables: s.assigned,
  };
  return { ...base, ...outcome } as RewriteResult;
}

/** Splits a substitution at its first `?` and appends the current query string when asked to (with `&`). */
function withQuery(target: string, append: boolean, current: string): [string, string] {
  const q = target.indexOf('?');
  const p = q < 0 ? target : target.slice(0, q);
  const own = q < 0 ? '' : target.slice(q + 1);
  if (!append || current === '') return [p, own];
  return [p, own ? `${own}&${current}` : current];
}

/** The {R:n} captures when the rule's <match> holds, else null. A negated match holds when the pattern fails. */
function matchUrl(rule: RewriteRule, input: string): string[] | null {
  const m = rule.match.pattern.exec(input);
  if (rule.match.negate) return m ? null : [];
  return m;
}

/**
 * The {C:n} captures when the conditions hold, else null. {C:n} are those of the last condition that held (a
 * negated, IsFile or IsDirectory condition has none), or with trackAllCaptures those of all of them in order.
 */
function conditionsHold(rule: RewriteRule, R: string[], s: State): string[] | null {
  const { list, logicalGrouping, trackAllCaptures } = rule.conditions;
  let C: string[] = [];
  for (const c of list) {
    const caps = testCondition(c, R, C, s);
    if (logicalGrouping === 'MatchAny') {
      if (caps) return caps;
      continue;
    }
    if (!caps) return null;
    C = trackAllCaptures ? C.concat(caps) : caps;
  }
  return logicalGrouping === 'MatchAny' && list.length > 0 ? null : C;
}

function testCondition(c: RewriteCondition, R: string[], C: string[], s: State): string[] | null {
  const input = expand(c.input, R, C, s);
  if (c.matchType === 'Pattern') {
    const m = c.pattern.exec(input);
    if (c.negate) return m ? null : [];
    return m;
  }
  // IsFile/IsDirectory take a physical path (usually {REQUEST_FILENAME}); one outside the site is neither.
  let found = false;
  if (isUnder(s.root, input)) {
    const full = path.resolve(s.root, input);
    try {
      found = c.matchType === 'IsFile' ? s.env.isFile(full) : s.env.isDirectory(full);
    } catch {
      found = false;
    }
  }
  return found !== c.negate ? [] : null;
}

function expand(t: Template, R: string[], C: string[], s: State): string {
  let out = '';
  for (const p of t) {
    switch (p.kind) {
      case 'text':
        out += p.text;
        break;
      case 'ref':
        out += (p.from === 'R' ? R : C)[p.index] ?? '';
        break;
      case 'var':
        out += variable(p.name, s);
        break;
      case 'fn': {
        const arg = expand(p.arg, R, C, s);
        if (p.fn === 'ToLower') out += arg.toLowerCase();
        else if (p.fn === 'UrlEncode') out += encodeComponent(arg);
        else if (p.fn === 'EscapeDataString') out += escapeDataString(arg);
        else out += safeDecode(arg);
        break;
      }
      case 'map': {
        const key = expand(p.arg, R, C, s);
        out += p.map.entries.get(p.map.ignoreCase ? key.toLowerCase() : key) ?? p.map.defaultValue;
        break;
      }
    }
  }
  return out;
}

/** IIS server variables by (upper-case) name; an unknown one is empty, as in IIS. */
function variable(name: string, s: State): string {
  const set = s.assigned[name];
  if (set !== undefined) return set;
  const https = s.req.https === true;
  switch (name) {
    case 'REQUEST_FILENAME':
      return physicalPathOf(s.root, s.path);
    case 'REQUEST_URI':
      // From the canonical path, not the raw one: public{REQUEST_URI} must not climb out of public/ with
      // /../ or its encoded spellings.
      return encodePath(s.requestPath) + (s.rawQuery ? `?${s.rawQuery}` : '');
    case 'UNENCODED_URL':
    case 'HTTP_URL':
      return s.rawQuery ? `${s.rawPath}?${s.rawQuery}` : s.rawPath;
    case 'URL':
    case 'PATH_INFO':
    case 'SCRIPT_NAME':
      return s.path;
    case 'QUERY_STRING':
      return s.query;
    case 'HTTPS':
      return https ? 'on' : 'off';
    case 'SERVER_PORT_SECURE':
      return https ? '1' : '0';
    case 'SERVER_PORT':
      return String(s.req.localPort ?? hostPort(header('host', s)) ?? (https ? 443 : 80));
    case 'SERVER_NAME':
      return header('host', s).replace(/:\d*$/, '').replace(/^\[(.*)\]$/, '$1');
    case 'REQUEST_METHOD':
      return s.req.method;
    case 'REMOTE_ADDR':
    case 'REMOTE_HOST':
      return s.req.remoteAddress ?? '';
    case 'APPL_PHYSICAL_PATH':
      return s.root + path.sep;
    case 'CONTENT_TYPE':
    case 'CONTENT_LENGTH':
      return header(name.replace('_', '-').toLowerCase(), s);
    case 'HTTP_X_ORIGINAL_URL':
      // Once a rule has rewritten the URL, IIS has set this header itself, replacing any the client sent.
      if (s.rewritten) return s.rawQuery ? `${s.rawPath}?${s.rawQuery}` : s.rawPath;
      return header('x-original-url', s);
  }
  return name.startsWith('HTTP_') ? header(name.slice(5).replace(/_/g, '-').toLowerCase(), s) : '';
}

function header(lowerName: string, s: State): string {
  if (!s.headers) {
    s.headers = new Map();
    for (const [k, v] of Object.entries(s.req.headers)) {
      if (v !== undefined) s.headers.set(k.toLowerCase(), typeof v === 'string' ? v : v.join(', '));
    }
  }
  return s.headers.get(lowerName) ?? '';
}

function hostPort(host: string): number | undefined {
  const m = /:(\d{1,5})$/.exec(host);
  return m ? Number(m[1]) : undefined;
}

/** A status reason or description must stay on its line. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\x00-\x1F\x7F]/g, ' ');
}

/** The real file system: synchronous stat calls, as IIS checks IsFile/IsDirectory inline. */
export function createDiskRewriteEnv(physicalRoot: string): RewriteEnv {
  return {
    physicalRoot,
    isFile: (p) => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false,
    isDirectory: (p) => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false,
  };
}
