// The typed syntax tree of an OData $filter, as the Table service accepts it: comparisons of one property with
// one literal, combined with and/or/not and parentheses. https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities#constructing-filter-strings

export type EdmType = 'Edm.String' | 'Edm.Int32' | 'Edm.Int64' | 'Edm.Double' | 'Edm.Boolean' | 'Edm.DateTime' | 'Edm.Guid' | 'Edm.Binary';

export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

export interface LiteralNode {
  readonly kind: 'literal';
  readonly type: EdmType;
  /** String, Guid (lower case), DateTime (normalized, 7 fraction digits), Binary (base64): string; Int32/Double: number; Int64: bigint; Boolean: boolean. */
  readonly value: string | number | bigint | boolean;
  readonly position: number;
}

export interface PropertyNode {
  readonly kind: 'property';
  readonly name: string;
  readonly position: number;
}

export interface ComparisonNode {
  readonly kind: 'compare';
  readonly op: ComparisonOp;
  readonly property: PropertyNode;
  readonly literal: LiteralNode;
}

export interface LogicalNode {
  readonly kind: 'and' | 'or';
  readonly left: FilterNode;
  readonly right: FilterNode;
}

export interface NotNode {
  readonly kind: 'not';
  readonly operand: FilterNode;
}

export interface ConstantNode {
  readonly kind: 'constant';
  readonly value: boolean;
}

export type FilterNode = ComparisonNode | LogicalNode | NotNode | ConstantNode;
