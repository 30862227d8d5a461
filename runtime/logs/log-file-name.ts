// Log file names, as iisnode's interceptor wrote them (reference/iisnode.md §2.8):
// `<COMPUTERNAME>-<pid>-<stdout|stderr>-<epoch ms>.txt`. Tools and people that read iisnode's log folder
// find the same names here.

import type { LogStream } from './log-store.js';

// Purging deletes files, so it recognises ours strictly: <anything>-<digits>-<stdout|stderr>-<digits>.txt.
// A user's `notes-stdout-backup.txt` in the same folder does not match and is never touched.
const LOG_FILE_PATTERN = /^.+-\d+-(?:stdout|stderr)-(\d+)\.txt$/;

export function logFileName(hostname: string, pid: number, stream: LogStream, stamp: number): string {
  return `${safeHostname(hostname)}-${pid}-${stream}-${stamp}.txt`;
}

export function isLogFileName(name: string): boolean {
  return LOG_FILE_PATTERN.test(name);
}

/** The epoch-ms stamp of a log file name, or NaN if it is not one of ours. */
export function logFileStamp(name: string): number {
  const match = LOG_FILE_PATTERN.exec(name);
  return match ? Number(match[1]) : Number.NaN;
}

// Host names are normally [A-Za-z0-9.-], but os.hostname() returns whatever the machine was given; a
// slash or colon there would make the name a path or invalid on Windows.
function safeHostname(hostname: string): string {
  const cleaned = hostname.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned === '' ? 'localhost' : cleaned;
}
