// One terminal: a shell on a pseudo-terminal, the output it has written (so a reloaded page can redraw
// it), the browser tabs listening to it, and how it ended. It outlives its shell: an exited session keeps
// its scrollback and exit code until the manager closes it.
import { createRequire } from 'node:module';
import type * as NodePty from 'node-pty';
import type { TerminalInfo } from '../shared/protocol.js';
import { cbError } from '../shared/errors.js';
import { ByteTail } from '../logs/byte-tail.js';
import { createDebug } from '../logs/debug.js';
import { killSession } from './session-kill.js';
import type { KillTiming } from './session-kill.js';
import type { ResolvedTerminalOptions } from './terminal-options.js';

const debug = createDebug('terminal');

export interface TerminalListener {
  onData(data: string): void;
  /** The shell's exit code; null when a signal ended it. */
  onExit(exitCode: number | null): void;
}

// node-pty is a native addon: load it on the first open() rather than with this module, so a build that
// does not match this Node (or Electron) fails the terminal with CB_ERR_TERMINAL_SPAWN instead of failing
// the whole runtime at startup.
const requireCjs = createRequire(import.meta.url);
let nodePty: typeof NodePty | undefined;

function spawnPty(options: ResolvedTerminalOptions): NodePty.IPty {
  try {
    nodePty ??= requireCjs('node-pty') as typeof NodePty;
    return nodePty.spawn(options.shellPath, [], {
      name: options.env.TERM,
      cols: options.cols,
      rows: options.rows,
      cwd: options.cwd,
      env: options.env,
      encoding: 'utf8',
    });
  } catch (error) {
    const detail = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    throw cbError('CB_ERR_TERMINAL_SPAWN', { shell: options.shell, detail }, error);
  }
}

export class TerminalSession {
  readonly id: string;
  readonly title: string;
  readonly cwd: string;
  readonly pid: number;
  #cols: number;
  #rows: number;
  #alive = true;
  #exitCode: number | null = null;
  #ending: Promise<void> | undefined;
  readonly #pty: NodePty.IPty;
  readonly #scrollback: ByteTail;
  readonly #scrollbackBytes: number;
  // One entry per subscribe() call, so the same listener subscribed twice is two subscribers.
  readonly #listeners = new Set<{ readonly listener: TerminalListener }>();
  readonly #exited: Promise<void>;

  /** Forks the shell; throws CB_ERR_TERMINAL_SPAWN when node-pty cannot. `onExited` runs after the listeners. */
  constructor(id: string, options: ResolvedTerminalOptions, onExited: (session: TerminalSession) => void) {
    this.id = id;
    this.title = options.title;
    this.cwd = options.cwd;
    this.#cols = options.cols;
    this.#rows = options.rows;
    this.#scrollbackBytes = options.scrollbackBytes;
    this.#scrollback = new ByteTail(options.scrollbackBytes);
    this.#pty = spawnPty(options);
    this.pid = this.#pty.pid;
    debug('terminal %s: %s (pid %d) in %s, %dx%d', id, options.shellPath, this.pid, options.cwd, options.cols, options.rows);
    this.#pty.onData((data) => this.#output(data));
    this.#exited = new Promise((resolve) => {
      // node-pty reports exit only after the pty's last output has been read, so the scrollback is complete.
      this.#pty.onExit(({ exitCode, signal }) => {
        // Unix: a shell ended by a signal reports exitCode 0 plus the signal; Windows reports no signal.
        this.#exit(signal ? null : exitCode);
        resolve();
        onExited(this);
      });
    });
  }

  get alive(): boolean {
    return this.#alive;
  }

  info(): TerminalInfo {
    return { id: this.id, title: this.title, cwd: this.cwd, cols: this.#cols, rows: this.#rows, alive: this.#alive, exitCode: this.#exitCode };
  }

  /** Sends keystrokes. Input for a shell that has exited or is being ended goes nowhere, as in a closed window. */
  write(data: string): void {
    if (this.#alive && this.#ending === undefined) this.#pty.write(data);
  }

  /** Takes sizes checked by the caller. An exited session just records the size for its next redraw. */
  resize(cols: number, rows: number): void {
    this.#cols = cols;
    this.#rows = rows;
    if (!this.#alive) return;
    try {
      this.#pty.resize(cols, rows);
    } catch (error) {
      // The shell exited between the check and the call; its exit event is on its way.
      debug('terminal %s: resize after exit: %s', this.id, error instanceof Error ? error.message : String(error));
    }
  }

  scrollback(): string {
    return this.#scrollback.read(this.#scrollbackBytes);
  }

  /** A listener of an exited session hears onExit at once (inside this call) and nothing else. */
  subscribe(listener: TerminalListener): () => void {
    if (!this.#alive) {
      listener.onExit(this.#exitCode);
      return () => {};
    }
    const entry = { listener };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Ends the shell and the processes it started; idempotent. Listeners still hear the exit. */
  end(timing: KillTiming): Promise<void> {
    this.#ending ??= killSession(
      { pid: this.pid, isAlive: () => this.#alive, exited: this.#exited, kill: () => this.#pty.kill() },
      timing,
    );
    return this.#ending;
  }

  #output(data: string): void {
    this.#scrollback.push(Buffer.from(data, 'utf8'));
    // A copy: a listener may unsubscribe (itself or another) while we deliver.
    for (const { listener } of [...this.#listeners]) {
      this.#deliver('onData', () => listener.onData(data));
    }
  }

  #exit(exitCode: number | null): void {
    this.#alive = false;
    this.#exitCode = exitCode;
    debug('terminal %s: shell (pid %d) exited with %s', this.id, this.pid, exitCode ?? 'a signal');
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const { listener } of listeners) {
      this.#deliver('onExit', () => listener.onExit(exitCode));
    }
  }

  /** One failing listener (a closed WebSocket) must not keep the output from the others. */
  #deliver(what: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      debug('terminal %s: a listener threw in %s: %s', this.id, what, error instanceof Error ? error.message : String(error));
    }
  }
}
