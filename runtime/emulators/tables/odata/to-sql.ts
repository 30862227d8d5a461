// $filter → SQLite. The store keeps PartitionKey, RowKey and Timestamp in columns (pk, rk, ts) and the other
// properties in one JSONB object whose non-JSON types carry their `name@odata.type` annotation, exactly as the
// minimal-metadata wire format does. So:
//   - key comparisons are plain column comparisons. Left at the top level of the WHERE clause, SQLite's
//     planner turns `pk = ?`, `rk >= ?`, `pk > ?`… into ranges of the (table, pk, rk) primary key: the
//     push-down that makes a page cost O(page) instead of a scan;
//   - a property comparison matches only values of the literal's type (as Azure does: `n eq '5'` does not
//     match the Int32 5); Int32 and Double compare with each other numerically; Int64 compares as a 64-bit
//     integer, DateTime as its normalized 100 ns text, Guid case-insensitively;
//   - a missing property makes its comparison false (also under `not`), never NULL: each comparison is a
//     `CASE WHEN <first test> THEN <rest> ELSE 0 END`, whose THEN part cannot be NULL (the property exists);
//   - the value comparison comes before the type checks, and CASE evaluates its THEN part only when the
//     WHEN part is true, so a row that fails the comparison (most rows of a selective filter) costs one JSON
//     lookup. (An earlier coalesce(a AND b, 0) form evaluated every term of every row: twice the scan cost.)
// Property names come from the parser's identifier rule, and every value is a bound parameter.
import type { ComparisonNode, ComparisonOp, FilterNode } from './ast.js';

export interface SqlFilter {
  readonly sql: string;
  readonly params: unknown[];
}

const SQL_OP: Readonly<Record<ComparisonOp, string>> = { eq: '=', ne: '<>', gt: '>', ge: '>=', lt: '<', le: '<=' };

/** Which columns a filter sees: entities (keys + JSON properties) or the table list (TableName). */
export type FilterTarget = 'entities' | 'tables';

function compareEntity(node: ComparisonNode, params: unknown[]): string {
  const { property, literal, op } = node;
  const sqlOp = SQL_OP[op];
  const name = property.name;
  if (name === 'PartitionKey' || name === 'RowKey') {
    if (literal.type !== 'Edm.String') return '0';
    params.push(literal.value);
    return `${name === 'PartitionKey' ? 'pk' : 'rk'} ${sqlOp} ?`;
  }
  if (name === 'Timestamp') {
    if (literal.type !== 'Edm.DateTime') return '0';
    params.push(literal.value);
    return `ts ${sqlOp} ?`;
  }
  const path = `$."${name}"`;
  const annotation = `$."${name}@odata.type"`;
  switch (literal.type) {
    case 'Edm.String':
      params.push(path, literal.value, path, annotation);
      return `CASE WHEN json_extract(props, ?) ${sqlOp} ? THEN json_type(props, ?) = 'text' AND json_type(props, ?) IS NULL ELSE 0 END`;
    case 'Edm.Int32':
    case 'Edm.Double':
      params.push(path, literal.value, path);
      return `CASE WHEN json_extract(props, ?) ${sqlOp} ? THEN json_type(props, ?) IN ('integer', 'real') ELSE 0 END`;
    case 'Edm.Boolean':
      params.push(path, path, literal.value ? 1 : 0);
      return `CASE WHEN json_type(props, ?) IN ('true', 'false') THEN (json_type(props, ?) = 'true') ${sqlOp} ? ELSE 0 END`;
    case 'Edm.Int64':
      params.push(annotation, path, literal.value);
      return `CASE WHEN json_extract(props, ?) = 'Edm.Int64' THEN CAST(json_extract(props, ?) AS INTEGER) ${sqlOp} ? ELSE 0 END`;
    case 'Edm.Guid':
      params.push(annotation, path, literal.value);
      return `CASE WHEN json_extract(props, ?) = 'Edm.Guid' THEN lower(json_extract(props, ?)) ${sqlOp} ? ELSE 0 END`;
    case 'Edm.DateTime':
    case 'Edm.Binary':
      params.push(annotation, literal.type, path, literal.value);
      return `CASE WHEN json_extract(props, ?) = ? THEN json_extract(props, ?) ${sqlOp} ? ELSE 0 END`;
  }
}

function compareTable(node: ComparisonNode, params: unknown[]): string {
  if (node.property.name !== 'TableName' || node.literal.type !== 'Edm.String') return '0';
  params.push(node.literal.value);
  return `name ${SQL_OP[node.op]} ?`;
}

function emit(node: FilterNode, target: FilterTarget, params: unknown[]): string {
  switch (node.kind) {
    case 'constant':
      return node.value ? '1' : '0';
    case 'not':
      return `NOT (${emit(node.operand, target, params)})`;
    case 'and':
    case 'or': {
      const left = emit(node.left, target, params);
      const right = emit(node.right, target, params);
      return `(${left}) ${node.kind.toUpperCase()} (${right})`;
    }
    case 'compare':
      return target === 'entities' ? compareEntity(node, params) : compareTable(node, params);
  }
}

/** Compiles a validated filter to a WHERE fragment with its parameters (in order). */
export function filterToSql(node: FilterNode, target: FilterTarget): SqlFilter {
  const params: unknown[] = [];
  return { sql: emit(node, target, params), params };
}
