// Entities and table lists as JSON, at the three OData metadata levels the Accept header (or $format) asks for,
// or as Atom for clients that ask for it (atom.ts). minimalmetadata (the SDKs' default) is built by splicing
// stored JSON text — no parse/serialize per row; nometadata, fullmetadata and $select re-shape the properties.
// https://learn.microsoft.com/rest/api/storageservices/payload-format-for-table-service-operations
import type { IncomingHttpHeaders } from 'node:http';
import { doublesPerEntity } from '../../shared/json-doubles.js';
import { ATOM_CONTENT_TYPE, atomEntity, atomEntityFeed, atomTable, atomTableFeed, wantsAtom } from './atom.js';
import { etagOf } from './clock.js';
import { doubleText } from './edm-values.js';
import type { EntityRow } from './table-store.js';

/** The JSON metadata levels, or 'atom' (AtomPub XML). */
export type MetadataLevel = 'none' | 'minimal' | 'full' | 'atom';

export function metadataLevel(headers: IncomingHttpHeaders, query: URLSearchParams): MetadataLevel {
  if (wantsAtom(headers, query)) return 'atom';
  const wanted = `${query.get('$format') ?? ''} ${headers.accept ?? ''}`;
  if (wanted.includes('nometadata')) return 'none';
  if (wanted.includes('fullmetadata')) return 'full';
  return 'minimal';
}

export function contentType(level: MetadataLevel): string {
  if (level === 'atom') return ATOM_CONTENT_TYPE;
  return `application/json;odata=${level === 'none' ? 'nometadata' : level === 'full' ? 'fullmetadata' : 'minimalmetadata'};streaming=true;charset=utf-8`;
}

export interface FormatContext {
  readonly level: MetadataLevel;
  /** http://host[:port]/account (path style) or http://account.table.localhost:port. */
  readonly base: string;
  readonly account: string;
  readonly table: string;
  readonly select?: readonly string[];
}

function reshape(row: EntityRow, ctx: FormatContext): string {
  const props = JSON.parse(row.props) as Record<string, unknown>;
  // Whole Doubles are stored as `2.0`; JSON.parse made them 2, and they must go out as 2.0 again.
  // (Stored Doubles are in doubleText form, so only whole ones, `n.0`, lose anything; most rows have none.)
  const doubles = /\d\.0(?!\d)/.test(row.props) ? (doublesPerEntity(row.props)[0] ?? new Set<string>()) : undefined;
  const out: Record<string, unknown> = {};
  if (ctx.level !== 'none') out['odata.etag'] = etagOf(row.ts);
  if (ctx.level === 'full') {
    const id = `${ctx.base}/${ctx.table}(PartitionKey='${encodeURIComponent(row.pk.replace(/'/g, "''"))}',RowKey='${encodeURIComponent(row.rk.replace(/'/g, "''"))}')`;
    out['odata.type'] = `${ctx.account}.${ctx.table}`;
    out['odata.id'] = id;
    out['odata.editLink'] = id.slice(ctx.base.length + 1);
  }
  const all: Record<string, unknown> = { PartitionKey: row.pk, RowKey: row.rk, Timestamp: row.ts, ...props };
  if (ctx.level === 'full') all['Timestamp@odata.type'] = 'Edm.DateTime';
  const names = ctx.select ?? Object.keys(all).filter((k) => !k.includes('@'));
  for (const name of names) {
    if (ctx.level !== 'none' && Object.hasOwn(all, `${name}@odata.type`)) out[`${name}@odata.type`] = all[`${name}@odata.type`];
    out[name] = Object.hasOwn(all, name) ? all[name] : null;
  }
  if (doubles === undefined || doubles.size === 0) return JSON.stringify(out);
  return `{${Object.entries(out).map(([k, v]) => `${JSON.stringify(k)}:${doubles.has(k) && typeof v === 'number' ? doubleText(v) : JSON.stringify(v)}`).join(',')}}`;
}

/** One entity's JSON (an element of `value`, or a point-query body without odata.metadata). */
export function entityJson(row: EntityRow, ctx: FormatContext): string {
  if (ctx.level !== 'minimal' || ctx.select) return reshape(row, ctx);
  const head = `{"odata.etag":${JSON.stringify(etagOf(row.ts))},"PartitionKey":${JSON.stringify(row.pk)},"RowKey":${JSON.stringify(row.rk)},"Timestamp":"${row.ts}"`;
  return row.props.length > 2 ? `${head},${row.props.slice(1)}` : `${head}}`;
}

export function metadataUrl(ctx: FormatContext, suffix: string): string {
  return `${ctx.base}/$metadata#${suffix}`;
}

/** A single entity response body (insert with return-content, point query). */
export function singleEntityBody(row: EntityRow, ctx: FormatContext): string {
  if (ctx.level === 'atom') return atomEntity(row, ctx);
  const json = entityJson(row, ctx);
  if (ctx.level === 'none') return json;
  return `{"odata.metadata":${JSON.stringify(metadataUrl(ctx, `${ctx.table}/@Element`))},${json.slice(1)}`;
}

export function entityListBody(rows: readonly EntityRow[], ctx: FormatContext): string {
  if (ctx.level === 'atom') return atomEntityFeed(rows, ctx);
  const items = rows.map((r) => entityJson(r, ctx)).join(',');
  if (ctx.level === 'none') return `{"value":[${items}]}`;
  return `{"odata.metadata":${JSON.stringify(metadataUrl(ctx, ctx.table))},"value":[${items}]}`;
}

const LIST_END = Buffer.from(']}');
const NO_METADATA_START = Buffer.from('{"value":[');

/** A query response from rows that are already wire JSON (UTF-8): only the envelope is built here. */
export function entityListWire(elements: Buffer, ctx: FormatContext): Buffer {
  const start = ctx.level === 'none' ? NO_METADATA_START : Buffer.from(`{"odata.metadata":${JSON.stringify(metadataUrl(ctx, ctx.table))},"value":[`);
  return Buffer.concat([start, elements, LIST_END]);
}

/**
 * Whether a query's rows can come from SQLite as finished wire JSON (queryWire): minimalmetadata (the SDKs'
 * default) without $select, whose element is the stored JSON as it is. nometadata drops the type annotations
 * and fullmetadata adds per-row links, so those (and $select) go through reshape.
 */
export function wireShape(ctx: FormatContext): 'wire-minimal' | undefined {
  return ctx.level === 'minimal' && !ctx.select ? 'wire-minimal' : undefined;
}

function tableItem(name: string, ctx: Omit<FormatContext, 'table'>): Record<string, string> {
  if (ctx.level !== 'full') return { TableName: name };
  return {
    'odata.type': `${ctx.account}.Tables`,
    'odata.id': `${ctx.base}/Tables('${name}')`,
    'odata.editLink': `Tables('${name}')`,
    TableName: name,
  };
}

export function tableBody(name: string, ctx: Omit<FormatContext, 'table'>): string {
  if (ctx.level === 'atom') return atomTable(name, ctx);
  const item = tableItem(name, ctx);
  return JSON.stringify(ctx.level === 'none' ? item : { 'odata.metadata': `${ctx.base}/$metadata#Tables/@Element`, ...item });
}

export function tableListBody(names: readonly string[], ctx: Omit<FormatContext, 'table'>): string {
  if (ctx.level === 'atom') return atomTableFeed(names, ctx);
  const value = names.map((n) => tableItem(n, ctx));
  return JSON.stringify(ctx.level === 'none' ? { value } : { 'odata.metadata': `${ctx.base}/$metadata#Tables`, value });
}
