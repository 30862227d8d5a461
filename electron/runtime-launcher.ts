// Starts the runtime (`bin/cloudbench.js serve <folder> --control-port 0`) as a child process, reads the
// workbench URL it prints, stops it (and so every worker and terminal it owns) on quit, and reports a crash.
//
// The process is created by an injected `ForkRuntime`: in the app, Electron's `utilityProcess.fork` (see
// main.ts for why); in tests, plain `child_process.spawn(node, …)` (test/unit/electron/runtime-launcher.test.ts
// runs the real CLI on a fixture). Stopping sends the `shutdown` message the CLI treats like Ctrl-C (Windows
// has no SIGINT to send), then kills it after a grace period; the workers' hook exits them if it is killed.
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { cbError } from '../runtime/shared/errors.js';
import type { CloudbenchError } from '../runtime/shared/errors.js';
import { originOf } from './url-policy.js';

/** The part of a child process (Electron's `UtilityProcess`, or a Node `ChildProcess` adapter) we use. */
export interface RuntimeChild {
  readonly pid: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  /** `code` is the exit code; a child killed by a signal reports a non-zero code. */
  once(event: 'exit', listener: (code: number) => void): this;
  /** Sends the runtime a message (the CLI stops on `{ type: 'shutdown' }`). */
  postMessage(message: unknown): void;
  kill(): boolean;
}

export type ForkRuntime = (modulePath: string, args: string[], options: { env: NodeJS.ProcessEnv }) => RuntimeChild;

export type RuntimeStatus =
  | { readonly state: 'idle' }
  | { readonly state: 'starting'; readonly folder: string }
  | { readonly state: 'running'; readonly folder: string; readonly workbenchUrl: string; readonly appUrl: string | undefined }
  | { readonly state: 'stopping' }
  | { readonly state: 'stopped'; readonly code: number }
  | { readonly state: 'crashed'; readonly error: CloudbenchError };

export interface RuntimeLauncherEvents {
  status: [RuntimeStatus];
  /** Each line the runtime prints (stdout and stderr), for the main process's log. */
  line: [stream: 'stdout' | 'stderr', text: string];
}

export interface RuntimeLauncherOptions {
  /** Path of bin/cloudbench.js. */
  readonly cli: string;
  readonly fork: ForkRuntime;
  /** Environment of the runtime (it passes it on to workers and terminals). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** How long `start` waits for the workbench URL. @default 60000 */
  readonly startTimeoutMs?: number;
  /** How long `stop` waits for a clean exit before it kills. @default 10000 */
  readonly stopTimeoutMs?: number;
}

export interface RunningRuntime {
  readonly workbenchUrl: string;
  /** `http://127.0.0.1:<control port>`: the only origin the window may show. */
  readonly origin: string;
  readonly appUrl: string | undefined;
}

/** Lines kept for error messages. */
const TAIL_LINES = 30;

const WORKBENCH_LINE = /^cloudbench: workbench at (http:\/\/127\.0\.0\.1:\d+\/\S*)/;
const SERVING_LINE = /^cloudbench: serving .*? at (http:\/\/\S+?)\/?(?:\s|$)/;

export class RuntimeLauncher extends EventEmitter<RuntimeLauncherEvents> {
  readonly #options: RuntimeLauncherOptions;
  #status: RuntimeStatus = { state: 'idle' };
  #child: RuntimeChild | undefined;
  #exited: Promise<number> | undefined;
  #tail: string[] = [];

  constructor(options: RuntimeLauncherOptions) {
    super();
    this.#options = options;
  }

  get status(): RuntimeStatus {
    return this.#status;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The last lines the runtime printed. */
  get tail(): readonly string[] {
    return this.#tail;
  }

  #set(status: RuntimeStatus): void {
    this.#status = status;
    this.emit('status', status);
  }

  /**
   * Starts `cloudbench serve <folder> --control-port 0 …args` and resolves once it printed its workbench
   * URL; rejects with CB_ERR_SHELL_RUNTIME_START (quoting its output) when it exits or stays silent first.
   */
  async start(folder: string, args: readonly string[] = []): Promise<RunningRuntime> {
    if (this.#child !== undefined) throw new Error(`the runtime is already ${this.#status.state}; stop it first`);
    this.#tail = [];
    this.#set({ state: 'starting', folder });
    const child = this.#options.fork(this.#options.cli, ['serve', folder, '--control-port', '0', ...args], { env: this.#options.env ?? process.env });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', resolve));
    let appUrl: string | undefined;
    const ready = new Promise<RunningRuntime>((resolve) => {
      this.#readLines(child.stdout, 'stdout', (text) => {
        const serving = SERVING_LINE.exec(text);
        if (serving) appUrl = serving[1];
        const workbench = WORKBENCH_LINE.exec(text);
        if (workbench) resolve({ workbenchUrl: workbench[1] as string, origin: originOf(workbench[1] as string) as string, appUrl });
      });
      this.#readLines(child.stderr, 'stderr', () => {});
    });
    const timeoutMs = this.#options.startTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const failed = Promise.race([
      this.#exited.then((code) => `it exited with code ${code}`),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`it printed no workbench URL within ${timeoutMs / 1000} s`), timeoutMs))),
    ]);
    const outcome = await Promise.race([ready, failed]);
    clearTimeout(timer);
    if (typeof outcome === 'string') {
      const error = cbError('CB_ERR_SHELL_RUNTIME_START', { detail: `${outcome}. Its output:\n${this.#tail.join('\n')}` });
      const stopping = this.#status.state === 'stopping';
      await this.#forceStop();
      // stop() during start reports the stop itself; otherwise this failure is the news.
      if (!stopping) this.#set({ state: 'crashed', error });
      throw error;
    }
    this.#set({ state: 'running', folder, workbenchUrl: outcome.workbenchUrl, appUrl });
    void this.#exited.then((code) => this.#onExit(child, code));
    return outcome;
  }

  #readLines(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr', onLine: (text: string) => void): void {
    if (stream === null) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (text) => {
      this.#tail.push(text);
      if (this.#tail.length > TAIL_LINES) this.#tail.shift();
      this.emit('line', name, text);
      onLine(text);
    });
  }

  /** An exit nobody asked for is a crash. */
  #onExit(child: RuntimeChild, code: number): void {
    if (this.#child !== child || this.#status.state === 'stopping') return;
    this.#child = undefined;
    const error = cbError('CB_ERR_SHELL_RUNTIME_EXITED', { exit: `exit code ${code}`, tail: this.#tail.slice(-10).join('\n') || '(nothing)' });
    this.#set({ state: 'crashed', error });
  }

  async #forceStop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined) return;
    child.kill();
    await this.#exited;
  }

  /**
   * Stops the runtime and waits for it: asks it to shut down (it stops its workers and terminals), then
   * kills it if it has not exited after `stopTimeoutMs`. Resolves with its exit code (or undefined if it was
   * not running).
   */
  async stop(): Promise<number | undefined> {
    const child = this.#child;
    const exited = this.#exited;
    if (child === undefined || exited === undefined) return undefined;
    this.#set({ state: 'stopping' });
    try {
      child.postMessage({ type: 'shutdown' });
    } catch {
      // Its channel is already gone: the kill below is the only way left.
      child.kill();
    }
    const timer = setTimeout(() => child.kill(), this.#options.stopTimeoutMs ?? 10_000);
    const code = await exited;
    clearTimeout(timer);
    this.#child = undefined;
    this.#set({ state: 'stopped', code });
    return code;
  }
}
