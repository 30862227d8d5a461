// The Storage explorer's plain helpers: the filter builder's rows as an OData $filter, and entities as the JSON
// a person edits (OData's own shape: `"n@odata.type": "Edm.Int64"` beside each typed value), and back.
import type { EdmType, StorageEntity, TypedValue } from '../../lib/protocol';

export const EDM_TYPES: readonly EdmType[] = ['String', 'Int32', 'Int64', 'Double', 'Boolean', 'DateTime', 'Guid', 'Binary'];
export const OPERATORS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface FilterRow {
  /** How this row joins the one before it (ignored on the first). */
  join: 'and' | 'or';
  property: string;
  operator: Operator;
  type: EdmType;
  value: string;
}

/** One literal in OData's syntax for its type. */
export function literal(type: EdmType, value: string): string {
  switch (type) {
    case 'String':
      return `'${value.replace(/'/g, "''")}'`;
    case 'Int32':
    case 'Double':
      return value.trim();
    case 'Int64':
      return `${value.trim()}L`;
    case 'Boolean':
      return value.trim().toLowerCase() === 'true' ? 'true' : 'false';
    case 'DateTime':
      return `datetime'${value.trim()}'`;
    case 'Guid':
      return `guid'${value.trim()}'`;
    case 'Binary':
      return `X'${value.trim()}'`;
  }
}

/** The rows as a $filter: AND binds tighter than OR, as in OData, so rows read as written. */
export function buildFilter(rows: readonly FilterRow[]): string {
  return rows
    .filter((r) => r.property.trim() !== '')
    .map((r, i) => `${i === 0 ? '' : ` ${r.join} `}${r.property.trim()} ${r.operator} ${literal(r.type, r.value)}`)
    .join('');
}

const SYSTEM = new Set(['PartitionKey', 'RowKey', 'Timestamp']);

/** An entity as editable JSON; String, Int32 and Boolean need no annotation, as on the wire. */
export function entityToJson(e: Pick<StorageEntity, 'partitionKey' | 'rowKey' | 'properties'>): string {
  const out: Record<string, unknown> = { PartitionKey: e.partitionKey, RowKey: e.rowKey };
  for (const [name, p] of Object.entries(e.properties)) {
    if (p.type === 'String') out[name] = p.value;
    else if (p.type === 'Int32') out[name] = Number(p.value);
    else if (p.type === 'Boolean') out[name] = p.value === 'true';
    else {
      out[`${name}@odata.type`] = `Edm.${p.type}`;
      out[name] = p.type === 'Double' && Number.isFinite(Number(p.value)) ? Number(p.value) : p.value;
    }
  }
  return JSON.stringify(out, null, 2);
}

/** Reads the editor's JSON back, or says what is wrong with it. */
export function jsonToEntity(text: string): { entity: Pick<StorageEntity, 'partitionKey' | 'rowKey' | 'properties'> } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { error: `Not JSON: ${(err as Error).message}` };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { error: 'Expected a JSON object.' };
  const obj = raw as Record<string, unknown>;
  if (typeof obj.PartitionKey !== 'string' || typeof obj.RowKey !== 'string') return { error: 'PartitionKey and RowKey must be strings.' };
  const properties: Record<string, TypedValue> = {};
  for (const [name, value] of Object.entries(obj)) {
    if (SYSTEM.has(name) || name.includes('@') || name.startsWith('odata.')) continue;
    const annotation = obj[`${name}@odata.type`];
    if (annotation !== undefined) {
      const type = typeof annotation === 'string' ? annotation.replace(/^Edm\./, '') : '';
      if (!(EDM_TYPES as readonly string[]).includes(type)) return { error: `${name}@odata.type: "${String(annotation)}" is not an Edm type.` };
      properties[name] = { type: type as EdmType, value: String(value) };
    } else if (typeof value === 'string') properties[name] = { type: 'String', value };
    else if (typeof value === 'boolean') properties[name] = { type: 'Boolean', value: String(value) };
    else if (typeof value === 'number') properties[name] = { type: Number.isInteger(value) && Math.abs(value) <= 2147483647 ? 'Int32' : 'Double', value: String(value) };
    else return { error: `${name}: a value must be a string, number or boolean (null and objects are not table values).` };
  }
  return { entity: { partitionKey: obj.PartitionKey, rowKey: obj.RowKey, properties } };
}

/** Column names for a page: the union of the entities' properties, in first-seen order. */
export function columnsOf(entities: readonly StorageEntity[]): string[] {
  const seen = new Set<string>();
  for (const e of entities) for (const name of Object.keys(e.properties)) seen.add(name);
  return [...seen];
}
