import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LogRecordMessage } from '../../../../runtime/shared/protocol.js';
import type * as LogFilterModule from '~renderer/lib/log-filter';
import { load } from '../load-renderer.js';

const { compileFilter, parseFieldFilter, isJsonLine, EMPTY_FILTER } = await load<typeof LogFilterModule>('lib/log-filter');
type LogFilter = typeof EMPTY_FILTER;

let seq = 0;
function rec(text: string, over: Partial<LogRecordMessage> = {}): LogRecordMessage {
  return { seq: seq++, time: 0, instance: 'site', worker: 'w1', pid: 100, stream: 'stdout', text, ...over };
}

/** The texts of the records the filter keeps (all of them when it compiles to no predicate). */
function keep(filter: Partial<LogFilter>, records: LogRecordMessage[]): string[] {
  const { predicate, error } = compileFilter({ ...EMPTY_FILTER, ...filter });
  expect(error).toBeNull();
  return records.filter((r) => (predicate ? predicate(r) : true)).map((r) => r.text);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('compileFilter', () => {
  it('has no predicate for the empty filter, so the view can skip filtering 200k lines', () => {
    expect(compileFilter(EMPTY_FILTER)).toEqual({ predicate: null, error: null });
    expect(compileFilter({ ...EMPTY_FILTER, fields: '   ' })).toEqual({ predicate: null, error: null });
  });

  it('matches text case-insensitively anywhere in the line', () => {
    const records = [rec('GET /api 500 Internal Error'), rec('all fine'), rec('an error: ENOENT')];
    expect(keep({ text: 'ERROR' }, records)).toEqual(['GET /api 500 Internal Error', 'an error: ENOENT']);
  });

  it('keeps only the chosen stream', () => {
    const records = [rec('out', { stream: 'stdout' }), rec('err', { stream: 'stderr' })];
    expect(keep({ stream: 'stderr' }, records)).toEqual(['err']);
    expect(keep({ stream: 'stdout' }, records)).toEqual(['out']);
  });

  it('matches worker and instance exactly, so w1 does not also show w10', () => {
    const records = [rec('a', { worker: 'w1' }), rec('b', { worker: 'w10' }), rec('c', { worker: 'w1', instance: 'other' })];
    expect(keep({ worker: 'w1' }, records)).toEqual(['a', 'c']);
    expect(keep({ instance: 'site' }, records)).toEqual(['a', 'b']);
    expect(keep({ instance: 'site', worker: 'w1' }, records)).toEqual(['a']);
  });

  it('matches a JSON field by its value as text', () => {
    const records = [rec('{"level":"error","msg":"boom"}'), rec('{"level":"info","msg":"ok"}'), rec('{"msg":"no level"}')];
    expect(keep({ fields: 'level=error' }, records)).toEqual(['{"level":"error","msg":"boom"}']);
  });

  it('reaches nested fields with dotted paths (req.id=7)', () => {
    const records = [rec('{"req":{"id":7,"url":"/a"}}'), rec('{"req":{"id":8}}'), rec('{"req.id":7}'), rec('{"req":"7"}')];
    expect(keep({ fields: 'req.id=7' }, records)).toEqual(['{"req":{"id":7,"url":"/a"}}']);
    expect(keep({ fields: 'req.url=/a' }, records)).toEqual(['{"req":{"id":7,"url":"/a"}}']);
  });

  it('treats the number 7 and the string "7" alike, but not 70 or 7.5', () => {
    const records = [rec('{"id":7}'), rec('{"id":"7"}'), rec('{"id":70}'), rec('{"id":7.5}'), rec('{"id":"07"}')];
    expect(keep({ fields: 'id=7' }, records)).toEqual(['{"id":7}', '{"id":"7"}']);
    expect(keep({ fields: 'id=7.5' }, records)).toEqual(['{"id":7.5}']);
  });

  it('matches booleans, null, empty strings, array items and whole objects by their JSON text', () => {
    const line = rec('{"ok":true,"user":null,"note":"","tags":["a","b"],"pos":{"x":1}}');
    expect(keep({ fields: 'ok=true' }, [line])).toHaveLength(1);
    expect(keep({ fields: 'ok=false' }, [line])).toHaveLength(0);
    expect(keep({ fields: 'user=null' }, [line])).toHaveLength(1);
    expect(keep({ fields: 'note=' }, [line])).toHaveLength(1);
    expect(keep({ fields: 'tags.1=b' }, [line])).toHaveLength(1);
    expect(keep({ fields: 'tags=["a","b"]' }, [line])).toHaveLength(1);
    expect(keep({ fields: 'pos={"x":1}' }, [line])).toHaveLength(1);
  });

  it('does not match a missing field, or a path that runs through a plain value', () => {
    const records = [rec('{"level":"error"}'), rec('{"msg":"abc"}')];
    expect(keep({ fields: 'note=' }, records)).toEqual([]);
    expect(keep({ fields: 'msg.length=3' }, records)).toEqual([]);
    expect(keep({ fields: 'level.x=error' }, records)).toEqual([]);
  });

  it('never matches a field filter on lines that are not JSON objects, even when their text reads field=value', () => {
    const records = [
      rec('level=error something failed'),
      rec('[{"level":"error"}]'),
      rec('{"level":"error"'),
      rec('{"level":"error"} trailing text'),
      rec(''),
    ];
    expect(keep({ fields: 'level=error' }, records)).toEqual([]);
  });

  it('reads JSON lines that start with whitespace', () => {
    expect(keep({ fields: 'level=error' }, [rec('   {"level":"error"}\r')])).toHaveLength(1);
  });

  it('requires every field=value pair to match', () => {
    const records = [rec('{"level":"error","req":{"id":7}}'), rec('{"level":"error","req":{"id":8}}'), rec('{"level":"info","req":{"id":7}}')];
    expect(keep({ fields: 'level=error req.id=7' }, records)).toEqual(['{"level":"error","req":{"id":7}}']);
  });

  it('combines stream, worker, instance, text and fields with AND', () => {
    const match = rec('{"level":"error","msg":"Disk full"}', { stream: 'stderr', worker: 'w2', instance: 'site' });
    const records = [
      match,
      rec('{"level":"error","msg":"Disk full"}', { stream: 'stdout', worker: 'w2' }),
      rec('{"level":"error","msg":"Disk full"}', { stream: 'stderr', worker: 'w1' }),
      rec('{"level":"error","msg":"Disk full"}', { stream: 'stderr', worker: 'w2', instance: 'other' }),
      rec('{"level":"error","msg":"timeout"}', { stream: 'stderr', worker: 'w2' }),
      rec('{"level":"warn","msg":"Disk full"}', { stream: 'stderr', worker: 'w2' }),
      rec('Disk full level=error', { stream: 'stderr', worker: 'w2' }),
    ];
    const kept = records.filter((r) => compileFilter({ instance: 'site', worker: 'w2', stream: 'stderr', text: 'disk', fields: 'level=error' }).predicate?.(r));
    expect(kept).toEqual([match]);
  });

  it('reports an unreadable field filter and keeps applying the rest, so a half-typed filter does not blank the view', () => {
    const compiled = compileFilter({ ...EMPTY_FILTER, text: 'boom', fields: 'level=error oops' });
    expect(compiled.error).toBe('"oops" is not field=value');
    const records = [rec('{"level":"info","msg":"boom"}'), rec('quiet')];
    expect(records.filter((r) => compiled.predicate?.(r))).toEqual([records[0]]);
    expect(compileFilter({ ...EMPTY_FILTER, fields: 'oops' })).toEqual({ predicate: null, error: '"oops" is not field=value' });
  });

  it('parses each JSON line once however often the buffer is re-filtered', () => {
    const records = [rec('{"level":"error"}'), rec('{"level":"info"}'), rec('not json')];
    const parse = vi.spyOn(JSON, 'parse');
    for (const fields of ['level=error', 'level=info', 'level=warn']) {
      const { predicate } = compileFilter({ ...EMPTY_FILTER, fields });
      records.forEach((r) => predicate?.(r));
    }
    const texts = new Set(records.map((r) => r.text));
    expect(parse.mock.calls.filter(([text]) => texts.has(text))).toHaveLength(2);
  });
});

describe('parseFieldFilter', () => {
  it('reads plain, dotted and quoted pairs', () => {
    expect(parseFieldFilter('  a=1   b.c="x y"  d= ')).toEqual({
      tests: [
        { path: ['a'], value: '1' },
        { path: ['b', 'c'], value: 'x y' },
        { path: ['d'], value: '' },
      ],
    });
  });

  it('keeps = inside a value (url=/a?b=c)', () => {
    expect(parseFieldFilter('url=/a?b=c')).toEqual({ tests: [{ path: ['url'], value: '/a?b=c' }] });
  });

  it('names the first piece that is not field=value', () => {
    expect(parseFieldFilter('a=1 oops b=2')).toEqual({ error: '"oops" is not field=value' });
    expect(parseFieldFilter('=1')).toEqual({ error: '"=1" is not field=value' });
  });

  it('reads nothing from an empty input', () => {
    expect(parseFieldFilter('')).toEqual({ tests: [] });
    expect(parseFieldFilter(' \t ')).toEqual({ tests: [] });
  });
});

describe('isJsonLine', () => {
  it('is true only for lines holding a JSON object', () => {
    expect(isJsonLine(rec('{"a":1}'))).toBe(true);
    expect(isJsonLine(rec('  {}'))).toBe(true);
    expect(isJsonLine(rec('[1,2]'))).toBe(false);
    expect(isJsonLine(rec('{not json}'))).toBe(false);
    expect(isJsonLine(rec('plain text'))).toBe(false);
  });
});
