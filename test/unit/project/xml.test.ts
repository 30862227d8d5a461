// Configuration errors point at file:line:column, so the element tree must know where each element starts
// and a malformed document must say where it broke. Positions are 1-based, as editors show them.
import { describe, expect, it } from 'vitest';
import { attr, childrenNamed, findPath, parseXml } from '../../../runtime/project/xml.js';
import type { XmlElement } from '../../../runtime/project/xml.js';
import { coded } from './project-test-helpers.js';

function where(el: XmlElement | undefined): string {
  return el ? `${el.name}@${el.line}:${el.column}` : 'missing';
}

describe('parseXml: the element tree', () => {
  it('builds the tree with attributes and children in document order', () => {
    const root = parseXml('<a x="1"><b/><c y="2"><d/></c><b z="3"/></a>', 'f.xml');
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c', 'b']);
    expect(root.children[1]?.children.map((c) => c.name)).toEqual(['d']);
    expect(root.children[2]?.attributes).toEqual({ z: '3' });
  });

  it('decodes entities and character references in attribute values', () => {
    expect(parseXml('<a v="&lt;&amp;&gt;&quot;&#65;&#x42;"/>', 'f').attributes).toEqual({ v: '<&>"AB' });
  });

  it('ignores the declaration, comments and text', () => {
    const root = parseXml('<?xml version="1.0"?>\n<!-- c --><a>text<!-- <b/> --><c/></a>', 'f');
    expect(root.children.map((c) => c.name)).toEqual(['c']);
  });
});

describe('parseXml: element positions', () => {
  // Each element's line and column is that of its `<`.
  it('gives the line and column of each element\'s <', () => {
    const text = ['<configuration>', '  <system.webServer>', '\t<iisnode loggingEnabled="false"/>', '  </system.webServer>', '</configuration>'].join('\n');
    const root = parseXml(text, 'web.config');
    const ws = root.children[0];
    expect([where(root), where(ws), where(ws?.children[0])]).toEqual(['configuration@1:1', 'system.webServer@2:3', 'iisnode@3:2']);
  });

  it('counts lines the same with CRLF line ends and after an XML declaration', () => {
    const root = parseXml('<?xml version="1.0"?>\r\n<configuration>\r\n    <appSettings/>\r\n</configuration>', 'f');
    expect([where(root), where(root.children[0])]).toEqual(['configuration@2:1', 'appSettings@3:5']);
  });

  it('gives elements later on a line their own column', () => {
    const root = parseXml('<a><b/>  <cc/><d/></a>', 'f');
    expect(root.children.map(where)).toEqual(['b@1:4', 'cc@1:10', 'd@1:15']);
  });

  it('reports the position of the < for an element whose attributes run over several lines', () => {
    const root = parseXml('<a>\n  <add\n     key="k"\n     value="v"/>\n</a>', 'f');
    expect(where(root.children[0])).toBe('add@2:3');
    expect(where(parseXml('<iisnode\n/>', 'f'))).toBe('iisnode@1:1');
  });

  it('does not count a byte order mark as a column', () => {
    const root = parseXml('\uFEFF<a>\n <b/></a>', 'f');
    expect([where(root), where(root.children[0])]).toEqual(['a@1:1', 'b@2:2']);
  });
});

describe('parseXml: malformed documents', () => {
  it('reports an unquoted attribute value at its position, with the file name', () => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseXml('<configuration>\n  <iisnode a=1/>\n</configuration>', 'C:/site/web.config'));
    expect(err.params).toMatchObject({ file: 'C:/site/web.config', line: 2, column: 14 });
    expect(err.message).toMatch(/^C:\/site\/web\.config:2:14: unquoted attribute value/);
  });

  it('reports a mismatched closing tag on its line', () => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseXml('<a>\n  <b>\n</a>', 'f'));
    expect(err.params).toMatchObject({ line: 3 });
    expect(err.params['column']).toBeGreaterThanOrEqual(1);
    expect(err.params['column']).toBeLessThanOrEqual(4);
    expect(String(err.params['detail'])).toMatch(/close tag/);
  });

  it('reports an undefined entity (a raw & in a value) on its line', () => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseXml('<a>\n<add value="a & b"/></a>', 'f'));
    expect(err.params).toMatchObject({ line: 2 });
  });

  // The usual file ends in a newline, so the end of the document is at column 0 in saxes's count; an editor
  // has no column 0.
  it('reports a document cut short (a missing closing tag) at a 1-based position', () => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseXml('<a>\n  <b>\n</b>\n', 'f'));
    expect(String(err.params['detail'])).toMatch(/unclosed tag/);
    expect(err.params['line']).toBeGreaterThanOrEqual(3);
    expect(err.params['column']).toBeGreaterThanOrEqual(1);
  });

  it('reports a second root element', () => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseXml('<a/>\n<b/>', 'f'));
    expect(err.params).toMatchObject({ line: 2 });
  });

  it('keeps the detail free of saxes\'s own position prefix', () => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseXml('<a x=1/>', 'f'));
    expect(String(err.params['detail'])).not.toMatch(/^\d+:\d+/);
    expect(err.cause).toBeInstanceOf(Error);
  });

  // An empty web.config is a real case (a file created and not yet saved); the position must still be one an
  // editor can jump to.
  it.each(['', '   ', '<!-- only a comment -->'])('reports a document with no root element (%j) at a 1-based position', (text) => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseXml(text, 'f'));
    expect(err.params['line']).toBe(1);
    expect(err.params['column']).toBeGreaterThanOrEqual(1);
  });
});

describe('childrenNamed, findPath, attr', () => {
  const root = parseXml('<configuration><system.webServer><handlers><add Name="x" PATH="a.js"/></handlers></system.webServer><System.WebServer/></configuration>', 'f');

  it('matches element names case-sensitively, as IIS does', () => {
    expect(childrenNamed(root, 'system.webServer')).toHaveLength(1);
    expect(childrenNamed(root, 'system.webserver')).toHaveLength(0);
    expect(childrenNamed(undefined, 'x')).toEqual([]);
  });

  it('walks a path of names and gives undefined when a step is missing', () => {
    expect(findPath(root, 'system.webServer', 'handlers', 'add')?.name).toBe('add');
    expect(findPath(root, 'system.webServer', 'nope', 'add')).toBeUndefined();
    expect(findPath(undefined, 'a')).toBeUndefined();
    expect(findPath(root)).toBe(root);
  });

  it('reads attributes case-insensitively, preferring an exact match', () => {
    const add = findPath(root, 'system.webServer', 'handlers', 'add') as XmlElement;
    expect(attr(add, 'name')).toBe('x');
    expect(attr(add, 'path')).toBe('a.js');
    expect(attr(add, 'PATH')).toBe('a.js');
    expect(attr(add, 'verb')).toBeUndefined();
    const both = parseXml('<a KEY="upper" key="exact"/>', 'f');
    expect(attr(both, 'key')).toBe('exact');
  });
});
