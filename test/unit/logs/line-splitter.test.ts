import { describe, it, expect } from 'vitest';
import { LineSplitter } from '../../../runtime/logs/line-splitter.js';

function feed(splitter: LineSplitter, chunks: (string | Buffer)[]): string[] {
  const lines: string[] = [];
  for (const chunk of chunks) lines.push(...splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  return lines;
}

describe('LineSplitter', () => {
  it('holds a line split across chunks until its newline', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from('hel'))).toEqual([]);
    expect(splitter.push(Buffer.from('lo\nwor'))).toEqual(['hello']);
    expect(splitter.push(Buffer.from('ld\n'))).toEqual(['world']);
    expect(splitter.end()).toEqual([]);
  });

  it('strips \\r\\n even when the \\r and the \\n arrive in different chunks, and keeps a \\r inside a line', () => {
    const splitter = new LineSplitter();
    expect(feed(splitter, ['one\r\ntwo\r', '\nthree', '\r', '\n', '50%\r100%\n'])).toEqual(['one', 'two', 'three', '50%\r100%']);
  });

  it('keeps empty lines and emits a final line that has no newline at the end', () => {
    const splitter = new LineSplitter();
    expect(feed(splitter, ['a\n\nb\n', 'last words'])).toEqual(['a', '', 'b']);
    expect(splitter.end()).toEqual(['last words']);
    expect(splitter.end()).toEqual([]);
  });

  it('strips the \\r of a final "\\r" line ending too', () => {
    const splitter = new LineSplitter();
    expect(feed(splitter, ['bye\r'])).toEqual([]);
    expect(splitter.end()).toEqual(['bye']);
  });

  it('decodes a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('héllo → wörld\n');
    const splitter = new LineSplitter();
    // Cut inside 'é' (2 bytes) and inside '→' (3 bytes).
    const lines = feed(splitter, [bytes.subarray(0, 2), bytes.subarray(2, 8), bytes.subarray(8)]);
    expect(lines).toEqual(['héllo → wörld']);
  });

  it('emits a line that never ends in pieces of maxLineChars, losing nothing', () => {
    const splitter = new LineSplitter(10);
    expect(feed(splitter, ['0123456', '789abcdefghij', 'klm'])).toEqual(['0123456789', 'abcdefghij']);
    expect(splitter.end()).toEqual(['klm']);
  });
});
