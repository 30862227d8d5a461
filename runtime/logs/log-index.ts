// The listing of a log folder: iisnode wrote an index.html into the folder on each new log file (newest
// first, stderr rows marked, links to the files; reference/iisnode.md §2.8), and the same page answers the
// log URL. Written here from scratch; the rows come from the folder, so files of every worker and of
// other Cloudbench runs sharing the folder are listed.

import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isLogFileName } from './log-file-name.js';

export const LOG_INDEX_FILE = 'index.html';

export interface LogFileInfo {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The log files of `directory`, newest first; an absent folder has none. */
export async function listLogFiles(directory: string): Promise<LogFileInfo[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter(isLogFileName);
  } catch {
    return [];
  }
  const infos = await Promise.all(
    names.map(async (name) => {
      try {
        const st = await stat(path.join(directory, name));
        return st.isFile() ? { name, size: st.size, mtimeMs: st.mtimeMs } : undefined;
      } catch {
        return undefined; // purged between readdir and stat
      }
    }),
  );
  return infos.filter((f): f is LogFileInfo => f !== undefined).sort((a, b) => b.mtimeMs - a.mtimeMs || (a.name < b.name ? 1 : -1));
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML page listing `files` (already sorted). Links are relative, so it works from any URL or from disk. */
export function renderLogIndex(files: readonly LogFileInfo[]): string {
  const rows = files
    .map((f) => {
      const err = f.name.includes('-stderr-');
      return `<tr${err ? ' class="err"' : ''}><td><a href="${encodeURIComponent(f.name)}">${escape(f.name)}</a></td><td>${err ? 'stderr' : 'stdout'}</td><td>${f.size}</td><td>${new Date(f.mtimeMs).toISOString()}</td></tr>`;
    })
    .join('\n');
  const table = files.length === 0 ? '<p>No log files yet.</p>' : `<table><tr><th>File</th><th>Stream</th><th>Bytes</th><th>Last written</th></tr>\n${rows}\n</table>`;
  return `<!doctype html>\n<meta charset="utf-8"><title>Logs</title><style>body{font:14px system-ui,sans-serif;margin:2em}td,th{padding:2px 12px;text-align:left}.err,.err a{color:#b00}</style>\n<h1>Logs</h1>\n${table}\n`;
}

/** Rewrites `<directory>/index.html` from the folder's current files. */
export async function writeLogIndex(directory: string): Promise<void> {
  await writeFile(path.join(directory, LOG_INDEX_FILE), renderLogIndex(await listLogFiles(directory)));
}
