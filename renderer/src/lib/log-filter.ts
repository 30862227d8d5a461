// The Logs view's filter, compiled once per change into one predicate that runs over up to 200k records.
// JSON lines (a record whose text is a JSON object) can be matched by field: `level=error req.id=7`
// matches when every named field (dotted paths reach into objects) equals the value as text.
import type { LogRecordMessage } from './protocol';

export interface LogFilter {
  instance: string;
  worker: string;
  stream: '' | 'stdout' | 'stderr';
  /** Case-insensitive substring of the text. */
  text: string;
  /** Space-separated `field=value` pairs for JSON lines. */
  fields: string;
}

export const EMPTY_FILTER: LogFilter = Object.freeze({ instance: '', worker: '', stream: '', text: '', fields: '' });

export interface FieldTest {
  path: string[];
  value: string;
}

/** Parses `a=1 b.c="x y"`; returns the tests or the first piece that is not `field=value`. */
export function parseFieldFilter(input: string): { tests: FieldTest[] } | { error: string } {
  const tests: FieldTest[] = [];
  const re = /\s*([^\s=]+)=("([^"]*)"|(\S*))\s*/y;
  let at = 0;
  const s = input.trim();
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) {
      const piece = s.slice(at).split(/\s+/)[0] ?? '';
      return { error: `"${piece}" is not field=value` };
    }
    tests.push({ path: (m[1] as string).split('.'), value: m[3] ?? m[4] ?? '' });
    at = re.lastIndex;
  }
  return { tests };
}

// Parsing is the expensive part, so each record's JSON is parsed at most once.
const parsedCache = new WeakMap<LogRecordMessage, unknown>();
const NOT_JSON = Symbol('not json');

export function jsonOf(record: LogRecordMessage): unknown {
  if (parsedCache.has(record)) return parsedCache.get(record);
  let value: unknown = NOT_JSON;
  const t = record.text.trimStart();
  if (t.startsWith('{')) {
    try {
      value = JSON.parse(t);
    } catch {
      value = NOT_JSON;
    }
  }
  parsedCache.set(record, value);
  return value;
}

export function isJsonLine(record: LogRecordMessage): boolean {
  const v = jsonOf(record);
  return v !== NOT_JSON && typeof v === 'object' && v !== null;
}

function fieldMatches(json: unknown, test: FieldTest): boolean {
  let v: unknown = json;
  for (const key of test.path) {
    if (typeof v !== 'object' || v === null) return false;
    v = (v as Record<string, unknown>)[key];
  }
  if (v === undefined) return false;
  const text = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  return text === test.value;
}

export type LogPredicate = (record: LogRecordMessage) => boolean;

/** One predicate for the whole filter, or the error of an unreadable field filter. */
export function compileFilter(filter: LogFilter): { predicate: LogPredicate | null; error: string | null } {
  const parsed = parseFieldFilter(filter.fields);
  const fieldTests = 'tests' in parsed ? parsed.tests : [];
  const error = 'error' in parsed ? parsed.error : null;
  const needle = filter.text.toLowerCase();
  const { instance, worker, stream } = filter;
  if (!instance && !worker && !stream && !needle && fieldTests.length === 0) return { predicate: null, error };
  const predicate: LogPredicate = (r) => {
    if (instance && r.instance !== instance) return false;
    if (worker && r.worker !== worker) return false;
    if (stream && r.stream !== stream) return false;
    if (needle && !r.text.toLowerCase().includes(needle)) return false;
    if (fieldTests.length > 0) {
      const json = jsonOf(r);
      if (json === NOT_JSON) return false;
      for (const t of fieldTests) if (!fieldMatches(json, t)) return false;
    }
    return true;
  };
  return { predicate, error };
}
