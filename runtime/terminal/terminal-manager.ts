// The runtime's terminal sessions, as the control API serves them (protocol: TerminalInfo, the
// /api/terminals routes and the terminal.* WebSocket messages). Sessions live here rather than in a
// browser tab, so a reload finds them again: it lists them, redraws each from scrollback() and
// subscribes. A session whose shell exited stays listed (alive: false, exitCode) until it is closed.
//
// To attach without losing or repeating output, call scrollback() and subscribe() in the same turn of the
// event loop: output arrives only between turns.
import { randomBytes } from 'node:crypto';
import type { TerminalInfo } from '../shared/protocol.js';
import { cbError } from '../shared/errors.js';
import { createDebug } from '../logs/debug.js';
import { checkTerminalSize, resolveTerminalOptions } from './terminal-options.js';
import type { TerminalOptions } from './terminal-options.js';
import { TerminalSession } from './terminal-session.js';
import type { TerminalListener } from './terminal-session.js';
import type { KillTiming } from './session-kill.js';

export type { TerminalOptions } from './terminal-options.js';
export type { TerminalListener } from './terminal-session.js';

const debug = createDebug('terminal');

export interface TerminalManagerDefaults {
  /** The shell for sessions that name none. @default $SHELL, else bash, else /bin/sh; on Windows powershell.exe, else %ComSpec% */
  shell?: string;
  /** How long close() gives the session's processes after SIGHUP before it sends SIGKILL (Unix). @default 1000 */
  killGraceMs?: number;
}

const DEFAULT_KILL_GRACE_MS = 1000;
const FORCE_WAIT_MS = 3000;
const POLL_MS = 50;

export class TerminalManager {
  readonly #sessions = new Map<string, TerminalSession>();
  /** Sessions closed but whose processes may still be running; closeAll() waits for them too. */
  readonly #ending = new Set<Promise<void>>();
  readonly #changeListeners = new Set<() => void>();
  readonly #shell: string | undefined;
  readonly #timing: KillTiming;

  constructor(defaults: TerminalManagerDefaults = {}) {
    this.#shell = defaults.shell;
    const graceMs = defaults.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    if (!Number.isInteger(graceMs) || graceMs < 0) {
      throw cbError('CB_ERR_CONFIG_VALUE', { option: 'killGraceMs', value: String(graceMs), expected: 'a whole number of milliseconds, 0 or more' });
    }
    this.#timing = { graceMs, forceWaitMs: FORCE_WAIT_MS, pollMs: POLL_MS };
  }

  /** Starts a shell. Throws CB_ERR_CONFIG_VALUE for a bad size, cwd or scrollbackBytes, CB_ERR_TERMINAL_SPAWN when the shell cannot start. */
  open(options: TerminalOptions): TerminalInfo {
    const resolved = resolveTerminalOptions(options, { shell: this.#shell });
    const session = new TerminalSession(this.#newId(), resolved, () => this.#changed());
    this.#sessions.set(session.id, session);
    this.#changed();
    return session.info();
  }

  /** Every session, open or exited, oldest first. */
  list(): TerminalInfo[] {
    return [...this.#sessions.values()].map((s) => s.info());
  }

  get(id: string): TerminalInfo | undefined {
    return this.#sessions.get(id)?.info();
  }

  write(id: string, data: string): void {
    this.#session(id).write(data);
  }

  resize(id: string, cols: number, rows: number): void {
    const session = this.#session(id);
    const size = checkTerminalSize(cols, rows);
    session.resize(size.cols, size.rows);
    this.#changed();
  }

  /**
   * Forgets the session at once and ends its shell and every process the shell started: SIGHUP to its
   * process session, SIGKILL after killGraceMs (Unix); the pseudo console's processes (Windows).
   * Subscribers still hear the exit.
   */
  close(id: string): void {
    const session = this.#session(id);
    this.#sessions.delete(id);
    const ending = session.end(this.#timing);
    this.#ending.add(ending);
    void ending.finally(() => this.#ending.delete(ending));
    this.#changed();
  }

  scrollback(id: string): string {
    return this.#session(id).scrollback();
  }

  subscribe(id: string, listener: TerminalListener): () => void {
    return this.#session(id).subscribe(listener);
  }

  /**
   * Calls `listener` when the list changes: a session opened, resized, exited or closed. The control API
   * pushes the `terminals` topic from it. Returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => {
      this.#changeListeners.delete(listener);
    };
  }

  /** Closes every session (runtime shutdown); resolves when their processes are gone. Never rejects. */
  async closeAll(): Promise<void> {
    for (const id of [...this.#sessions.keys()]) this.close(id);
    await Promise.all([...this.#ending]);
  }

  #session(id: string): TerminalSession {
    const session = this.#sessions.get(id);
    if (session === undefined) throw cbError('CB_ERR_TERMINAL_NOT_FOUND', { id: String(id) });
    return session;
  }

  /** 8 random hex digits: short enough for a URL, and no counter that restarts and hands an old id to a new shell. */
  #newId(): string {
    for (;;) {
      const id = randomBytes(4).toString('hex');
      if (!this.#sessions.has(id)) return id;
    }
  }

  #changed(): void {
    for (const listener of [...this.#changeListeners]) {
      try {
        listener();
      } catch (error) {
        debug('a change listener threw: %s', error instanceof Error ? error.message : String(error));
      }
    }
  }
}
