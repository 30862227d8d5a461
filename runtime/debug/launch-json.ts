// "VS Code attach": writes a `.vscode/launch.json` entry for a worker's inspector. The file is JSON with
// comments, usually hand-edited: it is changed with jsonc-parser's edits, so comments, formatting and the
// other configurations stay as they were; an entry of the same name is replaced, not duplicated.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyEdits, modify, parseTree, findNodeAtLocation, printParseErrorCode } from 'jsonc-parser';
import type { ParseError } from 'jsonc-parser';
import { cbError } from '../shared/errors.js';

export interface AttachConfiguration {
  readonly type: 'node';
  readonly request: 'attach';
  readonly name: string;
  readonly address: '127.0.0.1';
  readonly port: number;
  readonly [key: string]: unknown;
}

export function attachConfiguration(name: string, port: number): AttachConfiguration {
  return { type: 'node', request: 'attach', name, address: '127.0.0.1', port, skipFiles: ['<node_internals>/**'] };
}

const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

/** The launch.json text with `config` added (or replacing the entry of the same name). Throws on a broken file. */
export function mergeLaunchJson(existing: string | undefined, config: AttachConfiguration, file = 'launch.json'): string {
  if (existing === undefined || existing.trim() === '') {
    return `${JSON.stringify({ version: '0.2.0', configurations: [config] }, null, 2)}\n`;
  }
  const errors: ParseError[] = [];
  const root = parseTree(existing, errors, { allowTrailingComma: true, disallowComments: false });
  const fail = (detail: string): Error => cbError('CB_ERR_DEBUG_LAUNCH_JSON', { file, detail });
  if (errors.length > 0) {
    const e = errors[0] as ParseError;
    const line = existing.slice(0, e.offset).split('\n').length;
    throw fail(`${printParseErrorCode(e.error)} at line ${line}`);
  }
  if (root?.type !== 'object') throw fail('it does not hold an object');
  const list = findNodeAtLocation(root, ['configurations']);
  if (list === undefined) return applyEdits(existing, modify(existing, ['configurations'], [config], FORMAT));
  if (list.type !== 'array') throw fail('"configurations" is not an array');
  const index = (list.children ?? []).findIndex((c) => c.type === 'object' && findNodeAtLocation(c, ['name'])?.value === config.name);
  const edits = index >= 0 ? modify(existing, ['configurations', index], config, FORMAT) : modify(existing, ['configurations', -1], config, { ...FORMAT, isArrayInsertion: true });
  return applyEdits(existing, edits);
}

/** Writes the entry into `<folder>/.vscode/launch.json`; returns the file's path. */
export function writeLaunchJson(folder: string, config: AttachConfiguration): string {
  const file = path.join(folder, '.vscode', 'launch.json');
  let existing: string | undefined;
  try {
    existing = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw cbError('CB_ERR_DEBUG_LAUNCH_JSON', { file, detail: (err as Error).message }, err);
  }
  const text = mergeLaunchJson(existing, config, file);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  } catch (err) {
    throw cbError('CB_ERR_DEBUG_LAUNCH_JSON', { file, detail: (err as Error).message }, err);
  }
  return file;
}
