// Entry point of the emulators process that `cloudbench serve` starts (emulator-process.ts). It receives its
// options as JSON in argv[2] (or workerData in a worker thread), starts the emulators, reports their
// endpoints, and closes them on request or when its parent goes away.

import { parentPort, workerData } from 'node:worker_threads';
import { startEmulators } from './host.js';
import type { EmulatorsOptions } from './host.js';

export type EmulatorChildMessage =
  | { type: 'ready'; endpoints: Omit<Awaited<ReturnType<typeof startEmulators>>, 'close'> }
  | { type: 'error'; message: string };

const options = (parentPort ? workerData : JSON.parse(process.argv[2] ?? '{}')) as EmulatorsOptions;
const send = (message: EmulatorChildMessage): void => {
  if (parentPort) parentPort.postMessage(message);
  else if (process.connected) process.send?.(message);
};

try {
  const running = await startEmulators(options);
  const { close, ...endpoints } = running;
  send({ type: 'ready', endpoints });
  const stop = (): void => void close().finally(() => process.exit(0));
  const onMessage = (m: unknown): void => {
    if (typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'shutdown') stop();
  };
  if (parentPort) parentPort.on('message', onMessage);
  else {
    process.on('message', onMessage);
    // The runtime went away (even killed with SIGKILL): nobody needs the emulators any more.
    process.on('disconnect', stop);
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  }
} catch (err) {
  send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exitCode = 1;
}
