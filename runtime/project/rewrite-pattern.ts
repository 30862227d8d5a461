// Patterns of the IIS URL Rewrite module, compiled once when web.config is read.
//
// patternSyntax="ECMAScript" is documented as "Perl compatible (ECMAScript standard compliant)", and rules are
// usually written with .NET/Perl habits. Most of that is plain JavaScript. A few constructs JavaScript either
// reads differently without a word (\A would silently mean "A", `[]a]` an empty class) or cannot express; the
// first kind is translated here, the second refused with a message that names the construct, so a rule never
// matches differently than it did under IIS without saying so.
// https://learn.microsoft.com/iis/extensions/url-rewrite-module/url-rewrite-module-configuration-reference

export type PatternSyntax = 'ECMAScript' | 'Wildcard' | 'ExactMatch';

export interface CompiledPattern {
  readonly syntax: PatternSyntax;
  /** The pattern as written in web.config. */
  readonly source: string;
  readonly ignoreCase: boolean;
  /** The captures ([0] = the whole match, then {R:1}/{C:1}…; '' for a group that took no part) or null. */
  exec(input: string): string[] | null;
}

/** Why a pattern cannot be compiled; the caller turns it into a coded error that names the attribute. */
export class PatternError extends Error {}

export function compilePattern(source: string, syntax: PatternSyntax, ignoreCase: boolean): CompiledPattern {
  if (syntax === 'ExactMatch') {
    // Compared as whole strings; {R:0} is the input.
    const want = ignoreCase ? source.toLowerCase() : source;
    return { syntax, source, ignoreCase, exec: (input) => ((ignoreCase ? input.toLowerCase() : input) === want ? [input] : null) };
  }
  if (syntax === 'Wildcard') return regexPattern(syntax, source, ignoreCase, wildcardToRegex(source), 's', undefined);
  const t = translateEcmaScript(source);
  return regexPattern(syntax, source, ignoreCase || t.ignoreCase, t.source, t.unicode ? 'u' : '', t.groupOrder);
}

function regexPattern(syntax: PatternSyntax, source: string, ignoreCase: boolean, js: string, flags: string, groupOrder: number[] | undefined): CompiledPattern {
  let re: RegExp;
  try {
    re = new RegExp(js, flags + (ignoreCase ? 'i' : ''));
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : String(err);
    throw new PatternError(flags.includes('u') ? `\\p{…} needs JavaScript's Unicode mode, where this pattern is invalid: ${detail}` : detail);
  }
  const exec = (input: string): string[] | null => {
    const m = re.exec(input);
    if (!m) return null;
    return groupOrder ? groupOrder.map((js) => m[js] ?? '') : Array.from(m, (g) => g ?? '');
  };
  return { syntax, source, ignoreCase, exec };
}

/**
 * Wildcard syntax (as in IIS HTTP Redirection): the whole input must match; `*` matches any run of characters
 * and captures it, `?` matches exactly one character and captures nothing.
 */
function wildcardToRegex(source: string): string {
  let out = '^';
  for (const ch of source) {
    if (ch === '*') out += '(.*)';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return `${out}$`;
}

interface Translation {
  source: string;
  ignoreCase: boolean;
  unicode: boolean;
  /** .NET group number → JavaScript group number, when named groups make the two orders differ. */
  groupOrder: number[] | undefined;
}

interface Group {
  readonly named: boolean;
}

/**
 * Rewrites the .NET/Perl spellings JavaScript lacks or reads differently, and refuses what it cannot express.
 * Two passes: the first numbers the capturing groups (.NET numbers unnamed groups first, then named ones),
 * the second emits JavaScript with numeric back-references renumbered to match.
 */
export function translateEcmaScript(source: string): Translation {
  const groups: Group[] = [];
  scan(source, groups, undefined);
  const unnamed = groups.filter((g) => !g.named).length;
  const order = [0];
  let nextNamed = unnamed + 1;
  let nextUnnamed = 1;
  const jsForDotnet: number[] = [0];
  groups.forEach((g, i) => {
    const dotnet = g.named ? nextNamed++ : nextUnnamed++;
    jsForDotnet[dotnet] = i + 1;
  });
  for (let n = 1; n <= groups.length; n++) order.push(jsForDotnet[n] as number);
  const out = { text: '', ignoreCase: false, unicode: false };
  scan(source, [], { out, jsForDotnet });
  const reordered = order.some((js, dotnet) => js !== dotnet);
  return { source: out.text, ignoreCase: out.ignoreCase, unicode: out.unicode, groupOrder: reordered ? order : undefined };
}

interface Emit {
  out: { text: string; ignoreCase: boolean; unicode: boolean };
  jsForDotnet: number[];
}

function scan(src: string, groups: Group[], emit: Emit | undefined): void {
  const put = (s: string): void => {
    if (emit) emit.out.text += s;
  };
  let inClass = false;
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (ch === '\\') {
      i = escape(src, i, inClass, emit, put);
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      else if (ch === '-' && src[i + 1] === '[') refuse(i, 'character class subtraction ([a-z-[aeiou]]) has no JavaScript equivalent');
      put(ch);
      i++;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      const neg = src[i + 1] === '^';
      put(neg ? '[^' : '[');
      i += neg ? 2 : 1;
      // .NET reads a `]` right after `[` or `[^` as a literal; JavaScript would close an empty class there.
      if (src[i] === ']') {
        put('\\]');
        i++;
      }
      continue;
    }
    if (ch === '(') {
      i = group(src, i, groups, emit, put);
      continue;
    }
    put(ch);
    i++;
  }
}

function escape(src: string, i: number, inClass: boolean, emit: Emit | undefined, put: (s: string) => void): number {
  const c = src[i + 1];
  if (c === undefined) refuse(i, 'the pattern ends with a lone backslash');
  if (c === 'p' || c === 'P') {
    if (emit) emit.out.unicode = true;
  } else if (!inClass && c === 'A') {
    put('^');
    return i + 2;
  } else if (!inClass && c === 'z') {
    put('$');
    return i + 2;
  } else if (!inClass && c === 'Z') {
    put('(?=\\n?$)');
    return i + 2;
  } else if (!inClass && c === 'G') {
    refuse(i, '\\G (match where the previous match ended) has no JavaScript equivalent');
  } else if (!inClass && /[1-9]/.test(c)) {
    const digits = /^\d+/.exec(src.slice(i + 1))?.[0] ?? c;
    const n = Number(digits);
    put(`\\${emit?.jsForDotnet[n] ?? n}`);
    return i + 1 + digits.length;
  } else if (!inClass && c === 'k' && src[i + 2] === "'") {
    const end = src.indexOf("'", i + 3);
    if (end < 0) refuse(i, "\\k'name' is not closed");
    put(`\\k<${src.slice(i + 3, end)}>`);
    return end + 1;
  }
  put(`\\${c}`);
  return i + 2;
}

function group(src: string, i: number, groups: Group[], emit: Emit | undefined, put: (s: string) => void): number {
  if (src[i + 1] !== '?') {
    groups.push({ named: false });
    put('(');
    return i + 1;
  }
  const rest = src.slice(i + 2);
  if (rest.startsWith('#')) {
    // A comment group: (?#…) holds no pattern.
    const end = src.indexOf(')', i);
    if (end < 0) refuse(i, 'the comment (?#… is not closed');
    return end + 1;
  }
  if (/^(?:[:=!]|<[=!])/.test(rest)) {
    const len = rest[0] === '<' ? 4 : 3;
    put(src.slice(i, i + len));
    return i + len;
  }
  const named = /^(?:<([^>]*)>|'([^']*)')/.exec(rest);
  if (named) {
    const name = (named[1] ?? named[2]) as string;
    if (name.includes('-')) refuse(i, `the balancing group (?<${name}>…) has no JavaScript equivalent`);
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) refuse(i, `the group name "${name}" is not one JavaScript accepts (a letter or _ then letters, digits or _)`);
    groups.push({ named: true });
    put(`(?<${name}>`);
    return i + 2 + named[0].length;
  }
  if (rest.startsWith('>')) refuse(i, 'atomic groups (?>…) have no JavaScript equivalent in Node 20');
  if (rest.startsWith('(')) refuse(i, 'conditional groups (?(…)…|…) have no JavaScript equivalent');
  const options = /^([imnsx]*)(?:-([imnsx]*))?([:)])/.exec(rest);
  if (options) {
    // Only a leading (?i) maps onto a JavaScript flag; Node 20 has no inline modifiers.
    if (i === 0 && options[0] === 'i)') {
      if (emit) emit.out.ignoreCase = true;
      return i + 4;
    }
    refuse(i, `inline options (?${options[0]}… are not supported by JavaScript in Node 20; only a leading (?i) is (set ignoreCase="true" instead)`);
  }
  refuse(i, `"(?${rest.slice(0, 1)}" does not start a group JavaScript knows`);
}

function refuse(at: number, why: string): never {
  throw new PatternError(`${why} (at character ${at + 1})`);
}
