// Shared set-up for the storage emulator tests: an in-process emulator on free ports, in memory.
import { AzureNamedKeyCredential } from '@azure/data-tables';
import { StorageSharedKeyCredential } from '@azure/storage-queue';
import { DEV_ACCOUNT, DEV_KEY, startStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import type { RunningStorageEmulator, StorageEmulatorOptions } from '../../../runtime/emulators/storage/index.js';

export { DEV_ACCOUNT, DEV_KEY };

export function startEmulator(options: StorageEmulatorOptions = {}): Promise<RunningStorageEmulator> {
  return startStorageEmulator({ inMemory: true, tablesPort: 0, queuesPort: 0, ...options });
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
