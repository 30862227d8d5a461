// A small element tree over saxes (a strict, well-formedness-checking XML parser) that keeps the line and
// column of every element, so configuration errors can point at file:line:column.
import { SaxesParser } from 'saxes';
import { cbError } from '../shared/errors.js';

export interface XmlPosition {
  readonly line: number;
  readonly column: number;
}

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** 1-based position of each attribute's name, for errors that point at the attribute itself. */
  readonly attributePositions: Readonly<Record<string, XmlPosition>>;
  readonly children: XmlElement[];
  /** 1-based position of the element's `<`. */
  readonly line: number;
  readonly column: number;
}

/** Parses `text` into its root element; a malformed document throws CB_ERR_CONFIG_XML naming the position. */
export function parseXml(text: string, file: string): XmlElement {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const locate = lineLocator(body);
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let tagStart = 0;
  let failure: { at: XmlPosition; detail: string } | undefined;

  parser.on('error', (err) => {
    // saxes prefixes "line:column: " to its messages; keep only the detail and report our own position (the
    // character saxes stopped at, 1-based).
    failure ??= { at: locate(Math.max(0, parser.position - 1)), detail: err.message.replace(/^(\S+:)?\d+:\d+: /, '') };
    throw err;
  });
  parser.on('opentagstart', () => {
    // saxes has read `<name` and the character after it when this fires: find the `<` itself.
    tagStart = Math.max(0, body.lastIndexOf('<', parser.position - 1));
  });
  parser.on('opentag', (tag) => {
    const attributes = tag.attributes as Record<string, string>;
    const tagText = body.slice(tagStart, parser.position);
    const attributePositions: Record<string, XmlPosition> = {};
    for (const name of Object.keys(attributes)) {
      const m = new RegExp(`\\s${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`).exec(tagText);
      attributePositions[name] = locate(tagStart + (m ? m.index + 1 : 0));
    }
    const at = locate(tagStart);
    const el: XmlElement = { name: tag.name, attributes, attributePositions, children: [], line: at.line, column: at.column };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root ??= el;
    if (!tag.isSelfClosing) stack.push(el);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });

  try {
    parser.write(body).close();
  } catch (err) {
    const f = failure ?? { at: locate(Math.max(0, parser.position - 1)), detail: String(err) };
    throw cbError('CB_ERR_CONFIG_XML', { file, line: f.at.line, column: f.at.column, detail: f.detail }, err);
  }
  if (!root) throw cbError('CB_ERR_CONFIG_XML', { file, line: 1, column: 1, detail: 'the document has no root element' });
  return root;
}

/** Offset → 1-based line and column, by binary search over the line starts. */
function lineLocator(text: string): (offset: number) => XmlPosition {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
  };
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
