// Evaluates SQL filter trees against a message. SQL's three-valued logic: a missing property or NULL makes a
// comparison UNKNOWN (represented as null), NOT UNKNOWN is UNKNOWN, and a filter matches only when the
// result is TRUE. Values of different kinds (a string and a number) never compare equal and never order;
// numbers compare across integer and decimal as the service does.
import { randomUUID } from 'node:crypto';
import type { PropertyRef, SqlNode, SqlValue } from './sql-ast.js';

/** What a filter can see of a message; names of system properties arrive lower-cased. */
export interface FilterSubject {
  system(lowerName: string): SqlValue | undefined;
  user(name: string): SqlValue | undefined;
}

function lookup(msg: FilterSubject, ref: PropertyRef): SqlValue | undefined {
  return ref.scope === 'sys' ? msg.system(ref.name.toLowerCase()) : msg.user(ref.name);
}

function comparable(v: SqlValue): number | string | boolean | null {
  return v instanceof Date ? v.getTime() : v;
}

function compare(op: string, a: SqlValue | undefined, b: SqlValue | undefined): boolean | null {
  if (a === undefined || b === undefined || a === null || b === null) return null;
  const x = comparable(a);
  const y = comparable(b);
  if (typeof x !== typeof y) return op === '<>' ? null : null;
  switch (op) {
    case '=':
      return x === y;
    case '<>':
      return x !== y;
  }
  if (typeof x === 'boolean') return null;
  const xs = x as number | string;
  const ys = y as number | string;
  switch (op) {
    case '>':
      return xs > ys;
    case '>=':
      return xs >= ys;
    case '<':
      return xs < ys;
    case '<=':
      return xs <= ys;
  }
  return null;
}

function arithmetic(op: string, a: SqlValue | undefined, b: SqlValue | undefined): SqlValue {
  if (a === undefined || b === undefined || a === null || b === null) return null;
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  const x = comparable(a);
  const y = comparable(b);
  if (typeof x !== 'number' || typeof y !== 'number') return null;
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return y === 0 ? null : Number.isInteger(x) && Number.isInteger(y) ? Math.trunc(x / y) : x / y;
    case '%':
      return y === 0 ? null : x % y;
  }
  return null;
}

function truth(v: SqlValue | undefined): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

export function evaluate(node: SqlNode, msg: FilterSubject): SqlValue | undefined {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'property':
      return lookup(msg, node);
    case 'function':
      return randomUUID();
    case 'exists':
      return lookup(msg, node.property) !== undefined;
    case 'isNull': {
      const v = evaluate(node.operand, msg);
      const isNull = v === undefined || v === null;
      return node.negated ? !isNull : isNull;
    }
    case 'unary': {
      const v = evaluate(node.operand, msg);
      if (node.op === 'NOT') {
        const t = truth(v);
        return t === null ? null : !t;
      }
      if (typeof v !== 'number') return null;
      return node.op === '-' ? -v : v;
    }
    case 'in': {
      const v = evaluate(node.operand, msg);
      if (v === undefined || v === null) return null;
      let unknown = false;
      for (const item of node.list) {
        const r = compare('=', v, evaluate(item, msg));
        if (r === true) return !node.negated;
        if (r === null) unknown = true;
      }
      return unknown ? null : node.negated;
    }
    case 'like': {
      const v = evaluate(node.operand, msg);
      if (typeof v !== 'string') return null;
      return node.pattern.test(v) !== node.negated;
    }
    case 'binary':
      return binary(node.op, node.left, node.right, msg);
  }
}

function binary(op: string, left: SqlNode, right: SqlNode, msg: FilterSubject): SqlValue | undefined {
  if (op === 'AND') {
    const a = truth(evaluate(left, msg));
    if (a === false) return false;
    const b = truth(evaluate(right, msg));
    if (b === false) return false;
    return a === null || b === null ? null : true;
  }
  if (op === 'OR') {
    const a = truth(evaluate(left, msg));
    if (a === true) return true;
    const b = truth(evaluate(right, msg));
    if (b === true) return true;
    return a === null || b === null ? null : false;
  }
  const a = evaluate(left, msg);
  const b = evaluate(right, msg);
  if (op === '+' || op === '-' || op === '*' || op === '/' || op === '%') return arithmetic(op, a, b);
  return compare(op, a, b);
}

/** True only when the filter evaluates to TRUE (UNKNOWN and non-booleans do not match). */
export function matches(node: SqlNode, msg: FilterSubject): boolean {
  return evaluate(node, msg) === true;
}
