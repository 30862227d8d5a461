// An entity as a client sends it (JSON, any metadata level) → the validated, normalized form the store keeps,
// enforcing Azure's limits — including the ones Azurite does not check (252 properties, property-name rules,
// 1 MiB on insert). https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model
import { domainError } from '../storage/domain-error.js';
import { doubleText, isBase64, isGuid, isInt32, normalizeDateTime, normalizeInt64 } from './edm-values.js';
import { checkKey } from './keys.js';

export const MAX_PROPERTIES = 252;
export const MAX_ENTITY_BYTES = 1024 * 1024;
const MAX_VALUE_BYTES = 64 * 1024;
const MAX_NAME_LENGTH = 255;
const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const SYSTEM = new Set(['PartitionKey', 'RowKey', 'Timestamp']);

export interface EntityInput {
  readonly pk: string | undefined;
  readonly rk: string | undefined;
  /** JSON object text of the custom properties in minimal-metadata form (annotations for non-JSON types). */
  readonly props: string;
  /** For merges: the names being set, so a stale `name@odata.type` can be dropped. */
  readonly names: readonly string[];
  readonly count: number;
}

function fail(code: string, message: string): never {
  throw domainError(code, message);
}

/** Azure's size rule: 4 bytes + keys in UTF-16 + per property 8 bytes + name in UTF-16 + value size. */
function valueSize(type: string, value: unknown): number {
  switch (type) {
    case 'Edm.String':
      return (value as string).length * 2 + 4;
    case 'Edm.Binary':
      return Buffer.byteLength(value as string, 'base64') + 4;
    case 'Edm.Boolean':
      return 1;
    case 'Edm.Int32':
      return 4;
    case 'Edm.Guid':
      return 16;
    default:
      return 8;
  }
}

/** Validates one property and returns its JSON text (`"n":5` or `"n@odata.type":"Edm.Int64","n":"5"`). */
function encodeProperty(name: string, raw: unknown, declared: unknown): { text: string; size: number } {
  if (name.length > MAX_NAME_LENGTH) fail('PropertyNameTooLong', `The property name exceeds the maximum allowed length (${MAX_NAME_LENGTH}): ${name.slice(0, 40)}…`);
  if (!NAME.test(name)) fail('PropertyNameInvalid', `The property name "${name}" is invalid: property names must be C# identifiers (a letter or _ followed by letters, digits or _).`);
  const key = JSON.stringify(name);
  const typed = (type: string, value: string) => ({ text: `${JSON.stringify(`${name}@odata.type`)}:"${type}",${key}:${JSON.stringify(value)}`, size: valueSize(type, value) });
  // Azure's message for a value its OData reader rejects is the generic first sentence (clients match on it); the
  // rest says which property and why.
  const bad = (type: string): never => fail('InvalidInput', `An error occurred while processing this request. The value of property "${name}" is not a valid ${type}: ${JSON.stringify(raw)?.slice(0, 80)}.`);
  const type = declared === undefined ? inferType(raw) : String(declared);
  switch (type) {
    case 'Edm.String': {
      if (typeof raw !== 'string') return bad(type);
      if (raw.length * 2 > MAX_VALUE_BYTES) fail('PropertyValueTooLarge', `The property value of "${name}" exceeds the maximum allowed size (64KB). Strings are UTF-16, so at most 32K characters.`);
      return { text: `${key}:${JSON.stringify(raw)}`, size: valueSize(type, raw) };
    }
    case 'Edm.Int32': {
      // SDKs send typed values as strings ({ value: '42', type: 'Int32' } in @azure/data-tables).
      const value = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
      if (typeof value !== 'number' || !isInt32(value)) return bad(type);
      return { text: `${key}:${value}`, size: 4 };
    }
    case 'Edm.Double': {
      const special = typeof raw === 'string' && ['NaN', 'Infinity', '-Infinity'].includes(raw);
      const numeric = typeof raw === 'string' && !special && raw.trim() !== '' && Number.isFinite(Number(raw));
      const value = special ? raw : numeric ? Number(raw) : typeof raw === 'string' ? bad(type) : raw;
      if (typeof value === 'string') return typed(type, value);
      if (typeof value !== 'number') return bad(type);
      return { text: `${key}:${doubleText(value)}`, size: 8 };
    }
    case 'Edm.Boolean': {
      // Annotated booleans may come as text ("true"/"false"), as @azure/data-tables sends { value: 'false', type: 'Boolean' }.
      const value = declared !== undefined && (raw === 'true' || raw === 'false') ? raw === 'true' : raw;
      if (typeof value !== 'boolean') return bad(type);
      return { text: `${key}:${value}`, size: 1 };
    }
    case 'Edm.Int64': {
      const value = normalizeInt64(typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : String(raw));
      return value === undefined ? bad(type) : typed(type, value);
    }
    case 'Edm.DateTime': {
      const value = typeof raw === 'string' ? normalizeDateTime(raw) : undefined;
      return value === undefined ? bad(type) : typed(type, value);
    }
    case 'Edm.Guid':
      return typeof raw === 'string' && isGuid(raw) ? typed(type, raw) : bad(type);
    case 'Edm.Binary': {
      if (typeof raw !== 'string' || !isBase64(raw)) return bad(type);
      if (Buffer.byteLength(raw, 'base64') > MAX_VALUE_BYTES) fail('PropertyValueTooLarge', `The property value of "${name}" exceeds the maximum allowed size (64KB).`);
      return typed(type, raw);
    }
    default:
      return fail('InvalidInput', `The type "${type}" of property "${name}" is not an EDM type the Table service supports.`);
  }
}

function inferType(raw: unknown): string {
  if (typeof raw === 'string') return 'Edm.String';
  if (typeof raw === 'boolean') return 'Edm.Boolean';
  if (typeof raw === 'number') return isInt32(raw) ? 'Edm.Int32' : 'Edm.Double';
  return 'unsupported';
}

/** Parses a request body into an entity; `keysFromUrl` are used (and must agree) for PUT/MERGE/DELETE. */
export function parseEntity(body: Buffer | string | Record<string, unknown>): EntityInput {
  let json: unknown;
  if (typeof body === 'object' && !Buffer.isBuffer(body)) json = body;
  else {
    try {
      json = JSON.parse(body.toString() || '{}');
    } catch (error) {
      fail('InvalidInput', `The request body is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('InvalidInput', 'The request body must be a JSON object (the entity).');
  const record = json as Record<string, unknown>;
  const parts: string[] = [];
  const names: string[] = [];
  let size = 4;
  for (const [name, raw] of Object.entries(record)) {
    if (name.includes('@') || name.startsWith('odata.') || SYSTEM.has(name) || raw === null) continue;
    const encoded = encodeProperty(name, raw, record[`${name}@odata.type`]);
    parts.push(encoded.text);
    names.push(name);
    size += 8 + name.length * 2 + encoded.size;
  }
  if (names.length > MAX_PROPERTIES) fail('TooManyProperties', `The entity contains more properties than allowed: ${names.length} custom properties, at most ${MAX_PROPERTIES} (255 with PartitionKey, RowKey and Timestamp).`);
  const pk = keyOf(record, 'PartitionKey');
  const rk = keyOf(record, 'RowKey');
  size += ((pk ?? '').length + (rk ?? '').length) * 2;
  if (size > MAX_ENTITY_BYTES) fail('EntityTooLarge', `The entity is larger than the maximum allowed size (1MB): about ${size} bytes.`);
  return { pk, rk, props: `{${parts.join(',')}}`, names, count: names.length };
}

function keyOf(record: Record<string, unknown>, name: 'PartitionKey' | 'RowKey'): string | undefined {
  const value = record[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail('InvalidInput', `${name} must be a string (Edm.String), got ${typeof value}.`);
  checkKey(name, value);
  return value;
}
