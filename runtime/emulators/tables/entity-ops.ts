// Entity operations as the Table REST API defines them, shared by single requests and $batch parts:
//   POST /t                 Insert Entity (Prefer: return-content | return-no-content)
//   PUT /t(PK,RK)           Update Entity with If-Match; Insert Or Replace without
//   MERGE /t(PK,RK)         Merge Entity with If-Match; Insert Or Merge without
//   DELETE /t(PK,RK)        Delete Entity (If-Match required, * allowed)
//   GET /t(PK,RK)           point query;  GET /t() or /t  Query Entities ($filter $select $top, continuation)
// https://learn.microsoft.com/rest/api/storageservices/operations-on-entities
import { domainError } from '../storage/domain-error.js';
import { inKeyRange } from '../storage/sas.js';
import type { AccessNeed, KeyRange } from '../storage/sas.js';
import { etagOf } from './clock.js';
import { decodeToken, encodeToken } from './continuation.js';
import { parseEntityBody } from './atom.js';
import type { EntityInput } from './entity-input.js';
import { withKeyRange } from './key-range-filter.js';
import { checkKey } from './keys.js';
import { parseFilter } from './odata/parser.js';
import { MAX_PAGE } from './table-engine.js';
import type { TableEngine, WriteMode } from './table-engine.js';
import { contentType, entityListBody, entityListWire, metadataLevel, singleEntityBody, wireShape } from './table-format.js';
import type { FormatContext } from './table-format.js';

export interface EntityOp {
  readonly method: string;
  readonly table: string;
  readonly keys?: { readonly pk: string; readonly rk: string };
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly query: URLSearchParams;
  readonly body: string | Buffer;
  /** The body already parsed (a batch parses each part once to check partitions). */
  readonly entity?: EntityInput;
}

export interface OpResult {
  status: number;
  headers: Record<string, string>;
  /** A Buffer only for query pages built from wire JSON (queryWire). */
  body: string | Buffer;
}

export interface TableEnv {
  readonly engine: TableEngine;
  readonly account: string;
  /** http://host/account or http://account.table.localhost:port — the base of OData links. */
  readonly base: string;
}

function h(op: EntityOp, name: string): string | undefined {
  const v = op.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** What a SAS must allow for this operation. */
export function entityNeed(op: EntityOp): AccessNeed {
  const base = { resourceType: 'o' as const, resource: op.table };
  switch (op.method) {
    case 'GET':
      return { ...base, accountPermissions: 'r', servicePermissions: 'r' };
    case 'POST':
      return { ...base, accountPermissions: 'a', servicePermissions: 'a' };
    case 'DELETE':
      return { ...base, accountPermissions: 'd', servicePermissions: 'd' };
    default:
      return h(op, 'if-match') === undefined ? { ...base, accountPermissions: 'u', servicePermissions: 'au' } : { ...base, accountPermissions: 'u', servicePermissions: 'u' };
  }
}

function location(env: TableEnv, table: string, pk: string, rk: string): string {
  const q = (s: string) => encodeURIComponent(s.replace(/'/g, "''"));
  return `${env.base}/${table}(PartitionKey='${q(pk)}',RowKey='${q(rk)}')`;
}

/** `$top`: absent or empty is a full page; 0 is an empty answer (Azure Storage Explorer sends `$top=0`). */
function parseTop(value: string | null): number {
  if (value === null || value === '') return MAX_PAGE;
  const top = Number(value);
  if (!/^\d+$/.test(value) || top > MAX_PAGE) throw domainError('InvalidInput', `$top must be an integer from 0 to ${MAX_PAGE}, got "${value}".`);
  return top;
}

function formatContext(env: TableEnv, op: EntityOp, table: string): FormatContext {
  const select = op.query.get('$select');
  const names = select ? select.split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== '*') : [];
  return { level: metadataLevel(op.headers, op.query), base: env.base, account: env.account, table, ...(names.length > 0 ? { select: names } : {}) };
}

function query(env: TableEnv, op: EntityOp, range: KeyRange | undefined): OpResult {
  const table = env.engine.table(env.account, op.table).name;
  const ctx = formatContext(env, op, table);
  const filterText = op.query.get('$filter');
  const filter = withKeyRange(filterText ? parseFilter(filterText) : undefined, range);
  const npk = op.query.get('NextPartitionKey');
  const nrk = op.query.get('NextRowKey');
  const from = npk ? { pk: decodeToken(npk, 'NextPartitionKey'), ...(nrk ? { rk: decodeToken(nrk, 'NextRowKey') } : {}) } : undefined;
  const top = parseTop(op.query.get('$top'));
  if (top === 0) return { status: 200, headers: { 'Content-Type': contentType(ctx.level) }, body: entityListBody([], ctx) };
  const shape = wireShape(ctx);
  const page = shape ? env.engine.queryWire(env.account, op.table, filter, top, from, shape) : env.engine.queryEntities(env.account, op.table, filter, top, from);
  const headers: Record<string, string> = { 'Content-Type': contentType(ctx.level) };
  if (page.next) {
    headers['x-ms-continuation-NextPartitionKey'] = encodeToken(page.next.pk);
    headers['x-ms-continuation-NextRowKey'] = encodeToken(page.next.rk);
  }
  return { status: 200, headers, body: 'elements' in page ? entityListWire(page.elements, ctx) : entityListBody(page.rows, ctx) };
}

function pointGet(env: TableEnv, op: EntityOp, pk: string, rk: string): OpResult {
  const row = env.engine.getEntity(env.account, op.table, pk, rk);
  const ctx = formatContext(env, op, env.engine.table(env.account, op.table).name);
  return { status: 200, headers: { 'Content-Type': contentType(ctx.level), ETag: etagOf(row.ts) }, body: singleEntityBody(row, ctx) };
}

function insert(env: TableEnv, op: EntityOp, range: KeyRange | undefined): OpResult {
  const entity = op.entity ?? parseEntityBody(op.body, op.headers['content-type']);
  if (entity.pk === undefined || entity.rk === undefined) throw domainError('PropertiesNeedValue', 'The values are not specified for all properties in the entity: PartitionKey and RowKey are required.');
  checkRange(range, entity.pk, entity.rk);
  const ts = env.engine.write(env.account, op.table, 'insert', entity.pk, entity.rk, entity);
  const table = env.engine.table(env.account, op.table).name;
  const headers: Record<string, string> = { ETag: etagOf(ts), Location: location(env, table, entity.pk, entity.rk), DataServiceId: location(env, table, entity.pk, entity.rk) };
  if ((h(op, 'prefer') ?? '').includes('return-no-content')) {
    return { status: 204, headers: { ...headers, 'Preference-Applied': 'return-no-content' }, body: '' };
  }
  // The row as just stored (props is the normalized text the store was given): no read-back.
  const row = { pk: entity.pk, rk: entity.rk, ts, props: entity.props };
  const ctx = formatContext(env, op, table);
  return { status: 201, headers: { ...headers, 'Content-Type': contentType(ctx.level), 'Preference-Applied': 'return-content' }, body: singleEntityBody(row, ctx) };
}

function checkRange(range: KeyRange | undefined, pk: string, rk: string): void {
  if (range && !inKeyRange(range, pk, rk)) throw domainError('AuthorizationFailure', 'This request is not authorized to perform this operation: the entity is outside the SAS key range.');
}

function update(env: TableEnv, op: EntityOp, pk: string, rk: string): OpResult {
  checkKey('PartitionKey', pk);
  checkKey('RowKey', rk);
  const entity = op.entity ?? parseEntityBody(op.body, op.headers['content-type']);
  if ((entity.pk !== undefined && entity.pk !== pk) || (entity.rk !== undefined && entity.rk !== rk)) {
    throw domainError('InvalidInput', 'The PartitionKey and RowKey in the body differ from those in the URL.');
  }
  const ifMatch = checkIfMatch(h(op, 'if-match'));
  const merge = op.method === 'MERGE';
  const mode: WriteMode = ifMatch === undefined ? (merge ? 'upsert-merge' : 'upsert-replace') : merge ? 'merge' : 'replace';
  const ts = env.engine.write(env.account, op.table, mode, pk, rk, entity, ifMatch);
  return { status: 204, headers: { ETag: etagOf(ts) }, body: '' };
}

/**
 * If-Match must be `*` or a weak ETag (`W/"…"`), as the Table service's ETags all are: anything else (a strong
 * ETag, a bare value, an empty header) is a malformed request (400), not a failed precondition (412).
 */
function checkIfMatch(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '*' || /^[wW]\/"(?:[^"\\]|\\.)*"$/.test(value.trim())) return value;
  throw domainError('InvalidInput', `An error occurred while processing this request. If-Match must be * or a weak ETag such as W/"datetime'…'" (got ${JSON.stringify(value).slice(0, 80)}).`);
}

export function runEntityOp(env: TableEnv, op: EntityOp, range?: KeyRange): OpResult {
  const keys = op.keys;
  if (op.method === 'GET') return keys ? (checkRange(range, keys.pk, keys.rk), pointGet(env, op, keys.pk, keys.rk)) : query(env, op, range);
  if (op.method === 'POST' && !keys) return insert(env, op, range);
  if (!keys) throw domainError('MethodNotAllowed', `${op.method} needs an entity address: /${op.table}(PartitionKey='…',RowKey='…').`);
  checkRange(range, keys.pk, keys.rk);
  if (op.method === 'PUT' || op.method === 'MERGE') return update(env, op, keys.pk, keys.rk);
  if (op.method === 'DELETE') {
    const ifMatch = checkIfMatch(h(op, 'if-match'));
    if (ifMatch === undefined) throw domainError('MissingRequiredHeader', 'An HTTP header that is mandatory for this request is not specified: If-Match.');
    env.engine.deleteEntity(env.account, op.table, keys.pk, keys.rk, ifMatch);
    return { status: 204, headers: {}, body: '' };
  }
  throw domainError('MethodNotAllowed', `The HTTP method ${op.method} is not allowed on an entity.`);
}
