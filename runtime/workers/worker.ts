// One node worker process: spawn with PORT = its own pipe, detect readiness, count requests, stop gracefully.
import { spawn as nodeSpawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { cbError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import { createDebug } from '../logs/debug.js';
import { assertTransition } from './worker-state.js';
import type { WorkerState } from './worker-state.js';

const debug = createDebug('cloudbench:worker');

export type WorkerAddress = { readonly kind: 'pipe'; readonly path: string } | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface WorkerSpec {
  /** Executable and the arguments before the script: nodeProcessCommandLine, the hook, the app's node flags. */
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** How long the app may take to listen on PORT. */
  readonly startTimeoutMs: number;
  /** A background script (a worker role): ready once spawned, it listens on nothing. */
  readonly background?: boolean;
}

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly uptimeMs: number;
  /** Whether Cloudbench asked for the exit (stop/kill) or it happened on its own. */
  readonly expected: boolean;
  /** Set when the process could not be started at all. */
  readonly error?: CloudbenchError;
}

export interface WorkerEventMap {
  spawned: [child: ChildProcess];
  ready: [];
  idle: [];
  exit: [exit: WorkerExit];
}

export type Spawner = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface WorkerIdentity {
  /** Unique within the runtime, e.g. "3". */
  readonly id: string;
  /** Slot number within its group, from 1 (iisnode's process ordinal). */
  readonly ordinal: number;
  readonly generation: number;
}

export class Worker extends EventEmitter<WorkerEventMap> {
  readonly id: string;
  readonly ordinal: number;
  readonly generation: number;
  readonly address: WorkerAddress;
  state: WorkerState = 'starting';
  pid: number | undefined;
  /** Requests (and upgraded sockets) the front end has in flight on this worker. */
  active = 0;
  total = 0;
  startedAt = 0;
  readyAt = 0;
  exitInfo: WorkerExit | undefined;
  /** Stopped in the debugger (runtime/debug): the front end routes nothing new to it until it resumes. */
  paused = false;

  #child: ChildProcess | undefined;
  #stopRequested = false;
  #startTimer: NodeJS.Timeout | undefined;
  #probe: net.Socket | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  readonly #exited: Promise<WorkerExit>;
  #resolveExited!: (exit: WorkerExit) => void;

  constructor(identity: WorkerIdentity, address: WorkerAddress, private readonly spawner: Spawner = nodeSpawn) {
    super();
    this.id = identity.id;
    this.ordinal = identity.ordinal;
    this.generation = identity.generation;
    this.address = address;
    this.#exited = new Promise((resolve) => (this.#resolveExited = resolve));
  }

  get label(): string {
    return `#${this.ordinal} (gen ${this.generation}, pid ${this.pid ?? '-'})`;
  }

  /** The process, for the debugger's IPC and stderr (undefined before start). */
  get child(): ChildProcess | undefined {
    return this.#child;
  }

  /** Resolves when the process has exited (immediately if it already has). */
  get exited(): Promise<WorkerExit> {
    return this.#exited;
  }

  start(spec: WorkerSpec): void {
    this.startedAt = Date.now();
    let child: ChildProcess;
    try {
      child = this.spawner(spec.command, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        windowsHide: true,
      });
    } catch (err) {
      this.#finish({ code: null, signal: null, uptimeMs: 0, expected: false, error: cbError('CB_ERR_WORKERS_SPAWN', { command: spec.command, detail: (err as Error).message }, err) });
      return;
    }
    this.#child = child;
    this.pid = child.pid;
    child.on('error', (err: NodeJS.ErrnoException) => {
      // 'error' without a pid means the executable could not be started (ENOENT, EACCES).
      if (this.pid === undefined || err.code === 'ENOENT') {
        this.#finish({ code: null, signal: null, uptimeMs: 0, expected: false, error: cbError('CB_ERR_WORKERS_SPAWN', { command: spec.command, detail: err.code === 'ENOENT' ? 'not found on the PATH' : err.message }, err) });
      }
    });
    child.on('message', (message: unknown) => {
      if (message !== null && typeof message === 'object' && (message as { type?: unknown }).type === 'cloudbench:ready') this.#markReady('hook');
    });
    // Prefer 'close' to 'exit': it comes once stdout/stderr are read to the end, so the stderr tail is complete
    // when the exit is reported. A grandchild holding the pipes open must not delay it for long, though.
    child.on('exit', (code, signal) => {
      const uptimeMs = Date.now() - this.startedAt;
      const finish = (): void => this.#finish({ code, signal, uptimeMs, expected: this.#stopRequested });
      const timer = setTimeout(finish, 250);
      child.once('close', () => {
        clearTimeout(timer);
        finish();
      });
    });
    if (this.pid !== undefined && spec.background) {
      this.emit('spawned', child);
      this.#markReady('spawned');
    } else if (this.pid !== undefined) {
      this.emit('spawned', child);
      this.#startTimer = setTimeout(() => this.#startTimedOut(spec.startTimeoutMs), spec.startTimeoutMs);
      this.#probeSoon(5);
    }
  }

  /** Poll-connect to PORT until the app accepts: readiness for apps that run without the hook. */
  #probeSoon(delayMs: number): void {
    setTimeout(() => {
      if (this.state !== 'starting') return;
      const socket = net.connect(this.address.kind === 'pipe' ? { path: this.address.path } : { host: this.address.host, port: this.address.port });
      this.#probe = socket;
      socket.once('connect', () => {
        socket.destroy();
        this.#markReady('probe');
      });
      socket.once('error', () => {
        socket.destroy();
        this.#probeSoon(Math.min(100, Math.ceil(delayMs * 1.5)));
      });
    }, delayMs).unref();
  }

  #markReady(how: 'hook' | 'probe' | 'spawned'): void {
    if (this.state !== 'starting') return;
    clearTimeout(this.#startTimer);
    this.#probe?.destroy();
    this.#set('ready');
    this.readyAt = Date.now();
    debug('worker %s ready after %d ms (%s)', this.label, this.readyAt - this.startedAt, how);
    this.emit('ready');
  }

  #startTimedOut(timeoutMs: number): void {
    if (this.state !== 'starting') return;
    debug('worker %s did not listen within %d ms', this.label, timeoutMs);
    this.startError = cbError('CB_ERR_WORKERS_START_TIMEOUT', { worker: this.label, pid: this.pid ?? '-', timeoutMs });
    this.kill();
  }

  /** Set when the worker was killed for not listening in time. */
  startError: CloudbenchError | undefined;

  /** No new requests; in-flight ones finish. Emits 'idle' when the last one does. */
  drain(): void {
    if (this.state === 'ready') this.#set('draining');
  }

  requestStarted(): void {
    this.active++;
    this.total++;
  }

  requestFinished(): void {
    this.active--;
    if (this.active === 0) this.emit('idle');
  }

  /** Resolves when no request is in flight, or after timeoutMs. */
  whenIdle(timeoutMs: number): Promise<void> {
    if (this.active === 0 || this.state === 'exited') return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.off('idle', done);
        this.off('exit', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.once('idle', done);
      this.once('exit', done);
    });
  }

  /** SIGTERM (an IPC message on Windows, where signals do not exist), then SIGKILL after killAfterMs. */
  stop(killAfterMs: number): Promise<WorkerExit> {
    if (this.state === 'exited') return this.#exited;
    if (this.state !== 'stopping') {
      this.#set('stopping');
      this.#stopRequested = true;
      const child = this.#child;
      if (child && process.platform === 'win32' && child.connected) child.send({ type: 'cloudbench:shutdown' }, () => undefined);
      else child?.kill('SIGTERM');
      this.#killTimer = setTimeout(() => this.kill(), killAfterMs);
    }
    return this.#exited;
  }

  /** SIGKILL now. An unexpected kill (e.g. from the UI) is treated like a crash: the slot restarts. */
  kill(expected = this.#stopRequested): Promise<WorkerExit> {
    if (this.state === 'exited') return this.#exited;
    this.#stopRequested = expected;
    this.#child?.kill('SIGKILL');
    return this.#exited;
  }

  #finish(exit: WorkerExit): void {
    if (this.state === 'exited') return;
    clearTimeout(this.#startTimer);
    clearTimeout(this.#killTimer);
    this.#probe?.destroy();
    this.#set('exited');
    this.exitInfo = exit;
    debug('worker %s exited code=%s signal=%s after %d ms', this.label, exit.code, exit.signal, exit.uptimeMs);
    this.#resolveExited(exit);
    this.emit('exit', exit);
  }

  #set(to: WorkerState): void {
    assertTransition(this.label, this.state, to);
    this.state = to;
  }
}
