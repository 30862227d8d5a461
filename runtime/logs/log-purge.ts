// iisnode's retention (reference/iisnode.md §1.1 maxTotalLogFileSizeInKB / maxLogFiles, §2.8): each time a
// log file is created, the oldest log files of the folder (by mtime) are deleted until the folder is within
// both limits. The folder may be shared by many workers and by other Cloudbench instances, so the limits
// count every log file in it, not only ours.

import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isLogFileName, logFileStamp } from './log-file-name.js';

export interface PurgeLimits {
  maxTotalBytes: number;
  maxFiles: number;
}

interface LogFileEntry {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  stamp: number;
}

/**
 * Deletes the oldest log files in `directory` until their total size is ≤ maxTotalBytes and their count
 * ≤ maxFiles. Files for which `isProtected` says true (the ones being written right now) are skipped: on
 * POSIX, deleting an open file would make every later line vanish with it. They still count towards the
 * limits, so a folder whose open files alone exceed a limit stays above it. Returns the deleted names.
 */
export async function purgeLogFiles(
  directory: string,
  limits: PurgeLimits,
  isProtected: (filePath: string) => boolean,
): Promise<string[]> {
  const names = (await readdir(directory)).filter(isLogFileName);
  const entries = await Promise.all(names.map((name) => statLogFile(directory, name)));
  const files = entries.filter((f): f is LogFileEntry => f !== undefined);
  // mtime is iisnode's order; file systems with coarse mtimes give ties, broken by the creation stamp in
  // the name and then the name itself so the order is stable.
  files.sort((a, b) => a.mtimeMs - b.mtimeMs || a.stamp - b.stamp || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  let total = files.reduce((sum, f) => sum + f.size, 0);
  let count = files.length;
  const deleted: string[] = [];
  for (const file of files) {
    if (total <= limits.maxTotalBytes && count <= limits.maxFiles) break;
    if (isProtected(file.path)) continue;
    try {
      await unlink(file.path);
    } catch (error) {
      // Another process sharing the folder purged it first: it is gone either way.
      if (errorCode(error) !== 'ENOENT') throw error;
    }
    total -= file.size;
    count -= 1;
    deleted.push(file.name);
  }
  return deleted;
}

async function statLogFile(directory: string, name: string): Promise<LogFileEntry | undefined> {
  const filePath = path.join(directory, name);
  try {
    const info = await stat(filePath);
    if (!info.isFile()) return undefined;
    return { name, path: filePath, size: info.size, mtimeMs: info.mtimeMs, stamp: logFileStamp(name) };
  } catch (error) {
    // Deleted between readdir and stat, by another purger sharing the folder.
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
