// Real ptys running /bin/sh. Output is awaited, never slept for: each wait polls until its pattern shows
// up, with a timeout generous enough for a loaded 2-core machine. Commands compute what they print
// (`echo hello-$((1+2))`) because the terminal echoes what is typed: the typed line must not match.
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TerminalManager, TerminalOptions } from '../../../runtime/terminal/terminal-manager.js';

export const WAIT_MS = 8000;

export async function waitUntil<T>(probe: () => T | undefined | false, what: () => string, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Everything a session printed (its scrollback, then live output) and how it ended. */
export class Transcript {
  text: string;
  exits: Array<number | null> = [];
  readonly unsubscribe: () => void;

  constructor(manager: TerminalManager, readonly id: string) {
    // Same turn: nothing is lost or repeated between the two calls.
    this.text = manager.scrollback(id);
    this.unsubscribe = manager.subscribe(id, {
      onData: (data) => {
        this.text += data;
      },
      onExit: (code) => {
        this.exits.push(code);
      },
    });
  }

  waitFor(pattern: RegExp, timeoutMs = WAIT_MS): Promise<RegExpExecArray> {
    return waitUntil(() => pattern.exec(this.text) ?? undefined, () => `${pattern} in ${JSON.stringify(this.text.slice(-600))}`, timeoutMs);
  }

  async waitForExit(timeoutMs = WAIT_MS): Promise<number | null> {
    await waitUntil(() => this.exits.length > 0, () => `the exit of ${this.id}; output ${JSON.stringify(this.text.slice(-600))}`, timeoutMs);
    return this.exits[0] as number | null;
  }
}

export function tempFolder(): string {
  // realpath: macOS's /tmp is a symlink, and the shell reports the real folder.
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), 'cb-terminal-')));
}

/** Options for a plain /bin/sh with a fixed prompt, so tests do not depend on the machine's shell setup. */
export function shOptions(overrides: Partial<TerminalOptions> = {}): TerminalOptions {
  return {
    cwd: os.tmpdir(),
    env: { PATH: process.env.PATH, HOME: os.tmpdir(), PS1: '$ ' },
    cols: 80,
    rows: 24,
    shell: '/bin/sh',
    ...overrides,
  };
}

/** Whether `pid` runs; a zombie (exited, not yet reaped by its new parent) does not. Linux only. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Starts `sleep 1000 &` in the session and returns [shell pid, sleep pid]. */
export async function startBackgroundSleep(manager: TerminalManager, transcript: Transcript, prefix = ''): Promise<[number, number]> {
  const tag = `pids${Math.random().toString(36).slice(2, 8)}`;
  manager.write(transcript.id, `${prefix}sleep 1000 & echo ${tag}=$$,$!\r`);
  const match = await transcript.waitFor(new RegExp(`${tag}=(\\d+),(\\d+)`));
  return [Number(match[1]), Number(match[2])];
}
