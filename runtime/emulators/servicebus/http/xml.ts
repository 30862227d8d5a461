// A small element tree from saxes (strict, namespace-aware off: prefixes stay in names, which is how ATOM
// bodies from the SDKs use them) and an escaper for the XML we write.
import { createRequire } from 'node:module';
import type { SaxesParser as SaxesParserType } from 'saxes';
import { EngineError } from '../engine/errors.js';

export interface XmlNode {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlNode[];
  text: string;
}

// Loaded on the first ATOM body, not at start-up (start-up time is a goal).
const require = createRequire(import.meta.url);
let Parser: typeof SaxesParserType | undefined;

export function parseXml(source: string): XmlNode {
  Parser ??= (require('saxes') as { SaxesParser: typeof SaxesParserType }).SaxesParser;
  const parser = new Parser({ xmlns: false });
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  parser.on('opentag', (tag) => {
    const node: XmlNode = { name: tag.name, attrs: tag.attributes as Record<string, string>, children: [], text: '' };
    (stack[stack.length - 1] as XmlNode).children.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => {
    (stack[stack.length - 1] as XmlNode).text += t;
  });
  parser.on('closetag', () => void stack.pop());
  try {
    parser.write(source).close();
  } catch (err) {
    throw new EngineError('BadArgument', `The request body is not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  return root;
}

/** The local name (after any prefix). */
export function localName(node: XmlNode): string {
  const i = node.name.indexOf(':');
  return i < 0 ? node.name : node.name.slice(i + 1);
}

/** First descendant (depth-first) with this local name. */
export function find(node: XmlNode, name: string): XmlNode | undefined {
  for (const c of node.children) {
    if (localName(c) === name) return c;
    const deeper = find(c, name);
    if (deeper) return deeper;
  }
  return undefined;
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => localName(c) === name);
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
