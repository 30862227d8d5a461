// A terminal session's options, checked and completed before anything is forked (STYLE.md Part 2 §7: the
// feature resolves its own options). Every check names the option, the value received and what was expected.
import { statSync } from 'node:fs';
import path from 'node:path';
import { cbError } from '../shared/errors.js';
import { defaultShell, envValue, findExecutable, shellTitle } from './find-shell.js';

export interface TerminalOptions {
  /** The folder the shell starts in. */
  cwd: string;
  /** The shell's whole environment (not merged with the runtime's). Unset values are skipped. */
  env: NodeJS.ProcessEnv;
  /** Whole number, 2..1000. */
  cols: number;
  /** Whole number, 1..500. */
  rows: number;
  /**
   * A program name looked up on the env's PATH, or a path.
   * @default the manager's shell, else $SHELL, else bash, else /bin/sh; on Windows powershell.exe, else %ComSpec%
   */
  shell?: string;
  /**
   * How much output the session keeps for a reload to redraw; the oldest is dropped first.
   * @default 262144 (256 KiB)
   */
  scrollbackBytes?: number;
}

export interface ResolvedTerminalOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cols: number;
  readonly rows: number;
  /** The shell as named (for messages) and where it was found (what is forked). */
  readonly shell: string;
  readonly shellPath: string;
  readonly title: string;
  readonly scrollbackBytes: number;
}

export const DEFAULT_SCROLLBACK_BYTES = 256 * 1024;
const MAX_SCROLLBACK_BYTES = 64 * 1024 * 1024;

// The same bounds as the protocol's TerminalSizeSchema: a request that passes there passes here.
const COLS = { min: 2, max: 1000 } as const;
const ROWS = { min: 1, max: 500 } as const;

function checkWholeNumber(option: string, value: unknown, min: number, max: number, unit = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw cbError('CB_ERR_CONFIG_VALUE', { option, value: String(value), expected: `a whole number from ${min} to ${max}${unit}` });
  }
  return value;
}

/** Throws CB_ERR_CONFIG_VALUE unless cols and rows are whole numbers within the terminal's bounds. */
export function checkTerminalSize(cols: unknown, rows: unknown): { cols: number; rows: number } {
  return {
    cols: checkWholeNumber('cols', cols, COLS.min, COLS.max),
    rows: checkWholeNumber('rows', rows, ROWS.min, ROWS.max),
  };
}

function checkCwd(cwd: unknown): string {
  const expected = 'the path of an existing folder';
  if (typeof cwd !== 'string' || cwd === '') throw cbError('CB_ERR_CONFIG_VALUE', { option: 'cwd', value: String(cwd), expected });
  const absolute = path.resolve(cwd);
  let isFolder = false;
  try {
    isFolder = statSync(absolute).isDirectory();
  } catch {
    // Missing or unreadable: reported below like a file.
  }
  if (!isFolder) throw cbError('CB_ERR_CONFIG_VALUE', { option: 'cwd', value: cwd, expected });
  return absolute;
}

/**
 * The environment the shell sees: the given one without unset values. COLUMNS and LINES are dropped
 * because programs prefer them to the pty's size, so a resize would not take; TERM defaults to what the
 * workbench's xterm.js emulates.
 */
function shellEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || name === 'COLUMNS' || name === 'LINES') continue;
    result[name] = value;
  }
  result.TERM ??= 'xterm-256color';
  return result;
}

export function resolveTerminalOptions(options: TerminalOptions, defaults: { shell?: string } = {}): ResolvedTerminalOptions {
  const { cols, rows } = checkTerminalSize(options.cols, options.rows);
  const cwd = checkCwd(options.cwd);
  const env = shellEnv(options.env ?? {});
  const scrollbackBytes = options.scrollbackBytes === undefined
    ? DEFAULT_SCROLLBACK_BYTES
    : checkWholeNumber('scrollbackBytes', options.scrollbackBytes, 0, MAX_SCROLLBACK_BYTES, ' bytes');
  // $SHELL is the session's if it sets one, else the runtime's.
  const shell = options.shell || defaults.shell || defaultShell({ ...process.env, ...env });
  const shellPath = findExecutable(shell, env, cwd);
  if (shellPath === undefined) {
    const where = /[\\/]/.test(shell) ? 'no such executable file' : `not found on the PATH (${envValue(env, 'PATH') ?? 'PATH is not set'})`;
    throw cbError('CB_ERR_TERMINAL_SPAWN', { shell, detail: where });
  }
  return { cwd, env, cols, rows, shell, shellPath, title: shellTitle(shell), scrollbackBytes };
}
