// LogCapture with real streams: lines into the store, the stderr tail, files off or failing, close().

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { LogCapture } from '../../../runtime/logs/log-capture.js';
import type { LogFileOptions } from '../../../runtime/logs/log-capture.js';
import { LogStore } from '../../../runtime/logs/log-store.js';
import type { CloudbenchError } from '../../../runtime/shared/errors.js';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';
import { endStream, logBytes, makeTempDir, tick } from './log-test-helpers.js';

const OFF: LogFileOptions = { enabled: false, directory: '', maxLogFileSizeInKB: 128, maxTotalLogFileSizeInKB: 1024, maxLogFiles: 20 };
const META = { instance: 'web_0', worker: 'w1', pid: 4242 } as const;

function texts(store: LogStore, stream?: 'stdout' | 'stderr'): string[] {
  return store.query({ limit: 1e9, stream }).map((r) => r.text);
}

describe('LogCapture: lines into the store', () => {
  it('splits across chunk boundaries, strips \\r\\n, and emits the last line without newline at the end', async () => {
    const store = new LogStore();
    const capture = new LogCapture(store, OFF);
    const out = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });

    out.write('Listening on \\\\.\\pipe\\x\r');
    await tick();
    expect(texts(store)).toEqual([]); // partial line held
    out.write('\nGET / 2');
    out.write('00\n\npartial');
    await tick();
    expect(texts(store)).toEqual(['Listening on \\\\.\\pipe\\x', 'GET / 200', '']);
    await endStream(out);
    expect(texts(store)).toEqual(['Listening on \\\\.\\pipe\\x', 'GET / 200', '', 'partial']);

    const [first] = store.query({ limit: 1, afterSeq: 0, beforeSeq: 2 });
    expect(first).toMatchObject({ instance: 'web_0', worker: 'w1', pid: 4242, stream: 'stdout' });
    expect(Math.abs((first?.time ?? 0) - Date.now())).toBeLessThan(5000);
  });

  it('keeps the two streams of a worker apart', async () => {
    const store = new LogStore();
    const capture = new LogCapture(store, OFF);
    const out = new PassThrough();
    const err = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    capture.attach(err, { ...META, stream: 'stderr' });
    out.write('to out\n');
    err.write('to err\n');
    await Promise.all([endStream(out), endStream(err)]);
    expect(texts(store, 'stdout')).toEqual(['to out']);
    expect(texts(store, 'stderr')).toEqual(['to err']);
  });
});

describe('LogCapture: stderr tail', () => {
  it('keeps the last 64 KB of stderr per pid, without files, bounded by maxBytes, until forget', async () => {
    const capture = new LogCapture(new LogStore({ capacity: 10 }), OFF);
    const err = new PassThrough();
    const out = new PassThrough();
    capture.attach(err, { ...META, stream: 'stderr' });
    capture.attach(out, { ...META, stream: 'stdout' });
    let written = '';
    for (let i = 0; i < 5000; i++) {
      const line = `stderr line ${i} ${'e'.repeat(i % 13)}\n`;
      written += line;
      err.write(line);
    }
    out.write('stdout is not in the tail\n');
    await Promise.all([endStream(err), endStream(out)]);

    expect(written.length).toBeGreaterThan(65536);
    expect(capture.stderrTail(4242)).toBe(written.slice(-65536));
    expect(capture.stderrTail(4242, 100)).toBe(written.slice(-100));
    expect(capture.stderrTail(999)).toBe('');
    capture.forget(4242);
    expect(capture.stderrTail(4242)).toBe('');
  });

  it('honours a smaller stderrTailBytes and starts afresh when a pid is reused', async () => {
    const capture = new LogCapture(new LogStore(), OFF, { stderrTailBytes: 8 });
    const first = new PassThrough();
    capture.attach(first, { ...META, stream: 'stderr' });
    first.write('0123456789abcdef');
    await endStream(first);
    expect(capture.stderrTail(4242)).toBe('89abcdef');

    const second = new PassThrough();
    capture.attach(second, { ...META, stream: 'stderr' });
    second.write('new');
    await tick();
    expect(capture.stderrTail(4242)).toBe('new');
  });
});

describe('LogCapture: an unwritable log folder', () => {
  it('records CB_ERR_LOGS_DIRECTORY once, does not throw, and keeps the records', async () => {
    const dir = await makeTempDir();
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    const directory = path.join(blocker, 'logs'); // mkdir fails: ENOTDIR
    const reported: CloudbenchError[] = [];
    const store = new LogStore();
    const capture = new LogCapture(store, { ...OFF, enabled: true, directory }, { onError: (e) => reported.push(e) });
    expect(capture.lastError).toBeUndefined();

    const out = new PassThrough();
    const err = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    capture.attach(err, { ...META, stream: 'stderr' });
    out.write('first\n');
    err.write('oops\n');
    await tick();
    await capture.flush();
    out.write('second\n');
    await endStream(out);
    await endStream(err);
    await capture.flush();
    // A worker started after the failure gets no file writer at all.
    const late = new PassThrough();
    capture.attach(late, { ...META, pid: 7, stream: 'stdout' });
    late.write('late\n');
    await endStream(late);
    await capture.close();

    expect(isCloudbenchError(capture.lastError, 'CB_ERR_LOGS_DIRECTORY')).toBe(true);
    expect(capture.lastError?.params.path).toBe(directory);
    expect(capture.lastError?.message).toContain(directory);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBe(capture.lastError);
    expect(texts(store)).toEqual(['first', 'oops', 'second', 'late']);
    expect(capture.stderrTail(4242)).toBe('oops\n');
  });

  it('rejects a relative log folder with CB_ERR_CONFIG_VALUE, but not when files are off', () => {
    expect(() => new LogCapture(new LogStore(), { ...OFF, enabled: false, directory: 'iisnode' })).not.toThrow();
    let caught: unknown;
    try {
      new LogCapture(new LogStore(), { ...OFF, enabled: true, directory: 'iisnode' });
    } catch (error) {
      caught = error;
    }
    expect(isCloudbenchError(caught, 'CB_ERR_CONFIG_VALUE')).toBe(true);
  });
});

describe('LogCapture: close', () => {
  it('emits held partial lines, stops reading, and drains a stream attached afterwards', async () => {
    const dir = await makeTempDir();
    const store = new LogStore();
    const capture = new LogCapture(store, { ...OFF, enabled: true, directory: path.join(dir, 'logs'), hostname: 'h' });
    const out = new PassThrough();
    capture.attach(out, { ...META, stream: 'stdout' });
    out.write('whole\nheld');
    await tick();
    await capture.close();
    expect(texts(store)).toEqual(['whole', 'held']);
    out.write('after close\n');
    await tick();
    expect(texts(store)).toEqual(['whole', 'held']);

    const late = new PassThrough();
    capture.attach(late, { ...META, stream: 'stdout' });
    late.write('ignored\n');
    await endStream(late); // would never end if nobody consumed it
    expect(texts(store)).toEqual(['whole', 'held']);
    expect((await logBytes(path.join(dir, 'logs'))).toString()).toBe('whole\nheld'); // close() wrote everything
  });
});
