// Tokens of the Service Bus SQL filter and action language
// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-messaging-sql-filter). Keywords and
// property names are case-insensitive; strings use single quotes with '' as the escaped quote; names may be
// [bracketed] to hold spaces or keywords.
import { SqlSyntaxError } from '../engine/errors.js';

export type TokenType = 'number' | 'string' | 'name' | 'keyword' | 'op' | 'punct' | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Upper-cased for keywords, as written otherwise (strings unescaped, brackets removed). */
  readonly value: string;
  readonly offset: number;
}

const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'IS', 'NULL', 'IN', 'LIKE', 'ESCAPE', 'EXISTS', 'TRUE', 'FALSE', 'SET', 'REMOVE',
]);
const OPERATORS = ['<>', '!=', '>=', '<=', '=', '<', '>', '+', '-', '*', '/', '%'];

function isNameStart(c: string): boolean {
  return /[A-Za-z_$@]/.test(c);
}

function isNamePart(c: string): boolean {
  return /[A-Za-z0-9_$@]/.test(c);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      let text = '';
      i++;
      for (;;) {
        if (i >= source.length) throw new SqlSyntaxError('unterminated string', source, start);
        if (source[i] === "'") {
          if (source[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += source[i];
        i++;
      }
      tokens.push({ type: 'string', value: text, offset: start });
    } else if (c === '[') {
      const end = source.indexOf(']', i + 1);
      if (end < 0) throw new SqlSyntaxError('unterminated [name]', source, start);
      tokens.push({ type: 'name', value: source.slice(i + 1, end), offset: start });
      i = end + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^(?:[0-9]*\.?[0-9]+|[0-9]+\.)(?:[eE][+-]?[0-9]+)?/.exec(source.slice(i));
      const text = (m as RegExpExecArray)[0];
      i += text.length;
      if (isNamePart(source[i] ?? ' ')) throw new SqlSyntaxError(`invalid number "${text}${source[i]}"`, source, start);
      tokens.push({ type: 'number', value: text, offset: start });
    } else if (isNameStart(c)) {
      while (i < source.length && isNamePart(source[i] as string)) i++;
      const text = source.slice(start, i);
      const upper = text.toUpperCase();
      tokens.push(KEYWORDS.has(upper) ? { type: 'keyword', value: upper, offset: start } : { type: 'name', value: text, offset: start });
    } else if (c === '(' || c === ')' || c === ',' || c === '.' || c === ';') {
      tokens.push({ type: 'punct', value: c, offset: start });
      i++;
    } else {
      const op = OPERATORS.find((o) => source.startsWith(o, i));
      if (op === undefined) throw new SqlSyntaxError(`unexpected character "${c}"`, source, start);
      tokens.push({ type: 'op', value: op, offset: start });
      i += op.length;
    }
  }
  tokens.push({ type: 'eof', value: '', offset: source.length });
  return tokens;
}
