// CORS for the Table and Queue emulators, from the <Cors> rules a client set with Set Service Properties, so
// browser code (the SDKs run in browsers too) can call them as it calls Azure. Only requests with an Origin
// header are looked at; the SDKs in Node send none, so their requests pay nothing.
//   preflight (OPTIONS, not authenticated): the first rule whose origins, methods and headers all match answers
//     200 with the Access-Control-Allow-* headers; none: 403 CorsPreflightFailure; a preflight without Origin or
//     Access-Control-Request-Method: 400 InvalidHeaderValue
//   actual request: when a rule matches its origin and method, the response (errors included) carries
//     Access-Control-Allow-Origin and -Expose-Headers (and Vary/-Allow-Credentials unless the rule allows `*`)
// Origins and methods compare case-insensitively; allowed and exposed headers may end with `*` (a prefix) or be `*`.
// https://learn.microsoft.com/rest/api/storageservices/cross-origin-resource-sharing--cors--support-for-the-azure-storage-services
import { StorageDomainError } from './domain-error.js';
import { parseXml } from './xml.js';
import type { XmlElement } from './xml.js';

export interface CorsRule {
  readonly origins: readonly string[];
  readonly methods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

const list = (node: XmlElement, name: string): string[] =>
  (node.children.find((c) => c.name === name)?.text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The CORS rules of a service-properties document, in order. */
export function corsRules(propertiesXml: string): CorsRule[] {
  const cors = parseXml(propertiesXml).children.find((c) => c.name === 'Cors');
  if (!cors) return [];
  return cors.children
    .filter((c) => c.name === 'CorsRule')
    .map((rule) => ({
      origins: list(rule, 'AllowedOrigins').map((o) => o.toLowerCase()),
      methods: list(rule, 'AllowedMethods').map((m) => m.toUpperCase()),
      allowedHeaders: list(rule, 'AllowedHeaders').map((h) => h.toLowerCase()),
      exposedHeaders: list(rule, 'ExposedHeaders').map((h) => h.toLowerCase()),
      maxAgeSeconds: Number(rule.children.find((c) => c.name === 'MaxAgeInSeconds')?.text.trim() ?? 0) || 0,
    }));
}

/** `name` matches a pattern list entry: the same (case-insensitive), `*`, or a prefix ending in `*`. */
function headerAllowed(name: string, patterns: readonly string[]): boolean {
  const n = name.trim().toLowerCase();
  return patterns.some((p) => p === '*' || p === n || (p.endsWith('*') && n.startsWith(p.slice(0, -1))));
}

function originAllowed(origin: string, rule: CorsRule): boolean {
  return rule.origins.includes('*') || rule.origins.includes(origin.trim().toLowerCase());
}

function corsError(code: string, message: string): StorageDomainError {
  return new StorageDomainError(code, message);
}

/** Answers a preflight request; throws the domain error Azure answers when it is refused. */
export function preflight(rules: readonly CorsRule[], headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const origin = headers.origin;
  const method = headers['access-control-request-method'];
  if (typeof origin !== 'string' || origin === '' || typeof method !== 'string' || method === '') {
    const missing = [typeof origin === 'string' && origin !== '' ? '' : 'Origin', typeof method === 'string' && method !== '' ? '' : 'Access-Control-Request-Method'].filter((h) => h !== '');
    throw corsError('InvalidHeaderValue', `A required CORS header is not present. A preflight (OPTIONS) request needs Origin and Access-Control-Request-Method; this one has no ${missing.join(' and no ')}.`);
  }
  const requested = typeof headers['access-control-request-headers'] === 'string' ? headers['access-control-request-headers'] : undefined;
  const names = requested === undefined ? [] : requested.split(',').map((h) => h.trim()).filter((h) => h !== '');
  const rule = rules.find((r) => originAllowed(origin, r) && r.methods.includes(method.trim().toUpperCase()) && names.every((h) => headerAllowed(h, r.allowedHeaders)));
  if (!rule) {
    throw corsError('CorsPreflightFailure', rules.length === 0 ? 'CORS not enabled or no matching rule found for this request. The service has no CORS rules (set them with Set Service Properties).' : `CORS not enabled or no matching rule found for this request. No rule allows origin ${origin}, method ${method}${names.length > 0 ? ` and headers ${names.join(', ')}` : ''}.`);
  }
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Methods': method,
    ...(requested !== undefined ? { 'Access-Control-Allow-Headers': requested } : {}),
    'Access-Control-Max-Age': String(rule.maxAgeSeconds),
    'Access-Control-Allow-Credentials': 'true',
  };
}

/** The CORS headers of an actual (non-preflight) response to a request from `origin`. */
export function responseCorsHeaders(rules: readonly CorsRule[], origin: string, method: string, responseHeaderNames: readonly string[]): Record<string, string> {
  if (rules.length === 0) return {};
  const rule = rules.find((r) => originAllowed(origin, r) && r.methods.includes(method.toUpperCase()));
  if (!rule) return { Vary: 'Origin' };
  const exposed = new Set<string>();
  for (const pattern of rule.exposedHeaders) {
    if (pattern.endsWith('*')) {
      for (const name of responseHeaderNames) if (headerAllowed(name, [pattern])) exposed.add(name.toLowerCase());
    } else exposed.add(pattern);
  }
  const any = rule.origins.includes('*');
  return {
    'Access-Control-Allow-Origin': any ? '*' : origin,
    ...(exposed.size > 0 ? { 'Access-Control-Expose-Headers': [...exposed].join(',') } : {}),
    ...(any ? {} : { Vary: 'Origin', 'Access-Control-Allow-Credentials': 'true' }),
  };
}
