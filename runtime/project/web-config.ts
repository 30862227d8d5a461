// web.config: the parts the hosting runtime needs now (iisnode handlers, the <iisnode> element, appSettings).
// IIS reads attribute names case-insensitively; element names are case-sensitive.
import { cbError } from '../shared/errors.js';
import { IISNODE_ATTRIBUTES, IISNODE_ATTRIBUTE_NAMES, describeType, parseAttributeValue } from './iisnode-schema.js';
import type { IisnodeAttribute } from './iisnode-schema.js';
import { attr, findPath, parseXml } from './xml.js';
import { closest } from './closest.js';
import { parseRewriteRules } from './rewrite-rules.js';
import type { RewriteRule } from './rewrite-rules.js';
import type { XmlElement } from './xml.js';

export interface Located<T> {
  readonly value: T;
  readonly line: number;
  readonly column: number;
}

export interface HandlerMapping {
  readonly name: string;
  readonly path: string;
  readonly verb: string;
  readonly modules: string;
  readonly line: number;
  readonly column: number;
}

export interface WebConfig {
  readonly file: string;
  /** <handlers> entries after <remove>/<clear>, in order. */
  readonly handlers: HandlerMapping[];
  /** Attributes set on <iisnode>, already type-checked. */
  readonly iisnode: Partial<Record<IisnodeAttribute, Located<boolean | number | string>>>;
  /** appSettings in document order; empty keys are already skipped (iisnode does the same). */
  readonly appSettings: Array<{ key: string; value: string }>;
  /** <rewrite><rules>, compiled. */
  readonly rewriteRules: RewriteRule[];
  /** <defaultDocument>: tried in order for a request to a folder. */
  readonly defaultDocument: { readonly enabled: boolean; readonly files: readonly string[] };
  /** <requestFiltering><hiddenSegments>: path segments never served (case-insensitive). */
  readonly hiddenSegments: readonly string[];
  /** <staticContent><mimeMap>: extension (with the dot, lower case) → MIME type; null removes a default. */
  readonly mimeMap: Readonly<Record<string, string | null>>;
}

/** IIS's defaults (applicationHost.config). */
export const DEFAULT_DOCUMENTS = ['Default.htm', 'Default.asp', 'index.htm', 'index.html', 'iisstart.htm', 'default.aspx'];
export const DEFAULT_HIDDEN_SEGMENTS = ['web.config', 'bin', 'App_code', 'App_GlobalResources', 'App_LocalResources', 'App_WebReferences', 'App_Data', 'App_Browsers'];

export function parseWebConfig(text: string, file: string): WebConfig {
  const root = parseXml(text, file);
  if (root.name !== 'configuration') {
    throw cbError('CB_ERR_CONFIG_XML', { file, line: root.line, column: root.column, detail: `the root element is <${root.name}>; expected <configuration>` });
  }
  const ws = findPath(root, 'system.webServer');
  return {
    file,
    handlers: readHandlers(findPath(ws, 'handlers')),
    iisnode: readIisnode(findPath(ws, 'iisnode'), file),
    appSettings: readAppSettings(findPath(root, 'appSettings')),
    rewriteRules: parseRewriteRules(ws, file),
    defaultDocument: readDefaultDocument(findPath(ws, 'defaultDocument')),
    hiddenSegments: readList(findPath(ws, 'security', 'requestFiltering', 'hiddenSegments'), 'segment', DEFAULT_HIDDEN_SEGMENTS),
    mimeMap: readMimeMap(findPath(ws, 'staticContent')),
  };
}

function readDefaultDocument(el: XmlElement | undefined): WebConfig['defaultDocument'] {
  const enabled = (el && attr(el, 'enabled')?.toLowerCase()) !== 'false';
  return { enabled, files: readList(findPath(el, 'files'), 'value', DEFAULT_DOCUMENTS) };
}

/** An IIS collection of <add key=…/>, <remove key=…/> and <clear/> over inherited defaults. */
function readList(el: XmlElement | undefined, key: string, defaults: readonly string[]): string[] {
  let list = [...defaults];
  for (const c of el?.children ?? []) {
    const value = attr(c, key) ?? '';
    if (c.name === 'clear') list = [];
    else if (c.name === 'remove') list = list.filter((v) => v.toLowerCase() !== value.toLowerCase());
    else if (c.name === 'add' && value !== '' && !list.some((v) => v.toLowerCase() === value.toLowerCase())) list.push(value);
  }
  return list;
}

function readMimeMap(el: XmlElement | undefined): Record<string, string | null> {
  const map: Record<string, string | null> = {};
  for (const c of el?.children ?? []) {
    const ext = (attr(c, 'fileExtension') ?? '').toLowerCase();
    if (c.name === 'mimeMap' && ext !== '') map[ext.startsWith('.') ? ext : `.${ext}`] = attr(c, 'mimeType') ?? 'application/octet-stream';
    else if (c.name === 'remove' && ext !== '') map[ext.startsWith('.') ? ext : `.${ext}`] = null;
  }
  return map;
}

function readHandlers(el: XmlElement | undefined): HandlerMapping[] {
  let list: HandlerMapping[] = [];
  for (const c of el?.children ?? []) {
    if (c.name === 'clear') list = [];
    else if (c.name === 'remove') list = list.filter((h) => h.name !== (attr(c, 'name') ?? ''));
    else if (c.name === 'add') {
      list.push({
        name: attr(c, 'name') ?? '',
        path: attr(c, 'path') ?? '',
        verb: attr(c, 'verb') ?? '*',
        modules: attr(c, 'modules') ?? '',
        line: c.line,
        column: c.column,
      });
    }
  }
  return list;
}

const byLowerName = new Map(IISNODE_ATTRIBUTE_NAMES.map((n) => [n.toLowerCase(), n]));

function readIisnode(el: XmlElement | undefined, file: string): WebConfig['iisnode'] {
  const out: WebConfig['iisnode'] = {};
  if (!el) return out;
  for (const [rawName, text] of Object.entries(el.attributes)) {
    const name = byLowerName.get(rawName.toLowerCase());
    const at = el.attributePositions[rawName] ?? el;
    const where = { file, line: at.line, column: at.column, element: 'iisnode', attribute: rawName, value: text };
    if (!name) {
      // IIS rejects attributes its schema does not declare (iisnode functional test 116).
      const near = closest(rawName, IISNODE_ATTRIBUTE_NAMES);
      throw cbError('CB_ERR_CONFIG_ATTRIBUTE', { ...where, expected: `one of the ${IISNODE_ATTRIBUTE_NAMES.length} iisnode attributes; "${rawName}" is not one${near ? ` (did you mean "${near}"?)` : ''}` });
    }
    const value = parseAttributeValue(name, text);
    if (value === undefined) throw cbError('CB_ERR_CONFIG_ATTRIBUTE', { ...where, expected: describeType(name) });
    if (IISNODE_ATTRIBUTES[name].type === 'string' && name === 'debuggerPortRange' && !isPortRange(text)) {
      throw cbError('CB_ERR_CONFIG_ATTRIBUTE', { ...where, expected: 'a range like 5058-6058 within 1025-65535' });
    }
    out[name] = { value, line: at.line, column: at.column };
  }
  return out;
}

export function isPortRange(text: string): boolean {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  return lo >= 1025 && hi <= 65535 && lo <= hi;
}

function readAppSettings(el: XmlElement | undefined): WebConfig['appSettings'] {
  let list: Array<{ key: string; value: string }> = [];
  for (const c of el?.children ?? []) {
    if (c.name === 'clear') list = [];
    else if (c.name === 'remove') list = list.filter((s) => s.key !== attr(c, 'key'));
    else if (c.name === 'add') {
      const key = attr(c, 'key') ?? '';
      if (key !== '') list.push({ key, value: attr(c, 'value') ?? '' });
    }
  }
  return list;
}

/** The iisnode handler mappings (modules="iisnode"). */
export function iisnodeHandlers(config: WebConfig): HandlerMapping[] {
  return config.handlers.filter((h) => h.modules.toLowerCase() === 'iisnode');
}
