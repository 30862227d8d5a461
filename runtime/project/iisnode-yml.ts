// iisnode.yml: iisnode's own line grammar (not YAML), as ApplyYamlConfigOverrides reads it and functional
// test 126 pins it. One `key: value` per line; `#` starts a comment; keys are case-insensitive; an empty
// value leaves the web.config value in place; unknown keys are ignored.
// Stricter than iisnode in one place: a number that is not a number is an error here (iisnode's atol()
// silently turned it into 0, which no one means).
import { cbError } from '../shared/errors.js';
import { IISNODE_ATTRIBUTES, IISNODE_ATTRIBUTE_NAMES } from './iisnode-schema.js';
import type { AttributeSpec, IisnodeAttribute } from './iisnode-schema.js';
import { isPortRange } from './web-config.js';

export interface YmlOverride {
  readonly name: IisnodeAttribute;
  readonly value: boolean | number | string;
  readonly line: number;
}

const byYmlKey = new Map<string, IisnodeAttribute>();
for (const name of IISNODE_ATTRIBUTE_NAMES) {
  const spec: AttributeSpec = IISNODE_ATTRIBUTES[name];
  if (spec.ymlKey) byYmlKey.set(spec.ymlKey.toLowerCase(), name);
}

export function parseIisnodeYml(text: string, file: string): YmlOverride[] {
  const out: YmlOverride[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const hash = raw.indexOf('#');
    const content = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (content === '') return;
    // 1-based columns in the raw line, so errors point where an editor puts the cursor.
    const start = raw.indexOf(content) + 1;
    const colon = content.indexOf(':');
    if (colon < 0) throw cbError('CB_ERR_CONFIG_YML', { file, line, column: start, detail: `"${content}" has no colon; expected key: value` });
    if (colon === 0) throw cbError('CB_ERR_CONFIG_YML', { file, line, column: start, detail: `"${content}" has no key before the colon` });
    const key = content.slice(0, colon).trim();
    if (/\s/.test(key)) throw cbError('CB_ERR_CONFIG_YML', { file, line, column: start, detail: `the key "${key}" contains a space` });
    const valueText = content.slice(colon + 1).trim();
    const name = byYmlKey.get(key.toLowerCase());
    if (!name || valueText === '') return;
    const valueColumn = start + colon + 1 + (content.slice(colon + 1).length - content.slice(colon + 1).trimStart().length);
    out.push({ name, value: parseYmlValue(name, key, valueText, file, line, valueColumn), line });
  });
  return out;
}

function parseYmlValue(name: IisnodeAttribute, key: string, text: string, file: string, line: number, column: number): boolean | number | string {
  const spec: AttributeSpec = IISNODE_ATTRIBUTES[name];
  if (spec.type === 'bool') {
    const t = text.toLowerCase();
    if (t === 'true' || t === '1' || t === 'yes') return true;
    if (t === 'false' || t === '0' || t === 'no') return false;
    throw cbError('CB_ERR_CONFIG_YML', { file, line, column, detail: `${key} is "${text}"; expected true, false, 1, 0, yes or no` });
  }
  if (spec.type === 'uint') {
    if (!/^\d+$/.test(text) || Number(text) > 4294967295) {
      throw cbError('CB_ERR_CONFIG_YML', { file, line, column, detail: `${key} is "${text}"; expected a whole number from 0 to 4294967295` });
    }
    return Number(text);
  }
  if (name === 'debuggerPortRange' && !isPortRange(text)) {
    throw cbError('CB_ERR_CONFIG_YML', { file, line, column, detail: `${key} is "${text}"; expected a range like 5058-6058 within 1025-65535` });
  }
  return text;
}
