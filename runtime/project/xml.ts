// A small element tree over saxes (a strict, well-formedness-checking XML parser) that keeps the line and
// column of every element, so configuration errors can point at file:line:column.
import { SaxesParser } from 'saxes';
import { cbError } from '../shared/errors.js';

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** 1-based position of the element's `<`. */
  readonly line: number;
  readonly column: number;
}

/** Parses `text` into its root element; a malformed document throws CB_ERR_CONFIG_XML naming the position. */
export function parseXml(text: string, file: string): XmlElement {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let startLine = 1;
  let startColumn = 1;
  let failure: { line: number; column: number; detail: string } | undefined;

  parser.on('error', (err) => {
    // saxes prefixes "line:column: " to its messages; keep only the detail and use our own position.
    failure ??= { line: parser.line, column: parser.column, detail: err.message.replace(/^(\S+:)?\d+:\d+: /, '') };
    throw err;
  });
  parser.on('opentagstart', (tag) => {
    startLine = parser.line;
    // saxes has consumed `<name` when this fires; report the column of the `<`.
    startColumn = Math.max(1, parser.column - tag.name.length - 1);
  });
  parser.on('opentag', (tag) => {
    const el: XmlElement = {
      name: tag.name,
      attributes: tag.attributes as Record<string, string>,
      children: [],
      line: startLine,
      column: startColumn,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root ??= el;
    if (!tag.isSelfClosing) stack.push(el);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });

  try {
    parser.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).close();
  } catch (err) {
    const f = failure ?? { line: parser.line, column: parser.column, detail: String(err) };
    throw cbError('CB_ERR_CONFIG_XML', { file, line: f.line, column: f.column, detail: f.detail }, err);
  }
  if (!root) throw cbError('CB_ERR_CONFIG_XML', { file, line: 1, column: 1, detail: 'the document has no root element' });
  return root;
}

/** Child elements with this (case-sensitive, as IIS is) name. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** Walks a path of element names from `el`, taking the first match at each step. */
export function findPath(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let at = el;
  for (const n of names) at = childrenNamed(at, n)[0];
  return at;
}

/** Attribute lookup, case-insensitive as IIS's configuration system is for attribute names. */
export function attr(el: XmlElement, name: string): string | undefined {
  if (name in el.attributes) return el.attributes[name];
  const lower = name.toLowerCase();
  for (const k of Object.keys(el.attributes)) if (k.toLowerCase() === lower) return el.attributes[k];
  return undefined;
}
