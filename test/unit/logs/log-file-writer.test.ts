import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { LogDirectory } from '../../../runtime/logs/log-directory.js';
import { LogFileWriter } from '../../../runtime/logs/log-file-writer.js';
import { logBytes, logFiles, makeTempDir } from './log-test-helpers.js';

function directoryAt(directory: string): LogDirectory {
  return new LogDirectory({ directory, hostname: 'h', maxTotalBytes: 1e9, maxFiles: 1e6 });
}

describe('LogFileWriter', () => {
  it('asks the source to pause above its high-water mark and calls back once drained', async () => {
    const dir = await makeTempDir();
    const writer = new LogFileWriter(directoryAt(dir), 1, 'stdout', 1e9, 1000);
    expect(writer.write(Buffer.alloc(600, 'a'))).toBe(true);
    expect(writer.write(Buffer.alloc(600, 'b'))).toBe(false); // 1200 queued ≥ 1000
    let drained = false;
    writer.onceDrained(() => {
      drained = true;
    });
    expect(drained).toBe(false);
    await writer.idle();
    expect(drained).toBe(true);
    await writer.end();
    expect((await logBytes(dir)).toString()).toBe('a'.repeat(600) + 'b'.repeat(600));
  });

  it('gives every file a distinct, increasing stamp even when many roll over in the same millisecond', async () => {
    const dir = await makeTempDir();
    const writer = new LogFileWriter(directoryAt(dir), 1, 'stderr', 0); // limit 0: one line per file
    let expected = '';
    for (let i = 0; i < 50; i++) {
      expected += `line ${i}\n`;
      writer.write(Buffer.from(`line ${i}\n`));
    }
    await writer.end();
    const names = await logFiles(dir);
    expect(names).toHaveLength(50);
    expect((await logBytes(dir)).toString()).toBe(expected); // logBytes orders by stamp: same order as written
  });

  it('reports a failure to the directory once and drops what it cannot write', async () => {
    const dir = await makeTempDir();
    await writeFile(path.join(dir, 'file'), '');
    const errors: unknown[] = [];
    const directory = new LogDirectory({ directory: path.join(dir, 'file', 'logs'), hostname: 'h', maxTotalBytes: 1, maxFiles: 1 }, (e) => errors.push(e));
    const writer = new LogFileWriter(directory, 1, 'stdout', 1e9, 10);
    writer.write(Buffer.from('lost\n'));
    let drained = false;
    writer.onceDrained(() => {
      drained = true;
    });
    await writer.end();
    expect(drained).toBe(true);
    expect(directory.disabled).toBe(true);
    expect(errors).toHaveLength(1);
    expect(writer.write(Buffer.from('more\n'))).toBe(true); // files are off: accepted and dropped, never paused
  });
});
