// Operations on the Table service and on tables (not entities):
//   GET/PUT /?restype=service&comp=properties     service properties;  GET ?restype=service&comp=stats
//   GET /Tables   ($filter on TableName, $top, NextTableName)     POST /Tables {"TableName": "…"}
//   GET|DELETE /Tables('name')                    GET|PUT /name?comp=acl
// https://learn.microsoft.com/rest/api/storageservices/operations-on-tables
import { aclXml, parseAcl } from '../storage/acl.js';
import { domainError } from '../storage/domain-error.js';
import type { StorageRequest, StorageResponse } from '../storage/storage-server.js';
import { serviceStatsXml, mergeServiceProperties } from '../storage/service-properties.js';
import { atomTableName, isAtomBody } from './atom.js';
import { decodeToken, encodeToken } from './continuation.js';
import { parseFilter } from './odata/parser.js';
import { MAX_PAGE } from './table-engine.js';
import type { TableEnv } from './entity-ops.js';
import { contentType, metadataLevel, tableBody, tableListBody } from './table-format.js';

const XML = { 'Content-Type': 'application/xml' };
export const TABLE_PERMISSIONS = 'raud';

export function serviceOp(env: TableEnv, req: StorageRequest): StorageResponse {
  const comp = req.query.get('comp');
  if (comp === 'stats' && req.method === 'GET') return { status: 200, headers: XML, body: serviceStatsXml() };
  if (comp === 'properties' && req.method === 'GET') return { status: 200, headers: XML, body: env.engine.serviceProperties(env.account) };
  if (comp === 'properties' && req.method === 'PUT') {
    env.engine.setServiceProperties(env.account, mergeServiceProperties(env.engine.serviceProperties(env.account), req.body.toString()));
    return { status: 202, body: '' };
  }
  throw domainError('InvalidQueryParameterValue', `Unsupported service request: ${req.method} ?${req.query.toString()}.`);
}

export function listTablesOp(env: TableEnv, req: StorageRequest): StorageResponse {
  const level = metadataLevel(req.headers, req.query);
  const filter = req.query.get('$filter');
  const topText = req.query.get('$top');
  const top = topText === null ? MAX_PAGE : Number(topText);
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE) throw domainError('InvalidInput', `$top must be an integer from 1 to ${MAX_PAGE}, got "${topText}".`);
  const next = req.query.get('NextTableName');
  const page = env.engine.listTables(env.account, filter ? parseFilter(filter) : undefined, top, next ? decodeToken(next, 'NextTableName') : undefined);
  const headers: Record<string, string> = { 'Content-Type': contentType(level) };
  if (page.next !== undefined) headers['x-ms-continuation-NextTableName'] = encodeToken(page.next);
  return { status: 200, headers, body: tableListBody(page.names, { level, base: env.base, account: env.account }) };
}

export function createTableOp(env: TableEnv, req: StorageRequest): StorageResponse {
  let name: unknown;
  if (isAtomBody(req.headers['content-type'], req.body)) name = atomTableName(req.body.toString());
  else {
    try {
      name = (JSON.parse(req.body.toString() || '{}') as { TableName?: unknown }).TableName;
    } catch {
      throw domainError('InvalidInput', 'The request body is not valid JSON; expected {"TableName": "…"} (or an Atom entry with <d:TableName>).');
    }
  }
  if (typeof name !== 'string') throw domainError('InvalidInput', 'The request body must give the table name: {"TableName": "…"}.');
  env.engine.createTable(env.account, name);
  const level = metadataLevel(req.headers, req.query);
  const location = `${env.base}/Tables('${name}')`;
  if (String(req.headers.prefer ?? '').includes('return-no-content')) {
    return { status: 204, headers: { Location: location, DataServiceId: location, 'Preference-Applied': 'return-no-content' }, body: '' };
  }
  return { status: 201, headers: { Location: location, 'Content-Type': contentType(level), 'Preference-Applied': 'return-content' }, body: tableBody(name, { level, base: env.base, account: env.account }) };
}

export function tableByNameOp(env: TableEnv, req: StorageRequest, name: string): StorageResponse {
  if (req.method === 'DELETE') {
    env.engine.deleteTable(env.account, name);
    return { status: 204, body: '' };
  }
  const level = metadataLevel(req.headers, req.query);
  const table = env.engine.table(env.account, name);
  return { status: 200, headers: { 'Content-Type': contentType(level) }, body: tableBody(table.name, { level, base: env.base, account: env.account }) };
}

export function aclOp(env: TableEnv, req: StorageRequest, table: string): StorageResponse {
  if (req.method === 'GET' || req.method === 'HEAD') return { status: 200, headers: XML, body: aclXml(env.engine.getAcl(env.account, table)) };
  env.engine.setAcl(env.account, table, parseAcl(req.body.toString(), TABLE_PERMISSIONS));
  return { status: 204, body: '' };
}
