// Shared by the logs tests: real temporary folders and a way to wait for a stream's end.

import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PassThrough } from 'node:stream';
import { afterEach } from 'vitest';
import { isLogFileName, logFileStamp } from '../../../runtime/logs/log-file-name.js';

const created: string[] = [];

/** A fresh folder under os.tmpdir(), removed after the current test. */
export async function makeTempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudbench-logs-'));
  created.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Our log files in `dir`, optionally only one stream, in creation order (by the stamp in the name). */
export async function logFiles(dir: string, stream?: 'stdout' | 'stderr'): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => isLogFileName(n) && (stream === undefined || n.includes(`-${stream}-`)));
  return names.sort((a, b) => logFileStamp(a) - logFileStamp(b));
}

/** The concatenated bytes of those files. */
export async function logBytes(dir: string, stream?: 'stdout' | 'stderr'): Promise<Buffer> {
  const names = await logFiles(dir, stream);
  return Buffer.concat(await Promise.all(names.map((n) => readFile(path.join(dir, n)))));
}

/**
 * Ends `stream` and waits for its 'end' event. The capture attached its listener first, so by the time
 * this resolves the capture has seen the end too.
 */
export async function endStream(stream: PassThrough): Promise<void> {
  const ended = once(stream, 'end');
  stream.end();
  await ended;
}

/** Lets pending stream events ('data' of a write just made) run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
