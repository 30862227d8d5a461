// Reading the elements and attributes of <rewrite> the way IIS's configuration system does: attribute names in
// any case, names its schema does not declare refused, enumerations and booleans checked, and every problem
// reported at the file:line:column of the attribute (CB_ERR_CONFIG_ATTRIBUTE) or element (CB_ERR_CONFIG_XML).
import { cbError } from '../shared/errors.js';
import { PatternError, compilePattern } from './rewrite-pattern.js';
import type { CompiledPattern, PatternSyntax } from './rewrite-pattern.js';
import { TemplateError, parseTemplate } from './rewrite-template.js';
import type { RewriteMap, Template } from './rewrite-template.js';
import { closest } from './closest.js';
import type { XmlElement } from './xml.js';

export function xmlError(el: XmlElement, file: string, detail: string): Error {
  return cbError('CB_ERR_CONFIG_XML', { file, line: el.line, column: el.column, detail });
}

/** The single element of a kind that IIS allows once. */
export function once(list: XmlElement[], name: string, file: string): XmlElement | undefined {
  if (list.length > 1) throw xmlError(list[1] as XmlElement, file, `a second <${name}> element; only one is allowed here`);
  return list[0];
}

/** Child elements by name, each allowed at most once; anything else is an error. */
export function children(el: XmlElement, file: string, allowed: readonly string[]): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const c of el.children) {
    if (!allowed.includes(c.name)) {
      throw xmlError(c, file, `<${c.name}> is not allowed in <${el.name}>; expected ${allowed.map((n) => `<${n}>`).join(', ')}`);
    }
    if (out.has(c.name)) throw xmlError(c, file, `a second <${c.name}> in <${el.name}>; only one is allowed`);
    out.set(c.name, c);
  }
  return out;
}

export interface Attributes {
  text(name: string): string | undefined;
  required(name: string, why?: string): string;
  bool(name: string, fallback: boolean): boolean;
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T;
  uint(name: string, fallback: number, min: number, max: number): number;
  template(name: string, maps: ReadonlyMap<string, RewriteMap>): Template;
  pattern(name: string, syntax: PatternSyntax, ignoreCase: boolean): CompiledPattern;
  fail(name: string, expected: string): never;
}

/** Reads attributes by name in any case (as IIS does), refusing names its schema does not declare. */
export function attributes(el: XmlElement, file: string, allowed: readonly string[]): Attributes {
  const raw = new Map<string, string>();
  for (const name of Object.keys(el.attributes)) {
    // Namespace declarations and prefixed attributes (xdt:Transform) belong to other tools.
    if (name === 'xmlns' || name.includes(':')) continue;
    const known = allowed.find((n) => n.toLowerCase() === name.toLowerCase());
    if (!known) {
      const near = closest(name, allowed);
      const expected = allowed.length === 0 ? `no attributes on <${el.name}>` : `one of ${allowed.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`;
      throw cbError('CB_ERR_CONFIG_ATTRIBUTE', { ...where(name), value: el.attributes[name] ?? '', expected });
    }
    if (!raw.has(known)) raw.set(known, name);
  }
  function where(name: string): { file: string; line: number; column: number; element: string; attribute: string } {
    const at = el.attributePositions[name] ?? el;
    return { file, line: at.line, column: at.column, element: el.name, attribute: name };
  }
  const text = (name: string): string | undefined => {
    const r = raw.get(name);
    return r === undefined ? undefined : el.attributes[r];
  };
  const fail = (name: string, expected: string): never => {
    const r = raw.get(name) ?? name;
    throw cbError('CB_ERR_CONFIG_ATTRIBUTE', { ...where(r), value: el.attributes[r] ?? '', expected });
  };
  return {
    text,
    fail,
    required(name, why = '') {
      const v = text(name);
      if (v === undefined) throw xmlError(el, file, `<${el.name}> has no ${name} attribute${why}; add ${name}="…"`);
      return v;
    },
    bool(name, fallback) {
      const v = text(name)?.trim().toLowerCase();
      if (v === undefined) return fallback;
      if (v === 'true' || v === 'false') return v === 'true';
      return fail(name, 'true or false');
    },
    oneOf(name, values, fallback) {
      const v = text(name);
      if (v === undefined) return fallback;
      const hit = values.find((x) => x.toLowerCase() === v.trim().toLowerCase());
      if (hit) return hit;
      const near = closest(v, values);
      return fail(name, `one of ${values.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`);
    },
    uint(name, fallback, min, max) {
      const v = text(name)?.trim();
      if (v === undefined) return fallback;
      if (/^\d{1,10}$/.test(v) && Number(v) >= min && Number(v) <= max) return Number(v);
      return fail(name, `a whole number from ${min} to ${max}`);
    },
    template(name, maps) {
      try {
        return parseTemplate(text(name) ?? '', maps);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        return fail(name, `text with valid {…} expressions, but ${err.message}`);
      }
    },
    pattern(name, syntax, ignoreCase) {
      try {
        return compilePattern(text(name) ?? '', syntax, ignoreCase);
      } catch (err) {
        if (!(err instanceof PatternError)) throw err;
        const kind = syntax === 'ECMAScript' ? 'a regular expression JavaScript can compile' : `a ${syntax} pattern`;
        return fail(name, `${kind}, but ${err.message}`);
      }
    },
  };
}
