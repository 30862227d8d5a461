// AtomPub payloads of the Table service (OData v2 XML), the only format before x-ms-version 2013-08-15 and
// accepted until 2015-12-11. Clients of that era still run: the `azure` npm package up to 0.9 (its own storage
// code, or azure-storage-legacy) sends `Accept: application/atom+xml,application/xml` with Atom entry bodies,
// and reads answers with a prefix-literal XML reader, so the answers use the `d:` (data) and `m:` (metadata)
// prefixes Azure writes. Reading is by local name, so a client with other prefixes is understood too.
//   entry   <entry m:etag="W/&quot;…&quot;"><id/><title/><updated/><author/><link rel="edit"/><category/>
//           <content type="application/xml"><m:properties><d:Name m:type="Edm.Int32">5</d:Name>…
//   feed    <feed xml:base="…/"><title/><id/><updated/><link rel="self"/> entries…</feed>
// A property without m:type is an Edm.String; m:null="true" is a null (not stored, as in JSON); Booleans are
// true/false or 1/0 (xsd:boolean: the old Node client writes 1 and 0); Doubles may be INF, -INF or NaN.
// https://learn.microsoft.com/rest/api/storageservices/payload-format-for-table-service-operations
// https://learn.microsoft.com/rest/api/storageservices/inserting-and-updating-entities
import type { IncomingHttpHeaders } from 'node:http';
import { doublesPerEntity } from '../../shared/json-doubles.js';
import { versionBeforeJson } from '../storage/api-versions.js';
import { domainError } from '../storage/domain-error.js';
import { parseXml } from '../storage/xml.js';
import type { XmlElement } from '../storage/xml.js';
import { etagOf } from './clock.js';
import { isInt32 } from './edm-values.js';
import { parseEntity } from './entity-input.js';
import type { EntityInput } from './entity-input.js';
import type { EntityRow } from './table-store.js';

export const ATOM_CONTENT_TYPE = 'application/atom+xml;charset=utf-8';
const DECL = '<?xml version="1.0" encoding="utf-8" standalone="yes"?>';
const NAMESPACES = 'xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" xmlns="http://www.w3.org/2005/Atom"';
const SCHEME = 'http://schemas.microsoft.com/ado/2007/08/dataservices/scheme';
const PROPERTY_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** What the links of an answer are built from (the JSON formatter's context, minus the metadata level). */
export interface AtomContext {
  /** http://host[:port]/account (path style) or http://account.table.localhost:port. */
  readonly base: string;
  readonly account: string;
  readonly table: string;
  readonly select?: readonly string[];
}

/**
 * Whether the answer is Atom: `$format=atom`, an Accept naming application/atom+xml and no JSON, or (as on
 * Azure, where old versions had nothing else) a version before 2013-08-15 with no JSON in Accept.
 */
export function wantsAtom(headers: IncomingHttpHeaders, query: URLSearchParams): boolean {
  const format = query.get('$format');
  if (format !== null) return format === 'atom' || format.startsWith('application/atom+xml');
  const accept = String(headers.accept ?? '');
  if (accept.includes('json')) return false;
  return accept.includes('atom+xml') || versionBeforeJson(headers['x-ms-version']);
}

/** Whether a request body is Atom (by its Content-Type, or a body that starts as XML). */
export function isAtomBody(contentType: string | string[] | undefined, body: string | Buffer): boolean {
  const type = String(contentType ?? '');
  if (type.includes('json')) return false;
  if (type.includes('atom+xml') || type.includes('application/xml')) return true;
  const text = typeof body === 'string' ? body : body.toString('utf8', 0, Math.min(body.length, 64));
  return text.trimStart().startsWith('<');
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
// What JSON can hold and XML 1.0 cannot carry as itself: \r (a reader turns \r\n into \n), the C0 controls but
// tab and newline, U+FFFE/U+FFFF and lone surrogates. They go out as character references, so no value makes
// the document unreadable; the old Node client's reader (sax) decodes them back.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML_TEXT = /[\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Text and double-quoted attribute values; apostrophes stay as they are, as Azure writes its keys and ETags. */
const escapeXml = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => XML_ESCAPES[c] as string).replace(NOT_XML_TEXT, (c) => `&#x${(c.codePointAt(0) as number).toString(16).toUpperCase()};`);

const local = (name: string): string => name.slice(name.indexOf(':') + 1);

function attribute(node: XmlElement, name: string): string | undefined {
  for (const [key, value] of Object.entries(node.attributes)) if (local(key) === name && !key.startsWith('xmlns')) return value;
  return undefined;
}

/** The m:properties element of an Atom entry (inside <content>, or directly in the entry as OData allows). */
function propertiesOf(body: string, what: string): XmlElement {
  const root = parseXml(body);
  if (local(root.name) !== 'entry') throw domainError('InvalidInput', `An error occurred while processing this request. ${what} must be an Atom <entry>, got <${root.name}>.`);
  const content = root.children.find((c) => local(c.name) === 'content');
  const props = (content ?? root).children.find((c) => local(c.name) === 'properties');
  if (!props) throw domainError('InvalidInput', `An error occurred while processing this request. ${what} has no <m:properties> in its <content>.`);
  return props;
}

/** An Atom entry → the record the JSON reader takes: every value as text, with its `name@odata.type`. */
export function atomEntityRecord(body: string): Record<string, unknown> {
  // No prototype: property names such as constructor or __proto__ are plain keys here.
  const record = Object.create(null) as Record<string, unknown>;
  for (const node of propertiesOf(body, 'The entity').children) {
    const name = local(node.name);
    if (Object.hasOwn(record, name)) throw domainError('InvalidInput', `An error occurred while processing this request. The property "${name}" appears more than once in the entity.`);
    if (node.children.length > 0) throw domainError('InvalidInput', `An error occurred while processing this request. The property "${name}" holds XML elements (<${node.children[0]?.name}>); a property's value is text.`);
    if (attribute(node, 'null') === 'true') {
      record[name] = null;
      continue;
    }
    const type = attribute(node, 'type') ?? 'Edm.String';
    // Only strings keep their whitespace; xsd values around a number, Boolean or date may have some, and
    // base64Binary may have it anywhere.
    let value = type === 'Edm.String' ? node.text : type === 'Edm.Binary' ? node.text.replace(/\s+/g, '') : node.text.trim();
    if (type === 'Edm.Boolean') value = value === '1' ? 'true' : value === '0' ? 'false' : value;
    else if (type === 'Edm.Double') value = value === 'INF' ? 'Infinity' : value === '-INF' ? '-Infinity' : value;
    record[name] = value;
    record[`${name}@odata.type`] = type;
  }
  return record;
}

/** Parses an entity body in either format (Atom by Content-Type or a leading `<`, else JSON). */
export function parseEntityBody(body: string | Buffer, contentType: string | string[] | undefined): EntityInput {
  if (!isAtomBody(contentType, body)) return parseEntity(body);
  return parseEntity(atomEntityRecord(body.toString()));
}

/** The table name of a Create Table Atom entry (`<d:TableName>`). */
export function atomTableName(body: string): string {
  const node = propertiesOf(body, 'The Create Table body').children.find((c) => local(c.name) === 'TableName');
  if (!node) throw domainError('InvalidInput', 'The request body must give the table name: <d:TableName>…</d:TableName> in <m:properties>.');
  return node.text;
}

function keyAddress(table: string, pk: string, rk: string): string {
  const q = (s: string) => encodeURIComponent(s.replace(/'/g, "''"));
  return `${table}(PartitionKey='${q(pk)}',RowKey='${q(rk)}')`;
}

function doubleXml(value: number | string): string {
  if (value === 'Infinity' || value === Infinity) return 'INF';
  if (value === '-Infinity' || value === -Infinity) return '-INF';
  return String(value);
}

/** `<d:Name m:type="…">text</d:Name>`; strings carry no m:type, as Azure writes them. */
function propertyXml(name: string, type: string, text: string): string {
  const typeAttr = type === 'Edm.String' ? '' : ` m:type="${type}"`;
  return text === '' ? `<d:${name}${typeAttr} />` : `<d:${name}${typeAttr}>${escapeXml(text)}</d:${name}>`;
}

function propertiesXml(row: EntityRow, select: readonly string[] | undefined): string {
  const props = JSON.parse(row.props) as Record<string, unknown>;
  // Whole Doubles are stored as `2.0`, which JSON.parse turns into 2 (an Int32 to the eye): look them up.
  const doubles = /\d\.0(?!\d)/.test(row.props) ? (doublesPerEntity(row.props)[0] ?? new Set<string>()) : new Set<string>();
  const system = new Map([['PartitionKey', row.pk], ['RowKey', row.rk], ['Timestamp', row.ts]]);
  // A name $select repeats is written once, as in JSON (an XML reader would make a repeated element an array).
  const names = select ? [...new Set(select)] : ['PartitionKey', 'RowKey', 'Timestamp', ...Object.keys(props).filter((k) => !k.includes('@'))];
  let out = '';
  for (const name of names) {
    if (!PROPERTY_NAME.test(name)) throw domainError('InvalidInput', `An error occurred while processing this request. $select names a property "${name}" that is not a valid property name.`);
    const own = system.get(name);
    if (own !== undefined) {
      out += propertyXml(name, name === 'Timestamp' ? 'Edm.DateTime' : 'Edm.String', own);
      continue;
    }
    const value = Object.hasOwn(props, name) ? props[name] : undefined;
    if (value === undefined || value === null) {
      out += `<d:${name} m:null="true" />`;
      continue;
    }
    const annotated = Object.hasOwn(props, `${name}@odata.type`) ? props[`${name}@odata.type`] : undefined;
    if (typeof annotated === 'string') out += propertyXml(name, annotated, annotated === 'Edm.Double' ? doubleXml(value as string) : String(value));
    else if (typeof value === 'boolean') out += propertyXml(name, 'Edm.Boolean', String(value));
    else if (typeof value === 'number') out += propertyXml(name, isInt32(value) && !doubles.has(name) ? 'Edm.Int32' : 'Edm.Double', doubleXml(value));
    else out += propertyXml(name, 'Edm.String', String(value));
  }
  return out;
}

function entryXml(row: EntityRow, ctx: AtomContext, standalone: boolean): string {
  const address = keyAddress(ctx.table, row.pk, row.rk);
  const open = standalone ? `<entry xml:base="${escapeXml(ctx.base)}/" ${NAMESPACES} m:etag="${escapeXml(etagOf(row.ts))}">` : `<entry m:etag="${escapeXml(etagOf(row.ts))}">`;
  return (
    `${open}<id>${escapeXml(`${ctx.base}/${address}`)}</id><title type="text" /><updated>${new Date().toISOString()}</updated><author><name /></author>` +
    `<link rel="edit" title="${escapeXml(ctx.table)}" href="${escapeXml(address)}" /><category term="${escapeXml(`${ctx.account}.${ctx.table}`)}" scheme="${SCHEME}" />` +
    `<content type="application/xml"><m:properties>${propertiesXml(row, ctx.select)}</m:properties></content></entry>`
  );
}

function feedXml(ctx: Omit<AtomContext, 'table'>, title: string, entries: string): string {
  const t = escapeXml(title);
  return `${DECL}<feed xml:base="${escapeXml(ctx.base)}/" ${NAMESPACES}><title type="text">${t}</title><id>${escapeXml(`${ctx.base}/${title}`)}</id><updated>${new Date().toISOString()}</updated><link rel="self" title="${t}" href="${t}" />${entries}</feed>`;
}

/** A single entity (point query, insert). */
export function atomEntity(row: EntityRow, ctx: AtomContext): string {
  return DECL + entryXml(row, ctx, true);
}

/** A page of a query. */
export function atomEntityFeed(rows: readonly EntityRow[], ctx: AtomContext): string {
  return feedXml(ctx, ctx.table, rows.map((row) => entryXml(row, ctx, false)).join(''));
}

function tableEntryXml(name: string, ctx: Omit<AtomContext, 'table'>, standalone: boolean): string {
  const address = `Tables('${name.replace(/'/g, "''")}')`;
  const open = standalone ? `<entry xml:base="${escapeXml(ctx.base)}/" ${NAMESPACES}>` : '<entry>';
  return (
    `${open}<id>${escapeXml(`${ctx.base}/${address}`)}</id><title type="text" /><updated>${new Date().toISOString()}</updated><author><name /></author>` +
    `<link rel="edit" title="Tables" href="${escapeXml(address)}" /><category term="${escapeXml(`${ctx.account}.Tables`)}" scheme="${SCHEME}" />` +
    `<content type="application/xml"><m:properties><d:TableName>${escapeXml(name)}</d:TableName></m:properties></content></entry>`
  );
}

/** One table (Create Table, GET /Tables('name')). */
export function atomTable(name: string, ctx: Omit<AtomContext, 'table'>): string {
  return DECL + tableEntryXml(name, ctx, true);
}

/** A page of Query Tables. */
export function atomTableFeed(names: readonly string[], ctx: Omit<AtomContext, 'table'>): string {
  return feedXml(ctx, 'Tables', names.map((name) => tableEntryXml(name, ctx, false)).join(''));
}
