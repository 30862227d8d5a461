// iisnode's on-disk log conventions for web.config projects: "\n" written as "\r\n" (test 105), and an
// index.html listing the folder, rewritten on each new log file (tests 105, 110).

import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CrlfConverter } from '../../../runtime/logs/crlf.js';
import { LogCapture } from '../../../runtime/logs/log-capture.js';
import { renderLogIndex } from '../../../runtime/logs/log-index.js';
import { LogStore } from '../../../runtime/logs/log-store.js';
import { endStream, makeTempDir, tick } from './log-test-helpers.js';

const convert = (chunks: string[]): string => {
  const c = new CrlfConverter();
  return chunks.map((s) => c.convert(Buffer.from(s, 'latin1')).toString('latin1')).join('');
};

describe('CrlfConverter', () => {
  it('turns bare \\n into \\r\\n and leaves \\r\\n, lone \\r and other bytes alone', () => {
    expect(convert(['a\nb\n'])).toBe('a\r\nb\r\n');
    expect(convert(['a\r\nb\n\n'])).toBe('a\r\nb\r\n\r\n');
    expect(convert(['\n'])).toBe('\r\n');
    expect(convert(['a\rb'])).toBe('a\rb');
    expect(convert(['no newline'])).toBe('no newline');
    expect(convert([''])).toBe('');
  });

  it('keeps a \\r\\n split across two chunks as it is', () => {
    expect(convert(['a\r', '\nb\n'])).toBe('a\r\nb\r\n');
    expect(convert(['a', '\nb'])).toBe('a\r\nb');
    expect(convert(['a\r', 'x', '\n'])).toBe('a\rx\r\n');
  });

  it('matches a byte-at-a-time reference on random input', () => {
    const alphabet = ['\r', '\n', 'a', 'é'];
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let i = 0; i < 40; i++) text += alphabet[Math.floor(Math.random() * alphabet.length)];
      const cuts: string[] = [];
      let rest = text;
      while (rest.length > 0) {
        const n = 1 + Math.floor(Math.random() * 7);
        cuts.push(rest.slice(0, n));
        rest = rest.slice(n);
      }
      const expected = text.replace(/(^|[^\r])\n/g, '$1\r\n').replace(/(^|[^\r])\n/g, '$1\r\n');
      expect(convert(cuts.map((s) => Buffer.from(s).toString('latin1')))).toBe(Buffer.from(expected).toString('latin1'));
    }
  });
});

describe('LogCapture with iisnode conventions', () => {
  const files = (directory: string, maxLogFileSizeInKB = 128) => ({
    enabled: true,
    directory,
    maxLogFileSizeInKB,
    maxTotalLogFileSizeInKB: 1024,
    maxLogFiles: 20,
    hostname: 'testhost',
    iisnodeConventions: true,
  });

  it('writes CRLF line ends and an index.html next to the one log file (iisnode test 105)', async () => {
    const directory = path.join(await makeTempDir(), 'iisnode');
    const capture = new LogCapture(new LogStore(), files(directory));
    const out = new PassThrough();
    capture.attach(out, { instance: 'web_0', worker: 'w1', pid: 7, stream: 'stdout' });
    for (let i = 1; i <= 5; i++) out.write(`Request${i}\n`);
    await tick();
    await endStream(out);
    await capture.close();
    const names = (await readdir(directory)).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toBe('index.html');
    expect(await readFile(path.join(directory, names[1] as string), 'latin1')).toBe('Request1\r\nRequest2\r\nRequest3\r\nRequest4\r\nRequest5\r\n');
    const index = await readFile(path.join(directory, 'index.html'), 'utf8');
    expect(index).toContain(`href="${names[1]}"`);
  });

  it('rolls over at maxLogFileSizeInKB=1: two 1 KB writes give two logs and the index (iisnode test 110)', async () => {
    const directory = path.join(await makeTempDir(), 'iisnode');
    const capture = new LogCapture(new LogStore(), files(directory, 1));
    const out = new PassThrough();
    capture.attach(out, { instance: 'web_0', worker: 'w1', pid: 8, stream: 'stdout' });
    out.write(`${'a'.repeat(1024)}\n${'b'.repeat(1024)}\n`); // one pipe chunk holding both writes
    await tick();
    await endStream(out);
    await capture.close();
    const names = (await readdir(directory)).sort();
    expect(names).toHaveLength(3);
    expect(names.filter((n) => n.endsWith('.txt'))).toHaveLength(2);
    const index = await readFile(path.join(directory, 'index.html'), 'utf8');
    for (const n of names.filter((x) => x.endsWith('.txt'))) expect(index).toContain(n);
  });

  it('lists files newest first, marks stderr and escapes names', () => {
    const html = renderLogIndex([
      { name: 'h-2-stderr-2.txt', size: 3, mtimeMs: 2000 },
      { name: 'h<x>-1-stdout-1.txt', size: 1, mtimeMs: 1000 },
    ]);
    expect(html.indexOf('h-2-stderr-2.txt')).toBeLessThan(html.indexOf('h&#60;x&#62;-1-stdout-1.txt'));
    expect(html).toContain('<tr class="err">');
    expect(renderLogIndex([])).toContain('No log files yet');
  });
});
