// <system.webServer><rewrite>: the inbound rules of the IIS URL Rewrite module that iisnode sites use (the Azure
// template sends every URL that is not a file under public/ to server.js; iisnode test 103 rewrites hello/*).
// Everything is checked and compiled here, once: regexes, {…} expressions and rewrite maps, so evaluation per
// request (runtime/hosting/rewrite.ts) only runs them. IIS refuses a rewrite section its schema does not accept,
// so an unknown attribute, a bad value or a misplaced element is an error naming file:line:column.
// https://learn.microsoft.com/iis/extensions/url-rewrite-module/url-rewrite-module-configuration-reference
import { attributes, children, once, xmlError } from './rewrite-attributes.js';
import { compilePattern } from './rewrite-pattern.js';
import type { CompiledPattern, PatternSyntax } from './rewrite-pattern.js';
import type { RewriteMap, Template } from './rewrite-template.js';
import { childrenNamed } from './xml.js';
import type { XmlElement } from './xml.js';

export type { CompiledPattern, PatternSyntax } from './rewrite-pattern.js';
export type { RewriteMap, Template, TemplatePart } from './rewrite-template.js';

export interface RewriteMatch {
  /** The pattern as written; '' when the rule has no <match> (it then matches every URL, as in the Azure template). */
  readonly url: string;
  readonly pattern: CompiledPattern;
  readonly negate: boolean;
}

export type MatchType = 'Pattern' | 'IsFile' | 'IsDirectory';

export interface RewriteCondition {
  readonly input: Template;
  readonly inputText: string;
  readonly matchType: MatchType;
  /** Used when matchType is Pattern. */
  readonly pattern: CompiledPattern;
  readonly negate: boolean;
  readonly line: number;
  readonly column: number;
}

export interface RewriteConditions {
  readonly logicalGrouping: 'MatchAll' | 'MatchAny';
  /** When true, {C:n} numbers the captures of all matched conditions in order instead of the last one's. */
  readonly trackAllCaptures: boolean;
  readonly list: readonly RewriteCondition[];
}

export type RedirectType = 'Permanent' | 'Found' | 'SeeOther' | 'Temporary';

export const REDIRECT_STATUS: Readonly<Record<RedirectType, 301 | 302 | 303 | 307>> = { Permanent: 301, Found: 302, SeeOther: 303, Temporary: 307 };

export type RewriteAction =
  | { readonly type: 'None' }
  | { readonly type: 'AbortRequest' }
  | { readonly type: 'Rewrite'; readonly url: Template; readonly urlText: string; readonly appendQueryString: boolean }
  | { readonly type: 'Redirect'; readonly url: Template; readonly urlText: string; readonly appendQueryString: boolean; readonly redirectType: RedirectType }
  | { readonly type: 'CustomResponse'; readonly statusCode: number; readonly subStatusCode: number; readonly statusReason: Template; readonly statusDescription: Template };

/** <serverVariables><set name value replace/>: applied when the rule's action runs; HTTP_* names set request headers. */
export interface ServerVariableSet {
  /** Upper-cased. */
  readonly name: string;
  readonly value: Template;
  readonly replace: boolean;
}

export interface RewriteRule {
  readonly name: string;
  readonly enabled: boolean;
  readonly stopProcessing: boolean;
  readonly patternSyntax: PatternSyntax;
  readonly match: RewriteMatch;
  readonly conditions: RewriteConditions;
  readonly action: RewriteAction;
  readonly serverVariables: readonly ServerVariableSet[];
  readonly line: number;
  readonly column: number;
}

interface Ctx {
  readonly file: string;
  readonly maps: ReadonlyMap<string, RewriteMap>;
}

/** The enabled and disabled rules of <system.webServer><rewrite><rules>, in order, after <clear/> and <remove/>. */
export function parseRewriteRules(systemWebServer: XmlElement | undefined, file: string): RewriteRule[] {
  const sections = childrenNamed(systemWebServer, 'rewrite');
  if (sections.length === 0) return [];
  const rewrite = once(sections, 'rewrite', file) as XmlElement;
  attributes(rewrite, file, []);
  // Outbound rules rewrite responses, providers are .NET plug-ins and allowedServerVariables only unlocks
  // <serverVariables>: none decides where a request goes, so they are accepted and not read.
  const parts = children(rewrite, file, ['rules', 'rewriteMaps', 'outboundRules', 'providers', 'allowedServerVariables', 'globalRules']);
  const global = parts.get('globalRules');
  if (global) throw xmlError(global, file, '<globalRules> can only be set in applicationHost.config; put these rules in <rules>');
  const ctx: Ctx = { file, maps: readMaps(parts.get('rewriteMaps'), file) };
  return readRules(parts.get('rules'), ctx);
}

function readRules(el: XmlElement | undefined, ctx: Ctx): RewriteRule[] {
  if (!el) return [];
  attributes(el, ctx.file, []);
  let list: RewriteRule[] = [];
  for (const c of el.children) {
    if (c.name === 'clear') list = [];
    else if (c.name === 'remove') {
      const name = attributes(c, ctx.file, ['name']).required('name');
      list = list.filter((r) => r.name !== name);
    } else if (c.name === 'rule') {
      const rule = readRule(c, ctx);
      const twin = list.find((r) => r.name === rule.name);
      if (twin) throw xmlError(c, ctx.file, `a second rule named "${rule.name}" (the first is at line ${twin.line}); rule names must be unique`);
      list.push(rule);
    } else throw xmlError(c, ctx.file, `<${c.name}> is not allowed in <rules>; expected <rule>, <clear/> or <remove name="…"/>`);
  }
  return list;
}

function readRule(el: XmlElement, ctx: Ctx): RewriteRule {
  const a = attributes(el, ctx.file, ['name', 'enabled', 'stopProcessing', 'patternSyntax', 'responseCacheDirective']);
  const name = a.required('name');
  if (name.trim() === '') a.fail('name', 'a non-empty rule name');
  const patternSyntax = a.oneOf('patternSyntax', ['ECMAScript', 'Wildcard', 'ExactMatch'], 'ECMAScript');
  a.oneOf('responseCacheDirective', ['Auto', 'Always', 'Never', 'NotIfRuleMatched'], 'Auto');
  const parts = children(el, ctx.file, ['match', 'conditions', 'action', 'serverVariables']);
  return {
    name,
    enabled: a.bool('enabled', true),
    stopProcessing: a.bool('stopProcessing', false),
    patternSyntax,
    match: readMatch(parts.get('match'), patternSyntax, ctx),
    conditions: readConditions(parts.get('conditions'), patternSyntax, ctx),
    action: readAction(parts.get('action'), ctx),
    serverVariables: readServerVariables(parts.get('serverVariables'), ctx),
    line: el.line,
    column: el.column,
  };
}

function readMatch(el: XmlElement | undefined, syntax: PatternSyntax, ctx: Ctx): RewriteMatch {
  if (!el) return { url: '', pattern: compilePattern('', 'ECMAScript', true), negate: false };
  const a = attributes(el, ctx.file, ['url', 'ignoreCase', 'negate']);
  const url = a.required('url');
  return { url, pattern: a.pattern('url', syntax, a.bool('ignoreCase', true)), negate: a.bool('negate', false) };
}

function readConditions(el: XmlElement | undefined, syntax: PatternSyntax, ctx: Ctx): RewriteConditions {
  if (!el) return { logicalGrouping: 'MatchAll', trackAllCaptures: false, list: [] };
  const a = attributes(el, ctx.file, ['logicalGrouping', 'trackAllCaptures']);
  let list: RewriteCondition[] = [];
  for (const c of el.children) {
    if (c.name === 'clear') list = [];
    else if (c.name === 'add') list.push(readCondition(c, syntax, ctx));
    else throw xmlError(c, ctx.file, `<${c.name}> is not allowed in <conditions>; expected <add input="…"/> or <clear/>`);
  }
  return { logicalGrouping: a.oneOf('logicalGrouping', ['MatchAll', 'MatchAny'], 'MatchAll'), trackAllCaptures: a.bool('trackAllCaptures', false), list };
}

function readCondition(el: XmlElement, syntax: PatternSyntax, ctx: Ctx): RewriteCondition {
  const a = attributes(el, ctx.file, ['input', 'pattern', 'negate', 'ignoreCase', 'matchType']);
  const inputText = a.required('input');
  return {
    input: a.template('input', ctx.maps),
    inputText,
    matchType: a.oneOf('matchType', ['Pattern', 'IsFile', 'IsDirectory'], 'Pattern'),
    pattern: a.pattern('pattern', syntax, a.bool('ignoreCase', true)),
    negate: a.bool('negate', false),
    line: el.line,
    column: el.column,
  };
}

function readAction(el: XmlElement | undefined, ctx: Ctx): RewriteAction {
  if (!el) return { type: 'None' };
  const a = attributes(el, ctx.file, ['type', 'url', 'appendQueryString', 'logRewrittenUrl', 'redirectType', 'statusCode', 'subStatusCode', 'statusReason', 'statusDescription']);
  const type = a.oneOf('type', ['None', 'Rewrite', 'Redirect', 'CustomResponse', 'AbortRequest'], 'None');
  // Validated whatever the type, as IIS's schema does.
  const appendQueryString = a.bool('appendQueryString', true);
  a.bool('logRewrittenUrl', false);
  const redirectType = a.oneOf('redirectType', ['Permanent', 'Found', 'SeeOther', 'Temporary'], 'Permanent');
  const subStatusCode = a.uint('subStatusCode', 0, 0, 999);
  switch (type) {
    case 'None':
    case 'AbortRequest':
      return { type };
    case 'Rewrite':
    case 'Redirect': {
      const urlText = a.required('url', ` (type="${type}" needs the URL to send the request to)`);
      if (urlText.trim() === '') a.fail('url', 'a URL');
      const url = a.template('url', ctx.maps);
      return type === 'Rewrite' ? { type, url, urlText, appendQueryString } : { type, url, urlText, appendQueryString, redirectType };
    }
    case 'CustomResponse':
      a.required('statusCode', ' (type="CustomResponse" needs the status to answer with)');
      return { type, statusCode: a.uint('statusCode', 0, 100, 999), subStatusCode, statusReason: a.template('statusReason', ctx.maps), statusDescription: a.template('statusDescription', ctx.maps) };
  }
}

function readServerVariables(el: XmlElement | undefined, ctx: Ctx): ServerVariableSet[] {
  if (!el) return [];
  attributes(el, ctx.file, []);
  return el.children.map((c) => {
    if (c.name !== 'set') throw xmlError(c, ctx.file, `<${c.name}> is not allowed in <serverVariables>; expected <set name="…" value="…"/>`);
    const a = attributes(c, ctx.file, ['name', 'value', 'replace']);
    const name = a.required('name');
    if (!/^[A-Za-z0-9_]+$/.test(name)) a.fail('name', 'a server variable name (letters, digits and _, e.g. HTTP_X_ORIGINAL_HOST)');
    return { name: name.toUpperCase(), value: a.template('value', ctx.maps), replace: a.bool('replace', true) };
  });
}

function readMaps(el: XmlElement | undefined, file: string): Map<string, RewriteMap> {
  const maps = new Map<string, RewriteMap>();
  if (!el) return maps;
  attributes(el, file, []);
  for (const c of el.children) {
    if (c.name === 'clear') maps.clear();
    else if (c.name === 'remove') maps.delete(attributes(c, file, ['name']).required('name').toLowerCase());
    else if (c.name === 'rewriteMap') {
      const map = readMap(c, file);
      if (maps.has(map.name.toLowerCase())) throw xmlError(c, file, `a second rewrite map named "${map.name}"; map names must be unique`);
      maps.set(map.name.toLowerCase(), map);
    } else throw xmlError(c, file, `<${c.name}> is not allowed in <rewriteMaps>; expected <rewriteMap name="…">, <clear/> or <remove name="…"/>`);
  }
  return maps;
}

function readMap(el: XmlElement, file: string): RewriteMap {
  const a = attributes(el, file, ['name', 'defaultValue', 'ignoreCase']);
  const name = a.required('name');
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) a.fail('name', 'a map name of letters, digits, _, . or - (it is used as {name:key})');
  const ignoreCase = a.bool('ignoreCase', true);
  const entries = new Map<string, string>();
  const seen = new Set<string>();
  for (const c of el.children) {
    if (c.name !== 'add') throw xmlError(c, file, `<${c.name}> is not allowed in <rewriteMap>; expected <add key="…" value="…"/>`);
    const e = attributes(c, file, ['key', 'value']);
    const key = e.required('key');
    if (seen.has(key)) throw xmlError(c, file, `a second entry with key "${key}" in rewrite map "${name}"; keys must be unique`);
    seen.add(key);
    const lookup = ignoreCase ? key.toLowerCase() : key;
    if (!entries.has(lookup)) entries.set(lookup, e.text('value') ?? '');
  }
  return { name, defaultValue: a.text('defaultValue') ?? '', ignoreCase, entries };
}
