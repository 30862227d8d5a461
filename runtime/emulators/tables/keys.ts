// PartitionKey/RowKey rules and the entity address `table(PartitionKey='a',RowKey='b')`.
// Keys: strings up to 1 KiB (UTF-16, so 512 code units), without / \ # ? or control characters
// U+0000–U+001F and U+007F–U+009F. https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#characters-disallowed-in-key-fields
import { domainError } from '../storage/domain-error.js';

const MAX_KEY_BYTES = 1024;
// eslint-disable-next-line no-control-regex
const DISALLOWED = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

export function checkKey(name: 'PartitionKey' | 'RowKey', value: string): void {
  if (value.length * 2 > MAX_KEY_BYTES) {
    throw domainError('KeyValueTooLarge', `The ${name} is larger than 1 KiB (UTF-16): ${value.length} characters, at most ${MAX_KEY_BYTES / 2}.`);
  }
  const bad = DISALLOWED.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw domainError('OutOfRangeInput', `The '${name}' parameter is out of range: it contains U+${code.toUpperCase()}, one of / \\ # ? or a control character, which keys may not contain.`);
  }
}

export interface EntityAddress {
  readonly table: string;
  /** Present when the path names one entity. */
  readonly keys?: { readonly pk: string; readonly rk: string };
  /** `table()` (query form). */
  readonly parens: boolean;
}

function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  if (text[start] !== "'") return undefined;
  let value = '';
  let i = start + 1;
  for (;;) {
    const q = text.indexOf("'", i);
    if (q === -1) return undefined;
    value += text.slice(i, q);
    if (text[q + 1] === "'") {
      value += "'";
      i = q + 2;
      continue;
    }
    return { value, end: q + 1 };
  }
}

/** Parses a decoded resource segment; undefined when it is not of the table/entity form. */
export function parseEntityAddress(segment: string): EntityAddress | undefined {
  const open = segment.indexOf('(');
  if (open === -1) return { table: segment, parens: false };
  const table = segment.slice(0, open);
  if (segment.slice(open) === '()') return { table, parens: true };
  const pkPrefix = 'PartitionKey=';
  if (!segment.startsWith(pkPrefix, open + 1)) return undefined;
  const pk = readQuoted(segment, open + 1 + pkPrefix.length);
  if (!pk || !segment.startsWith(',RowKey=', pk.end)) return undefined;
  const rk = readQuoted(segment, pk.end + ',RowKey='.length);
  if (!rk || segment.slice(rk.end) !== ')') return undefined;
  return { table, keys: { pk: pk.value, rk: rk.value }, parens: true };
}
