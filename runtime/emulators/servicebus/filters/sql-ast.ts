// The syntax tree of SQL filters and actions. Predicates and expressions share one node type because the
// grammar lets a boolean constant or a parenthesized predicate stand where either is expected.

export type PropertyScope = 'sys' | 'user';

export interface PropertyRef {
  readonly kind: 'property';
  readonly scope: PropertyScope;
  readonly name: string;
}

export type SqlValue = string | number | boolean | null | Date;

export type SqlNode =
  | { readonly kind: 'literal'; readonly value: SqlValue }
  | PropertyRef
  | { readonly kind: 'function'; readonly name: string }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | 'NOT'; readonly operand: SqlNode }
  | { readonly kind: 'binary'; readonly op: string; readonly left: SqlNode; readonly right: SqlNode }
  | { readonly kind: 'isNull'; readonly negated: boolean; readonly operand: SqlNode }
  | { readonly kind: 'in'; readonly negated: boolean; readonly operand: SqlNode; readonly list: readonly SqlNode[] }
  | { readonly kind: 'like'; readonly negated: boolean; readonly operand: SqlNode; readonly pattern: RegExp }
  | { readonly kind: 'exists'; readonly property: PropertyRef };

export type SqlActionStatement =
  | { readonly kind: 'set'; readonly target: PropertyRef; readonly value: SqlNode }
  | { readonly kind: 'remove'; readonly target: PropertyRef };
