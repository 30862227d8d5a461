// Starts the emulators beside the runtime: a child Node process under plain Node. Inside Electron the
// runtime is a utility process whose executable cannot act as Node (the RunAsNode fuse is off) and whose
// native modules are built for Electron, so the emulators run in a worker thread there instead: their own
// event loop, though not their own process.

import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EmulatorChildMessage } from './child.js';
import type { EmulatorEndpoints, EmulatorsOptions } from './host.js';
import { createDebug } from '../logs/debug.js';

const debug = createDebug('cloudbench:emulators');
const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface EmulatorProcess extends EmulatorEndpoints {
  stop(): Promise<void>;
}

export function startEmulatorProcess(options: EmulatorsOptions): Promise<EmulatorProcess> {
  const inElectron = process.versions.electron !== undefined;
  let child: ChildProcess | undefined;
  let thread: Worker | undefined;
  if (inElectron) thread = new Worker(CHILD, { workerData: options });
  else child = fork(CHILD, [JSON.stringify(options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const source = (thread ?? child) as NodeJS.EventEmitter;
  return new Promise<EmulatorProcess>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the emulators did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child?.kill('SIGKILL');
      void thread?.terminate();
      reject(error);
    };
    source.once('exit', (code: number | null) => fail(new Error(`the emulators process exited with code ${code} while starting`)));
    source.on('message', (m: EmulatorChildMessage) => {
      if (m.type === 'error') return fail(new Error(m.message));
      clearTimeout(timer);
      source.removeAllListeners('exit');
      source.once('exit', (code: number | null) => debug('emulators exited with code %s', code));
      resolve({
        ...m.endpoints,
        stop: () =>
          new Promise<void>((done) => {
            const killer = setTimeout(() => {
              child?.kill('SIGKILL');
              void thread?.terminate();
            }, 5000);
            source.once('exit', () => {
              clearTimeout(killer);
              done();
            });
            if (child) {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.send({ type: 'shutdown' });
            } else thread?.postMessage({ type: 'shutdown' });
          }),
      });
    });
  });
}
