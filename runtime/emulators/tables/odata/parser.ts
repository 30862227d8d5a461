// Recursive-descent parser for $filter: tokens → typed syntax tree, validated as it is built, so every error
// names the position where it was found.
//   filter   := or
//   or       := and ('or' and)*
//   and      := unary ('and' unary)*
//   unary    := 'not' unary | compare
//   compare  := operand (op operand)?        one side a property, the other a literal
//   operand  := '(' or ')' | literal | property
// A bare Boolean property or literal stands for `= true` / the constant.
import type { ComparisonOp, EdmType, FilterNode, LiteralNode, PropertyNode } from './ast.js';
import { FilterSyntaxError } from './filter-error.js';
import { tokenize } from './lexer.js';
import type { Token } from './lexer.js';
import { isBase64, isGuid, isInt32, normalizeDateTime, normalizeInt64 } from '../edm-values.js';

const OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FLIP: Readonly<Record<ComparisonOp, ComparisonOp>> = { eq: 'eq', ne: 'ne', gt: 'lt', ge: 'le', lt: 'gt', le: 'ge' };
const MAX_DEPTH = 100;

type Operand = LiteralNode | PropertyNode | FilterNode;

class Parser {
  #i = 0;
  #depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  fail(message: string, position: number): never {
    throw new FilterSyntaxError(message, position, this.source);
  }

  peek(): Token {
    return this.tokens[this.#i] as Token;
  }

  next(): Token {
    return this.tokens[this.#i++] as Token;
  }

  isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'keyword' && t.text === word;
  }

  parse(): FilterNode {
    if (this.peek().kind === 'end') this.fail('the filter is empty', 0);
    const node = this.parseOr();
    const t = this.peek();
    if (t.kind !== 'end') this.fail(`unexpected ${describe(t)} after a complete expression`, t.position);
    return node;
  }

  parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  parseUnary(): FilterNode {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'not', operand: this.nested(() => this.parseUnary()) };
    }
    return this.parseCompare();
  }

  nested<T>(fn: () => T): T {
    if (++this.#depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`, this.peek().position);
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  parseCompare(): FilterNode {
    const start = this.peek().position;
    const left = this.parseOperand();
    const t = this.peek();
    if (t.kind === 'keyword' && OPS.has(t.text)) {
      this.next();
      const rightStart = this.peek().position;
      const right = this.parseOperand();
      return this.comparison(t.text as ComparisonOp, left, right, start, rightStart);
    }
    return this.asBoolean(left, start);
  }

  comparison(op: ComparisonOp, left: Operand, right: Operand, leftAt: number, rightAt: number): FilterNode {
    if (left.kind === 'property' && right.kind === 'literal') return { kind: 'compare', op, property: left, literal: right };
    if (left.kind === 'literal' && right.kind === 'property') return { kind: 'compare', op: FLIP[op], property: right, literal: left };
    if (left.kind === 'property' && right.kind === 'property') this.fail('comparing two properties is not supported; compare a property with a literal', rightAt);
    if (left.kind === 'literal' && right.kind === 'literal') this.fail('a comparison needs a property on one side', leftAt);
    this.fail(`a comparison needs a property and a literal, not a logical expression`, left.kind === 'property' || left.kind === 'literal' ? rightAt : leftAt);
  }

  asBoolean(operand: Operand, at: number): FilterNode {
    if (operand.kind === 'property') {
      return { kind: 'compare', op: 'eq', property: operand, literal: { kind: 'literal', type: 'Edm.Boolean', value: true, position: at } };
    }
    if (operand.kind === 'literal') {
      if (operand.type === 'Edm.Boolean') return { kind: 'constant', value: operand.value as boolean };
      this.fail(`expected a condition, found a ${operand.type} literal`, at);
    }
    return operand;
  }

  parseOperand(): Operand {
    const t = this.next();
    switch (t.kind) {
      case 'open': {
        const inner = this.nested(() => this.parseOr());
        const close = this.next();
        if (close.kind !== 'close') this.fail(`expected ")" to close the "(" at position ${t.position + 1}, found ${describe(close)}`, close.position);
        return inner;
      }
      case 'identifier':
        return { kind: 'property', name: t.text, position: t.position };
      case 'string':
        return { kind: 'literal', type: 'Edm.String', value: t.text, position: t.position };
      case 'number':
        return this.number(t);
      case 'typed':
        return this.typed(t);
      case 'keyword':
        if (t.text === 'true' || t.text === 'false') return { kind: 'literal', type: 'Edm.Boolean', value: t.text === 'true', position: t.position };
        return this.fail(`expected a property or a literal, found the keyword "${t.text}"`, t.position);
      default:
        return this.fail(`expected a property or a literal, found ${describe(t)}`, t.position);
    }
  }

  number(t: Token): LiteralNode {
    const text = t.text;
    const suffix = text.slice(-1).toLowerCase();
    if (suffix === 'l') {
      const value = normalizeInt64(text.slice(0, -1));
      if (value === undefined) this.fail(`"${text}" is not an Edm.Int64 value`, t.position);
      return { kind: 'literal', type: 'Edm.Int64', value: BigInt(value), position: t.position };
    }
    const body = 'dfm'.includes(suffix) ? text.slice(0, -1) : text;
    const value = Number(body);
    if (!Number.isFinite(value)) this.fail(`"${text}" is not a number`, t.position);
    if (body === text && /^-?\d+$/.test(body)) {
      // An integer literal without a suffix is Edm.Int32; beyond its range it is read as Edm.Int64 (OData v3).
      if (isInt32(value)) return { kind: 'literal', type: 'Edm.Int32', value, position: t.position };
      const big = normalizeInt64(body);
      if (big === undefined) this.fail(`"${text}" is out of range for Edm.Int64`, t.position);
      return { kind: 'literal', type: 'Edm.Int64', value: BigInt(big), position: t.position };
    }
    return { kind: 'literal', type: 'Edm.Double', value, position: t.position };
  }

  typed(t: Token): LiteralNode {
    const body = t.body ?? '';
    const lit = (type: EdmType, value: string): LiteralNode => ({ kind: 'literal', type, value, position: t.position });
    if (t.text === 'datetime' || t.text === 'datetimeoffset') {
      const value = normalizeDateTime(body);
      if (value === undefined) this.fail(`"${body}" is not a valid datetime (expected e.g. 2024-01-31T12:00:00Z)`, t.position);
      return lit('Edm.DateTime', value);
    }
    if (t.text === 'guid') {
      if (!isGuid(body)) this.fail(`"${body}" is not a valid guid`, t.position);
      return lit('Edm.Guid', body.toLowerCase());
    }
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(body)) this.fail(`"${body}" is not valid binary (an even number of hex digits)`, t.position);
    const base64 = Buffer.from(body, 'hex').toString('base64');
    if (!isBase64(base64)) this.fail('invalid binary literal', t.position);
    return lit('Edm.Binary', base64);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'end':
      return 'the end of the filter';
    case 'string':
      return `the string '${t.text}'`;
    case 'typed':
      return `the ${t.text} literal`;
    case 'open':
    case 'close':
      return `"${t.text}"`;
    default:
      return `"${t.text}"`;
  }
}

/** Parses and validates a $filter; throws FilterSyntaxError (InvalidInput) with a position. */
export function parseFilter(filter: string): FilterNode {
  return new Parser(tokenize(filter), filter).parse();
}
