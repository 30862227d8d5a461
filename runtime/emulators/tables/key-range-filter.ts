// A table service SAS may be limited to a key range (spk/srk … epk/erk). Queries honour it by adding the range
// to the $filter's tree, so it is pushed down to the index like any key condition; point operations check it
// directly. https://learn.microsoft.com/rest/api/storageservices/create-service-sas#specify-table-access-ranges
import type { KeyRange } from '../storage/sas.js';
import type { ComparisonOp, FilterNode } from './odata/ast.js';

function cmp(name: 'PartitionKey' | 'RowKey', op: ComparisonOp, value: string): FilterNode {
  return { kind: 'compare', op, property: { kind: 'property', name, position: 0 }, literal: { kind: 'literal', type: 'Edm.String', value, position: 0 } };
}

function bound(pk: string | undefined, rk: string | undefined, start: boolean): FilterNode | undefined {
  if (pk === undefined) return undefined;
  const strict: ComparisonOp = start ? 'gt' : 'lt';
  if (rk === undefined) return cmp('PartitionKey', start ? 'ge' : 'le', pk);
  return { kind: 'or', left: cmp('PartitionKey', strict, pk), right: { kind: 'and', left: cmp('PartitionKey', 'eq', pk), right: cmp('RowKey', start ? 'ge' : 'le', rk) } };
}

export function withKeyRange(filter: FilterNode | undefined, range: KeyRange | undefined): FilterNode | undefined {
  if (!range) return filter;
  let out = filter;
  for (const b of [bound(range.startPk, range.startRk, true), bound(range.endPk, range.endRk, false)]) {
    if (b) out = out ? { kind: 'and', left: b, right: out } : b;
  }
  return out;
}
