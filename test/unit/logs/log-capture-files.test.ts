// LogCapture's files: iisnode's names, rollover, retention, and no line lost under a real flood.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { LogCapture } from '../../../runtime/logs/log-capture.js';
import type { LogFileOptions } from '../../../runtime/logs/log-capture.js';
import { LogStore } from '../../../runtime/logs/log-store.js';
import { endStream, logBytes, logFiles, makeTempDir, tick } from './log-test-helpers.js';

function filesIn(directory: string, over: Partial<LogFileOptions> = {}): LogFileOptions {
  return { enabled: true, directory, maxLogFileSizeInKB: 128, maxTotalLogFileSizeInKB: 1024, maxLogFiles: 20, hostname: 'testhost', ...over };
}
const META = { instance: 'web_0', worker: 'w1', pid: 4242 } as const;

/** `count` lines of exactly `width` bytes each (newline included). */
function block(count: number, width: number, tag: string): string {
  let text = '';
  for (let i = 0; i < count; i++) text += `${tag}${i}`.padEnd(width - 1, '.') + '\n';
  return text;
}

describe('LogCapture files: names and content', () => {
  it('creates the folder on first write and names files <host>-<pid>-<stream>-<ms>.txt, bytes unchanged', async () => {
    const root = await makeTempDir();
    const directory = path.join(root, 'deep', 'iisnode');
    const capture = new LogCapture(new LogStore(), filesIn(directory));
    const out = new PassThrough();
    const err = new PassThrough();
    const other = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    capture.attach(err, { ...META, stream: 'stderr' });
    capture.attach(other, { ...META, worker: 'w2', pid: 5151, stream: 'stdout' });
    await tick();
    await capture.flush();
    await expect(stat(directory)).rejects.toMatchObject({ code: 'ENOENT' }); // nothing written yet

    const before = Date.now();
    out.write('a\nb\r\nno newline');
    err.write('Error: x\r\n');
    other.write('second worker\n');
    await Promise.all([endStream(out), endStream(err), endStream(other)]);
    await capture.flush();
    const after = Date.now();

    const names = await readdir(directory);
    expect(names).toHaveLength(3);
    for (const [pid, stream] of [[4242, 'stdout'], [4242, 'stderr'], [5151, 'stdout']] as const) {
      const name = names.find((n) => n.startsWith(`testhost-${pid}-${stream}-`));
      const stamp = Number(/^testhost-\d+-std(?:out|err)-(\d+)\.txt$/.exec(name ?? '')?.[1]);
      expect(stamp).toBeGreaterThanOrEqual(before);
      expect(stamp).toBeLessThanOrEqual(after);
    }
    expect((await logBytes(directory, 'stdout')).toString()).toContain('a\nb\r\nno newline'); // no \n → \r\n
    expect((await logBytes(directory, 'stderr')).toString()).toBe('Error: x\r\n');
  });
});

describe('LogCapture files: rollover at maxLogFileSizeInKB', () => {
  it('two 1 KB writes with a 1 KB limit make two files', async () => {
    const directory = await makeTempDir();
    const capture = new LogCapture(new LogStore(), filesIn(directory, { maxLogFileSizeInKB: 1 }));
    const out = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    const one = block(16, 64, 'one');
    const two = block(16, 64, 'two');
    out.write(one);
    out.write(two);
    await endStream(out);
    await capture.flush();

    const names = await logFiles(directory);
    expect(names).toHaveLength(2);
    expect(await readFile(path.join(directory, names[0] as string), 'utf8')).toBe(one);
    expect(await readFile(path.join(directory, names[1] as string), 'utf8')).toBe(two);
  });

  it('puts one line longer than the limit whole into one file, and cuts a many-line chunk at line ends', async () => {
    const directory = await makeTempDir();
    const capture = new LogCapture(new LogStore(), filesIn(directory, { maxLogFileSizeInKB: 1 }));
    const out = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    const long = 'L'.repeat(3000) + '\n';
    const many = block(48, 64, 'm'); // 3 KB of 64-byte lines in one write
    out.write(long);
    out.write(many);
    await endStream(out);
    await capture.flush();

    const contents = await Promise.all((await logFiles(directory)).map((n) => readFile(path.join(directory, n), 'utf8')));
    expect(contents[0]).toBe(long);
    expect(contents.slice(1)).toHaveLength(3);
    for (const text of contents.slice(1)) {
      expect(text.length).toBeLessThanOrEqual(1024);
      expect(text.endsWith('\n')).toBe(true);
    }
    expect(contents.join('')).toBe(long + many);
  });

  it('makes the folder again if it is deleted while running', async () => {
    const root = await makeTempDir();
    const directory = path.join(root, 'logs');
    const capture = new LogCapture(new LogStore(), filesIn(directory, { maxLogFileSizeInKB: 1 }));
    const out = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    out.write(block(16, 64, 'a'));
    await tick();
    await capture.flush();
    await rm(directory, { recursive: true });
    out.write(block(16, 64, 'b')); // does not fit: rolls over into a new file in a folder that is gone
    await endStream(out);
    await capture.flush();
    expect(capture.lastError).toBeUndefined();
    expect((await logBytes(directory)).toString()).toBe(block(16, 64, 'b'));
  });
});

describe('LogCapture files: retention', () => {
  async function oldFile(dir: string, name: string, bytes: number, hoursAgo: number): Promise<void> {
    await writeFile(path.join(dir, name), 'o'.repeat(bytes));
    const t = Date.now() / 1000 - hoursAgo * 3600;
    await utimes(path.join(dir, name), t, t);
  }

  it('on a new file, deletes the oldest log files beyond maxLogFiles, never unrelated files', async () => {
    const directory = await makeTempDir();
    const unrelated = ['index.html', 'notes-stdout-old.txt', 'server.js'];
    for (const name of unrelated) await oldFile(directory, name, 10, 100);
    for (let i = 1; i <= 5; i++) await oldFile(directory, `otherhost-${i}-stdout-${i}.txt`, 10, 10 - i);
    const capture = new LogCapture(new LogStore(), filesIn(directory, { maxLogFiles: 3 }));
    const out = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    out.write('hello\n');
    await endStream(out);
    await capture.flush();

    const names = (await readdir(directory)).sort();
    const ours = (await logFiles(directory)).filter((n) => n.startsWith('testhost-'));
    expect(ours).toHaveLength(1);
    expect(names).toEqual([...unrelated, 'otherhost-4-stdout-4.txt', 'otherhost-5-stdout-5.txt', ...ours].sort());
  });

  it('on a new file, deletes the oldest log files beyond maxTotalLogFileSizeInKB', async () => {
    const directory = await makeTempDir();
    await oldFile(directory, 'big.log', 100_000, 100);
    // 4 × 700 B: deleting the two oldest leaves 1400 B plus our new file (0 or 100 B, depending on whether
    // the purge sees it before or after its first write): within 2 KB either way.
    for (let i = 1; i <= 4; i++) await oldFile(directory, `otherhost-${i}-stderr-${i}.txt`, 700, 10 - i);
    const capture = new LogCapture(new LogStore(), filesIn(directory, { maxTotalLogFileSizeInKB: 2, maxLogFiles: 100 }));
    const out = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    out.write('x'.repeat(99) + '\n');
    await endStream(out);
    await capture.flush();

    const names = (await readdir(directory)).sort();
    expect(names.filter((n) => n.startsWith('otherhost-'))).toEqual(['otherhost-3-stderr-3.txt', 'otherhost-4-stderr-4.txt']);
    expect(names).toContain('big.log');
    expect(names.filter((n) => n.startsWith('testhost-4242-stdout-'))).toHaveLength(1);
  });
});

describe('LogCapture files: purging while workers write', () => {
  it('never deletes a file still being written, even when open files alone exceed maxLogFiles', async () => {
    const directory = await makeTempDir();
    const capture = new LogCapture(new LogStore(), filesIn(directory, { maxLogFiles: 1 }));
    const out = new PassThrough();
    const err = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    capture.attach(err, { ...META, stream: 'stderr' });
    out.write('out 1\n');
    await tick();
    await capture.flush();
    err.write('err 1\n'); // a second file: 2 > maxLogFiles, but the older one is open
    await tick();
    await capture.flush();
    out.write('out 2\n');
    await Promise.all([endStream(out), endStream(err)]);
    await capture.flush();
    expect((await logBytes(directory, 'stdout')).toString()).toBe('out 1\nout 2\n');
    expect((await logBytes(directory, 'stderr')).toString()).toBe('err 1\n');
  });
});

describe('LogCapture files: a real worker flooding both pipes', () => {
  it('loses no line: 10,000 stdout + 2,000 stderr lines → the same records and the same bytes on disk', async () => {
    const directory = await makeTempDir();
    const store = new LogStore();
    const capture = new LogCapture(store, filesIn(directory, { maxLogFileSizeInKB: 32, maxTotalLogFileSizeInKB: 100_000, maxLogFiles: 1000 }));
    const script = `
      for (let i = 0; i < 10000; i++) {
        process.stdout.write('out ' + i + ' ' + 'x'.repeat(i % 50) + '\\n');
        if (i % 5 === 0) process.stderr.write('err ' + i + '\\r\\n');
      }
      process.stdout.write('no newline at the end');
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid as number;
    capture.attach(child.stdout, { instance: 'web_0', worker: 'w1', pid, stream: 'stdout' });
    capture.attach(child.stderr, { instance: 'web_0', worker: 'w1', pid, stream: 'stderr' });
    const [code] = await once(child, 'close');
    expect(code).toBe(0);
    await capture.flush();

    const outLines: string[] = [];
    const errLines: string[] = [];
    for (let i = 0; i < 10000; i++) {
      outLines.push(`out ${i} ${'x'.repeat(i % 50)}`);
      if (i % 5 === 0) errLines.push(`err ${i}`);
    }
    outLines.push('no newline at the end');
    const outText = store.query({ limit: 1e9, stream: 'stdout' }).map((r) => r.text);
    expect(outText).toEqual(outLines);
    expect(store.query({ limit: 1e9, stream: 'stderr' }).map((r) => r.text)).toEqual(errLines);

    expect((await logBytes(directory, 'stdout')).toString()).toBe(outLines.join('\n'));
    expect((await logBytes(directory, 'stderr')).toString()).toBe(errLines.map((l) => l + '\r\n').join(''));
    const outFiles = await logFiles(directory, 'stdout');
    expect(outFiles.length).toBeGreaterThan(5);
    for (const name of outFiles) {
      expect(name).toMatch(new RegExp(`^testhost-${pid}-stdout-\\d+\\.txt$`));
      expect((await stat(path.join(directory, name))).size).toBeLessThanOrEqual(32 * 1024);
    }
    expect(capture.stderrTail(pid, 10)).toBe('err 9995\r\n');
  });
});
