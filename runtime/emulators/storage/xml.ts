// The little XML the Queue API and the service-properties/ACL bodies need: escaping for the writer, and a
// strict reader (saxes, already used for web.config) that builds a plain element tree.
import { createRequire } from 'node:module';
import type { SaxesParser as SaxesParserType } from 'saxes';
import { domainError } from './domain-error.js';

// saxes costs ~40 ms to load (its Unicode tables); only ACL and service-properties bodies need it, so it is
// loaded on the first such body rather than at start-up (start-up time is a goal).
const require = createRequire(import.meta.url);
let Parser: typeof SaxesParserType | undefined;

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** `<name>text</name>`, or `<name />` for an empty value. */
export function el(name: string, text: string | number | undefined): string {
  if (text === undefined || text === '') return `<${name} />`;
  return `<${name}>${escapeXml(String(text))}</${name}>`;
}

export const XML_DECL = '<?xml version="1.0" encoding="utf-8"?>';

export interface XmlElement {
  readonly name: string;
  /** Attributes by their qualified names as written (`m:type`). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

/** Parses a document into its root element; malformed XML is Azure's InvalidXmlDocument. */
export function parseXml(source: string): XmlElement {
  Parser ??= (require('saxes') as { SaxesParser: typeof SaxesParserType }).SaxesParser;
  const parser = new Parser({ xmlns: false });
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  parser.on('opentag', (tag) => {
    const node: XmlElement = { name: tag.name, attributes: tag.attributes as Record<string, string>, children: [], text: '' };
    (stack[stack.length - 1] as XmlElement).children.push(node);
    stack.push(node);
  });
  parser.on('closetag', () => void stack.pop());
  parser.on('text', (t) => {
    (stack[stack.length - 1] as XmlElement).text += t;
  });
  parser.on('cdata', (t) => {
    (stack[stack.length - 1] as XmlElement).text += t;
  });
  try {
    parser.write(source).close();
  } catch (error) {
    throw domainError('InvalidXmlDocument', `XML specified is not syntactically valid. ${(error as Error).message}`);
  }
  const top = root.children[0];
  if (!top) throw domainError('InvalidXmlDocument', 'XML specified is not syntactically valid: no root element.');
  return top;
}

export function child(node: XmlElement, name: string): XmlElement | undefined {
  return node.children.find((c) => c.name === name);
}

export function childText(node: XmlElement, name: string): string | undefined {
  return child(node, name)?.text;
}
