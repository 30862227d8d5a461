// Tokens of an OData $filter. Literal forms (OData v3 ABNF, as the Table service accepts them):
//   'text' ('' escapes a quote)   123  123L  1.5  1e3  1.5d   true false
//   datetime'2024-01-01T00:00:00Z'  guid'…'  binary'0A1B' / X'0A1B'
// https://learn.microsoft.com/rest/api/storageservices/querying-tables-and-entities#filtering-on-properties
import { FilterSyntaxError } from './filter-error.js';

export type TokenKind = 'identifier' | 'keyword' | 'string' | 'number' | 'typed' | 'open' | 'close' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** identifier name, keyword (lower case), string contents, number text, or typed-literal prefix. */
  readonly text: string;
  /** For typed literals (`datetime'…'`): the quoted contents. */
  readonly body?: string;
  readonly position: number;
}

const KEYWORDS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'and', 'or', 'not', 'true', 'false']);
const TYPED_PREFIXES = new Set(['datetime', 'datetimeoffset', 'guid', 'binary', 'x']);
const NUMBER = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[lLdDfFmM]?/;
const IDENT = /^[\p{L}_][\p{L}\p{N}_]*/u;

function readQuoted(filter: string, start: number): { value: string; end: number } {
  // start is the index of the opening quote
  let value = '';
  let i = start + 1;
  for (;;) {
    const q = filter.indexOf("'", i);
    if (q === -1) throw new FilterSyntaxError('unterminated string literal (missing closing quote)', start, filter);
    value += filter.slice(i, q);
    if (filter[q + 1] === "'") {
      value += "'";
      i = q + 2;
      continue;
    }
    return { value, end: q + 1 };
  }
}

export function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      tokens.push({ kind: c === '(' ? 'open' : 'close', text: c, position: i });
      i++;
      continue;
    }
    if (c === "'") {
      const { value, end } = readQuoted(filter, i);
      tokens.push({ kind: 'string', text: value, position: i });
      i = end;
      continue;
    }
    const rest = filter.slice(i, i + 400);
    const num = NUMBER.exec(rest);
    if (num && (c === '-' || c === '.' || (c >= '0' && c <= '9'))) {
      tokens.push({ kind: 'number', text: num[0], position: i });
      i += num[0].length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      const word = ident[0];
      const lower = word.toLowerCase();
      if (TYPED_PREFIXES.has(lower) && filter[i + word.length] === "'") {
        const { value, end } = readQuoted(filter, i + word.length);
        tokens.push({ kind: 'typed', text: lower, body: value, position: i });
        i = end;
        continue;
      }
      tokens.push(KEYWORDS.has(lower) ? { kind: 'keyword', text: lower, position: i } : { kind: 'identifier', text: word, position: i });
      i += word.length;
      continue;
    }
    throw new FilterSyntaxError(`unexpected character ${JSON.stringify(c)}`, i, filter);
  }
  tokens.push({ kind: 'end', text: '', position: filter.length });
  return tokens;
}
