// The {…} expressions of the IIS URL Rewrite module, parsed once when web.config is read: server variables
// ({HTTP_HOST}), back-references ({R:1} from the rule's pattern, {C:1} from the conditions), string functions
// ({ToLower:…}) and rewrite maps ({MapName:…}). They appear in condition inputs, action URLs and custom
// response texts; evaluation is in runtime/hosting/rewrite.ts.

export type RewriteFunction = 'ToLower' | 'UrlEncode' | 'UrlDecode' | 'EscapeDataString';

export const REWRITE_FUNCTIONS: readonly RewriteFunction[] = ['ToLower', 'UrlEncode', 'UrlDecode', 'EscapeDataString'];

export interface RewriteMap {
  readonly name: string;
  readonly defaultValue: string;
  readonly ignoreCase: boolean;
  /** Keys lower-cased when ignoreCase. */
  readonly entries: ReadonlyMap<string, string>;
}

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'ref'; readonly from: 'R' | 'C'; readonly index: number }
  /** Upper-cased server variable name. */
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'fn'; readonly fn: RewriteFunction; readonly arg: Template }
  | { readonly kind: 'map'; readonly map: RewriteMap; readonly arg: Template };

export type Template = readonly TemplatePart[];

export class TemplateError extends Error {}

/**
 * Parses `text`; `maps` are looked up by lower-cased name. A `}` outside any expression is plain text. Throws
 * TemplateError saying what is wrong and where.
 */
export function parseTemplate(text: string, maps: ReadonlyMap<string, RewriteMap>): Template {
  return parseParts(text, 0, maps, false)[0];
}

/** Parses up to the end of the text, or (inside a function or map argument) up to its closing }. */
function parseParts(text: string, start: number, maps: ReadonlyMap<string, RewriteMap>, nested: boolean): [TemplatePart[], number] {
  const parts: TemplatePart[] = [];
  let literal = '';
  let i = start;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '}' && nested) break;
    if (ch !== '{') {
      literal += ch;
      i++;
      continue;
    }
    if (literal) parts.push({ kind: 'text', text: literal });
    literal = '';
    const [part, next] = parseExpression(text, i, maps);
    parts.push(part);
    i = next;
  }
  if (literal) parts.push({ kind: 'text', text: literal });
  return [parts, i];
}

/** `text[open]` is `{`; returns the expression and the index after its `}`. */
function parseExpression(text: string, open: number, maps: ReadonlyMap<string, RewriteMap>): [TemplatePart, number] {
  const head = /^([A-Za-z0-9_.-]+)(:|\})/.exec(text.slice(open + 1));
  if (!head) {
    const close = text.indexOf('}', open);
    if (close < 0) throw new TemplateError(`the { at character ${open + 1} is never closed with }`);
    throw new TemplateError(`"${text.slice(open, close + 1)}" at character ${open + 1} is not a server variable, {R:n}, {C:n}, a function or a rewrite map`);
  }
  const name = head[1] as string;
  const after = open + 1 + head[0].length;
  if (head[2] === '}') return [{ kind: 'var', name: name.toUpperCase() }, after];
  const ref = /^([RC]):(\d{1,3})\}/i.exec(text.slice(open + 1));
  if (ref) return [{ kind: 'ref', from: (ref[1] as string).toUpperCase() as 'R' | 'C', index: Number(ref[2]) }, open + 1 + ref[0].length];
  const [arg, close] = parseParts(text, after, maps, true);
  if (close >= text.length) throw new TemplateError(`the {${name}: at character ${open + 1} is never closed with }`);
  const fn = REWRITE_FUNCTIONS.find((f) => f.toLowerCase() === name.toLowerCase());
  if (fn) return [{ kind: 'fn', fn, arg }, close + 1];
  const map = maps.get(name.toLowerCase());
  if (map) return [{ kind: 'map', map, arg }, close + 1];
  const known = [...REWRITE_FUNCTIONS, ...[...maps.values()].map((m) => m.name)].join(', ');
  throw new TemplateError(`{${name}:…} at character ${open + 1} names neither a function nor a rewrite map (known: ${known})`);
}
