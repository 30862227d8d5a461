// A positioned view of Config.json (jsonc-parser's tree keeps the offset of every value), so that each
// complaint names file:line:column. Checks are strict: unknown keys are errors, as the emulator's JSON
// Schema (additionalProperties: false) makes them.
import type { Node } from 'jsonc-parser';

export class ConfigProblem extends Error {
  constructor(
    readonly offset: number,
    detail: string,
  ) {
    super(detail);
  }
}

export interface ObjectSpec {
  readonly [key: string]: 'string' | 'boolean' | 'integer' | 'object' | 'array';
}

/** The properties of an object node, checked against `spec` (unknown keys and wrong types throw). */
export function objectOf(node: Node | undefined, where: string, spec: ObjectSpec): Map<string, Node> {
  if (node === undefined || node.type !== 'object') throw new ConfigProblem(node?.offset ?? 0, `${where} must be an object`);
  const out = new Map<string, Node>();
  for (const prop of node.children ?? []) {
    const [keyNode, valueNode] = prop.children as [Node, Node | undefined];
    const key = String(keyNode.value);
    const want = spec[key];
    if (want === undefined) throw new ConfigProblem(keyNode.offset, `unknown key "${key}" in ${where}; expected one of ${Object.keys(spec).join(', ')}`);
    if (valueNode === undefined) throw new ConfigProblem(keyNode.offset, `"${key}" has no value`);
    const got = valueNode.type === 'number' ? (Number.isInteger(valueNode.value) ? 'integer' : 'number') : valueNode.type;
    if (got !== want && !(want === 'string' && valueNode.type === 'null')) {
      throw new ConfigProblem(valueNode.offset, `${where}.${key} must be ${want === 'integer' ? 'an integer' : `a ${want}`}, got ${got}`);
    }
    out.set(key, valueNode);
  }
  return out;
}

export function arrayOf(node: Node | undefined): Node[] {
  return node?.children ?? [];
}

export function required(map: Map<string, Node>, key: string, where: string, at: Node): Node {
  const n = map.get(key);
  if (n === undefined) throw new ConfigProblem(at.offset, `${where} needs "${key}"`);
  return n;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
}
