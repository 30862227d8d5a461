// A recursive-descent parser for the Service Bus SQL subset. Precedence, loosest first: OR, AND, NOT,
// comparison / IS [NOT] NULL / [NOT] IN / [NOT] LIKE, + -, * / %, unary + -. Errors carry the offset of the
// offending token (SqlSyntaxError turns it into line and column).
import { SqlSyntaxError } from '../engine/errors.js';
import type { PropertyRef, SqlActionStatement, SqlNode } from './sql-ast.js';
import { tokenize, type Token } from './sql-lexer.js';

const COMPARISONS = new Set(['=', '<>', '!=', '>', '>=', '<', '<=']);
/** The service rejects filters longer than this (quota table of the Service Bus docs). */
export const MAX_SQL_LENGTH = 1024 * 64;

class Parser {
  #i = 0;
  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  get peek(): Token {
    return this.tokens[this.#i] as Token;
  }

  fail(detail: string, token: Token = this.peek): never {
    throw new SqlSyntaxError(detail, this.source, token.offset);
  }

  next(): Token {
    return this.tokens[this.#i++] as Token;
  }

  accept(type: Token['type'], value?: string): Token | undefined {
    const t = this.peek;
    if (t.type === type && (value === undefined || t.value === value)) return this.next();
    return undefined;
  }

  expect(type: Token['type'], value: string): Token {
    const t = this.accept(type, value);
    if (t === undefined) this.fail(`expected "${value}" but found ${describe(this.peek)}`);
    return t;
  }

  end(): void {
    if (this.peek.type !== 'eof') this.fail(`unexpected ${describe(this.peek)}`);
  }

  predicate(): SqlNode {
    let left = this.andExpr();
    while (this.accept('keyword', 'OR')) left = { kind: 'binary', op: 'OR', left, right: this.andExpr() };
    return left;
  }

  andExpr(): SqlNode {
    let left = this.notExpr();
    while (this.accept('keyword', 'AND')) left = { kind: 'binary', op: 'AND', left, right: this.notExpr() };
    return left;
  }

  notExpr(): SqlNode {
    if (this.accept('keyword', 'NOT')) return { kind: 'unary', op: 'NOT', operand: this.notExpr() };
    return this.comparison();
  }

  comparison(): SqlNode {
    if (this.accept('keyword', 'EXISTS')) {
      this.expect('punct', '(');
      const property = this.property();
      this.expect('punct', ')');
      return { kind: 'exists', property };
    }
    const left = this.additive();
    const t = this.peek;
    if (t.type === 'op' && COMPARISONS.has(t.value)) {
      this.next();
      return { kind: 'binary', op: t.value === '!=' ? '<>' : t.value, left, right: this.additive() };
    }
    if (this.accept('keyword', 'IS')) {
      const negated = this.accept('keyword', 'NOT') !== undefined;
      this.expect('keyword', 'NULL');
      return { kind: 'isNull', negated, operand: left };
    }
    const negated = this.accept('keyword', 'NOT') !== undefined;
    if (this.accept('keyword', 'IN')) {
      this.expect('punct', '(');
      const list = [this.additive()];
      while (this.accept('punct', ',')) list.push(this.additive());
      this.expect('punct', ')');
      return { kind: 'in', negated, operand: left, list };
    }
    if (this.accept('keyword', 'LIKE')) {
      const patternToken = this.peek;
      if (patternToken.type !== 'string') this.fail(`LIKE needs a string pattern, found ${describe(patternToken)}`);
      this.next();
      let escape: string | undefined;
      if (this.accept('keyword', 'ESCAPE')) {
        const e = this.peek;
        if (e.type !== 'string' || e.value.length !== 1) this.fail('ESCAPE needs a one-character string', e);
        escape = this.next().value;
      }
      return { kind: 'like', negated, operand: left, pattern: likeToRegExp(patternToken.value, escape) };
    }
    if (negated) this.fail(`expected IN or LIKE after NOT, found ${describe(this.peek)}`);
    return left;
  }

  additive(): SqlNode {
    let left = this.multiplicative();
    for (let t = this.peek; t.type === 'op' && (t.value === '+' || t.value === '-'); t = this.peek) {
      this.next();
      left = { kind: 'binary', op: t.value, left, right: this.multiplicative() };
    }
    return left;
  }

  multiplicative(): SqlNode {
    let left = this.unary();
    for (let t = this.peek; t.type === 'op' && (t.value === '*' || t.value === '/' || t.value === '%'); t = this.peek) {
      this.next();
      left = { kind: 'binary', op: t.value, left, right: this.unary() };
    }
    return left;
  }

  unary(): SqlNode {
    const t = this.peek;
    if (t.type === 'op' && (t.value === '-' || t.value === '+')) {
      this.next();
      return { kind: 'unary', op: t.value, operand: this.unary() };
    }
    return this.primary();
  }

  primary(): SqlNode {
    const t = this.peek;
    if (t.type === 'number') {
      this.next();
      return { kind: 'literal', value: Number(t.value) };
    }
    if (t.type === 'string') {
      this.next();
      return { kind: 'literal', value: t.value };
    }
    if (t.type === 'keyword' && (t.value === 'TRUE' || t.value === 'FALSE' || t.value === 'NULL')) {
      this.next();
      return { kind: 'literal', value: t.value === 'NULL' ? null : t.value === 'TRUE' };
    }
    if (t.type === 'punct' && t.value === '(') {
      this.next();
      const inner = this.predicate();
      this.expect('punct', ')');
      return inner;
    }
    if (t.type === 'name' && this.tokens[this.#i + 1]?.value === '(' && this.tokens[this.#i + 1]?.type === 'punct') {
      // newid() is the one function of the language (used in actions: SET sys.MessageId = newid()).
      if (t.value.toLowerCase() !== 'newid') this.fail(`unknown function "${t.value}"`);
      this.next();
      this.expect('punct', '(');
      this.expect('punct', ')');
      return { kind: 'function', name: 'newid' };
    }
    if (t.type === 'name') return this.property();
    return this.fail(`expected a value or a property, found ${describe(t)}`);
  }

  property(): PropertyRef {
    const first = this.peek;
    if (first.type !== 'name') this.fail(`expected a property name, found ${describe(first)}`);
    this.next();
    if (this.accept('punct', '.')) {
      const scope = first.value.toLowerCase();
      if (scope !== 'sys' && scope !== 'user') this.fail(`unknown scope "${first.value}" (expected sys or user)`, first);
      const name = this.peek;
      if (name.type !== 'name' && name.type !== 'keyword') this.fail(`expected a property name after "${first.value}."`);
      this.next();
      return { kind: 'property', scope, name: name.value };
    }
    return { kind: 'property', scope: 'user', name: first.value };
  }
}

function describe(t: Token): string {
  return t.type === 'eof' ? 'the end of the expression' : `"${t.type === 'string' ? `'${t.value}'` : t.value}"`;
}

/** LIKE pattern → anchored RegExp: % is any run, _ any one character, the escape character quotes the next. */
export function likeToRegExp(pattern: string, escape?: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === escape && i + 1 < pattern.length) {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

function checkLength(source: string): void {
  if (source.length > MAX_SQL_LENGTH) throw new SqlSyntaxError(`the expression is longer than ${MAX_SQL_LENGTH} characters`, source, 0);
}

export function parseSqlFilter(source: string): SqlNode {
  checkLength(source);
  const p = new Parser(source, tokenize(source));
  if (p.peek.type === 'eof') p.fail('the filter is empty');
  const node = p.predicate();
  p.end();
  return node;
}

/** `SET a = expr; REMOVE b; …` — statements separated by semicolons (a trailing one is allowed). */
export function parseSqlAction(source: string): SqlActionStatement[] {
  checkLength(source);
  const p = new Parser(source, tokenize(source));
  const out: SqlActionStatement[] = [];
  while (p.peek.type !== 'eof') {
    if (p.accept('keyword', 'SET')) {
      const target = p.property();
      p.expect('op', '=');
      out.push({ kind: 'set', target, value: p.additive() });
    } else if (p.accept('keyword', 'REMOVE')) {
      out.push({ kind: 'remove', target: p.property() });
    } else {
      p.fail(`expected SET or REMOVE, found ${describe(p.peek)}`);
    }
    if (!p.accept('punct', ';')) break;
  }
  p.end();
  if (out.length === 0) p.fail('the action is empty');
  return out;
}
