// Request and reply over a worker's IPC channel (the hook's `cloudbench:*` messages).
import type { ChildProcess } from 'node:child_process';

export interface IpcReply {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** Sends a message and resolves with the first reply of one of `replyTypes`; rejects on exit or timeout. */
export function ipcRequest(child: ChildProcess, message: object, replyTypes: readonly string[], timeoutMs: number): Promise<IpcReply> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      fn();
    };
    const onMessage = (m: unknown): void => {
      if (m !== null && typeof m === 'object' && replyTypes.includes((m as { type?: string }).type ?? '')) done(() => resolve(m as IpcReply));
    };
    const onExit = (): void => done(() => reject(new Error('the worker exited')));
    const timer = setTimeout(() => done(() => reject(new Error(`no answer from the worker hook within ${timeoutMs} ms`))), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
    try {
      child.send(message, (err) => {
        if (err) done(() => reject(err));
      });
    } catch (err) {
      done(() => reject(err as Error));
    }
  });
}
