// Which project the desktop app opens at start: a folder on the command line (`npm start -- ./my-app`, or a
// folder dropped on the app icon), else the most recent project, else a fresh copy of the bundled sample
// (the runtime needs a folder to serve; the sample's copy is writable, it writes its logs there).
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** Options of `cloudbench serve` the desktop app passes on (the rest of Electron's argv is Chromium's). */
const SERVE_OPTIONS = ['port', 'host', 'workers', 'queue-length', 'queue-timeout', 'worker-port'] as const;

export interface ShellArgs {
  readonly folder: string | undefined;
  /** `--port 0` and friends, passed to `cloudbench serve`. */
  readonly serveArgs: string[];
}

/** Parses the app's own arguments (after the executable, and after the app path when not packaged). */
export function parseShellArgs(argv: readonly string[]): ShellArgs {
  const options = Object.fromEntries([...SERVE_OPTIONS.map((o) => [o, { type: 'string' } as const]), ['no-hook', { type: 'boolean' } as const]]);
  // strict: false: Chromium switches (--no-sandbox, --enable-logging…) may be there too; we ignore them.
  const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: false });
  const serveArgs: string[] = [];
  for (const o of SERVE_OPTIONS) {
    const v = values[o];
    if (typeof v === 'string') serveArgs.push(`--${o}`, v);
  }
  if (values['no-hook'] === true) serveArgs.push('--no-hook');
  const folder = positionals.find((p) => !p.startsWith('-'));
  return { folder: folder === undefined ? undefined : path.resolve(folder), serveArgs };
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The newest existing folder of `<home>/recent.json` (the runtime's list; see runtime/control/workbench.ts). */
export function mostRecentProject(home: string): string | undefined {
  try {
    const list: unknown = JSON.parse(readFileSync(path.join(home, 'recent.json'), 'utf8'));
    if (!Array.isArray(list)) return undefined;
    for (const entry of list) {
      const folder = (entry as { folder?: unknown }).folder;
      if (typeof folder === 'string' && isFolder(folder)) return folder;
    }
  } catch {
    // No list yet, or unreadable: start from the sample.
  }
  return undefined;
}

/** Copies the bundled sample into `to` (once) and returns it; the bundled copy may be read-only. */
export function ensureSampleCopy(from: string, to: string): string {
  if (!existsSync(to)) cpSync(from, to, { recursive: true });
  return to;
}

export function chooseStartFolder(args: ShellArgs, home: string, sample: () => string): string {
  if (args.folder !== undefined) return args.folder;
  return mostRecentProject(home) ?? sample();
}
