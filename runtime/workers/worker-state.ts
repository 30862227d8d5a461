// A worker's life as an explicit state machine: every change goes through `transition`, and a change the
// table does not allow is a bug that throws CB_ERR_WORKERS_INVALID_TRANSITION.
import { cbError } from '../shared/errors.js';

export type WorkerState =
  /** Spawned; not yet accepting on its PORT. */
  | 'starting'
  /** Accepting; the front end may route to it. */
  | 'ready'
  /** Replaced or being removed: no new requests, in-flight ones finish. */
  | 'draining'
  /** Asked to exit (SIGTERM / IPC); killed if it does not within the timeout. */
  | 'stopping'
  /** The process is gone. */
  | 'exited';

const ALLOWED: Readonly<Record<WorkerState, readonly WorkerState[]>> = {
  starting: ['ready', 'stopping', 'exited'],
  ready: ['draining', 'stopping', 'exited'],
  draining: ['stopping', 'exited'],
  stopping: ['exited'],
  exited: [],
};

export function assertTransition(worker: string, from: WorkerState, to: WorkerState): void {
  if (!ALLOWED[from].includes(to)) throw cbError('CB_ERR_WORKERS_INVALID_TRANSITION', { worker, from, to });
}
