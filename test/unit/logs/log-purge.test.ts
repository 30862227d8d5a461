import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { isLogFileName, logFileName } from '../../../runtime/logs/log-file-name.js';
import { purgeLogFiles } from '../../../runtime/logs/log-purge.js';
import { makeTempDir } from './log-test-helpers.js';

const HOUR = 3600;

/** Writes `name` with `bytes` bytes and an mtime `hoursAgo` hours in the past. */
async function put(dir: string, name: string, bytes: number, hoursAgo: number): Promise<void> {
  const file = path.join(dir, name);
  await writeFile(file, 'x'.repeat(bytes));
  const t = Date.now() / 1000 - hoursAgo * HOUR;
  await utimes(file, t, t);
}

// Names that look a bit like ours but are not: purging must never delete them, even when they are the oldest.
const UNRELATED = ['notes.txt', 'index.html', 'web.config', 'host-1-stdout-abc.txt', 'notes-stdout-backup.txt', 'x-stdout-1.txt', 'host-1-stderr-2.log'];

describe('log file names', () => {
  it("are iisnode's <host>-<pid>-<stream>-<ms>.txt and only those match", () => {
    expect(logFileName('myhost', 42, 'stderr', 1700000000123)).toBe('myhost-42-stderr-1700000000123.txt');
    expect(logFileName('my host/x', 1, 'stdout', 5)).toBe('my_host_x-1-stdout-5.txt');
    expect(isLogFileName('my-host.local-42-stdout-1700000000123.txt')).toBe(true);
    for (const name of UNRELATED) expect(isLogFileName(name)).toBe(false);
  });
});

describe('purgeLogFiles', () => {
  it('deletes the oldest log files (by mtime) until the count is within maxFiles, never other files', async () => {
    const dir = await makeTempDir();
    for (const name of UNRELATED) await put(dir, name, 10, 100);
    await mkdir(path.join(dir, 'h-9-stdout-9.txt')); // a folder with our pattern: not a log file
    // Name stamps deliberately disagree with mtimes: the order is mtime's.
    await put(dir, 'h-1-stdout-5.txt', 10, 5);
    await put(dir, 'h-2-stderr-4.txt', 10, 4);
    await put(dir, 'h-3-stdout-3.txt', 10, 3);
    await put(dir, 'h-4-stdout-2.txt', 10, 2);
    await put(dir, 'h-5-stdout-1.txt', 10, 1);

    const deleted = await purgeLogFiles(dir, { maxTotalBytes: 1e9, maxFiles: 2 }, () => false);

    expect(deleted).toEqual(['h-1-stdout-5.txt', 'h-2-stderr-4.txt', 'h-3-stdout-3.txt']);
    expect((await readdir(dir)).sort()).toEqual([...UNRELATED, 'h-4-stdout-2.txt', 'h-5-stdout-1.txt', 'h-9-stdout-9.txt'].sort());
  });

  it('deletes the oldest until the total size is within maxTotalBytes, not counting other files', async () => {
    const dir = await makeTempDir();
    await put(dir, 'big-unrelated.log', 50_000, 100);
    await put(dir, 'h-1-stdout-1.txt', 1000, 4);
    await put(dir, 'h-1-stdout-2.txt', 1000, 3);
    await put(dir, 'h-1-stdout-3.txt', 1000, 2);
    await put(dir, 'h-1-stdout-4.txt', 1000, 1);

    const deleted = await purgeLogFiles(dir, { maxTotalBytes: 2000, maxFiles: 100 }, () => false);

    expect(deleted).toEqual(['h-1-stdout-1.txt', 'h-1-stdout-2.txt']);
    expect((await readdir(dir)).sort()).toEqual(['big-unrelated.log', 'h-1-stdout-3.txt', 'h-1-stdout-4.txt']);
  });

  it('skips protected (open) files but still counts them', async () => {
    const dir = await makeTempDir();
    await put(dir, 'h-1-stdout-1.txt', 10, 3);
    await put(dir, 'h-2-stdout-2.txt', 10, 2);
    await put(dir, 'h-3-stdout-3.txt', 10, 1);
    const open = path.join(dir, 'h-1-stdout-1.txt');

    const deleted = await purgeLogFiles(dir, { maxTotalBytes: 1e9, maxFiles: 1 }, (p) => p === open);

    expect(deleted).toEqual(['h-2-stdout-2.txt', 'h-3-stdout-3.txt']);
    expect(await readdir(dir)).toEqual(['h-1-stdout-1.txt']);
  });

  it('deletes nothing when the folder is within both limits', async () => {
    const dir = await makeTempDir();
    await put(dir, 'h-1-stdout-1.txt', 10, 2);
    await put(dir, 'h-1-stdout-2.txt', 10, 1);
    expect(await purgeLogFiles(dir, { maxTotalBytes: 20, maxFiles: 2 }, () => false)).toEqual([]);
    expect(await readdir(dir)).toHaveLength(2);
  });
});
