// Shared set-up for the storage emulator tests: an in-process emulator on free ports, in memory.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AzureNamedKeyCredential } from '@azure/data-tables';
import { StorageSharedKeyCredential } from '@azure/storage-queue';
import { DEV_ACCOUNT, DEV_KEY, startStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import type { RunningStorageEmulator, StorageEmulatorOptions } from '../../../runtime/emulators/storage/index.js';

export { DEV_ACCOUNT, DEV_KEY };

/** In memory; CB_TEST_STORAGE_DISK=1 runs the same tests on a temporary data folder (group commit, WAL). */
export function startEmulator(options: StorageEmulatorOptions = {}): Promise<RunningStorageEmulator> {
  const where = process.env.CB_TEST_STORAGE_DISK ? { dataDir: mkdtempSync(path.join(os.tmpdir(), 'cb-storage-test-')) } : { inMemory: true };
  return startStorageEmulator({ ...where, tablesPort: 0, queuesPort: 0, ...options });
}

export const tableCredential = () => new AzureNamedKeyCredential(DEV_ACCOUNT, DEV_KEY);
export const queueCredential = () => new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);

/** The error an SDK call rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

let counter = 0;
/** A fresh table or queue name per test. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** Azure's error code as each SDK surfaces it (data-tables keeps it in details.errorCode). */
export function codeOf(error: any): string | undefined {
  return error?.details?.errorCode ?? error?.code ?? error?.details?.odataError?.code;
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to 127.0.0.1 on base's port, exactly as given (for what the SDKs would not send). */
export function rawRequest(base: string, method: string, path: string, body: string, headers: Record<string, string>): Promise<RawReply> {
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Runs `node <args>` with only PATH and the environment Cloudbench gives workers (as a worker would see it);
 * resolves its exit code and output.
 */
export async function runWithWorkerEnvironment(emu: RunningStorageEmulator, args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  const env = { PATH: process.env.PATH ?? '', ...emu.environment() };
  const child = spawn(process.execPath, args, { env, cwd: process.cwd() });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, out, err };
}
