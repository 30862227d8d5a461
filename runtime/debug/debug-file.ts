// Files the debugger panel needs from disk: source maps named by a script's sourceMappingURL and the
// original sources a map does not embed. Only files inside the project folder are read (a map may name
// any path; the panel has no business reading outside the project through this route).
import { readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cbError } from '../shared/errors.js';

const MAX_BYTES = 32 * 1024 * 1024;

export function readDebugFile(url: string, root: string): string {
  const fail = (detail: string): Error => cbError('CB_ERR_DEBUG_SOURCE_MAP', { map: url, script: 'the debugger panel', detail });
  let file: string;
  try {
    file = realpathSync(fileURLToPath(url));
  } catch {
    throw fail('it is not a file:// URL of an existing file');
  }
  const base = realpathSync(root);
  const rel = path.relative(base, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw fail(`it is outside the project folder ${base}`);
  const st = statSync(file);
  if (!st.isFile() || st.size > MAX_BYTES) throw fail(st.isFile() ? `it is larger than ${MAX_BYTES} bytes` : 'it is not a file');
  return readFileSync(file, 'utf8');
}
