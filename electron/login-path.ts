// An app started from the macOS Finder or Dock (or a Linux desktop menu) gets a minimal PATH
// (/usr/bin:/bin:/usr/sbin:/sbin on macOS), not the one the user's shell profile builds, which is where nvm,
// Homebrew (/opt/homebrew/bin), Volta and asdf put `node`. The workers run the user's `node` and the terminal
// runs their shell, so before the runtime starts, the shell asks the user's login shell for its PATH once
// (what VS Code does) and puts it in front of the PATH the app was given.
import { spawn } from 'node:child_process';

const MARK = '__CLOUDBENCH_PATH__';

export interface LoginPathOptions {
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  /** How long the login shell may take (profiles can be slow or hang). @default 3000 */
  readonly timeoutMs?: number;
}

/** The PATH the user's interactive login shell sets up; undefined on Windows or when the shell fails. */
export function loginShellPath({ platform, env, timeoutMs = 3000 }: LoginPathOptions): Promise<string | undefined> {
  if (platform === 'win32') return Promise.resolve(undefined);
  const shell = env.SHELL || (platform === 'darwin' ? '/bin/zsh' : '/bin/sh');
  return new Promise((resolve) => {
    // Markers around the value: profiles may print banners or other text to stdout. A process group of its
    // own, so that a profile that hangs is killed with everything it started (which would hold the pipe).
    const child = spawn(shell, ['-ilc', `printf '%s%s%s' '${MARK}' "$PATH" '${MARK}'`], { env, detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve(undefined);
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('error', () => (clearTimeout(timer), resolve(undefined)));
    child.once('close', (code) => {
      clearTimeout(timer);
      const parts = out.split(MARK);
      resolve(code === 0 && parts.length >= 3 && parts[1] ? parts[1] : undefined);
    });
  });
}

/** `first` then `then`, without empty or repeated entries. */
export function mergePath(first: string | undefined, then: string | undefined, delimiter = ':'): string {
  const out: string[] = [];
  for (const part of [...(first ?? '').split(delimiter), ...(then ?? '').split(delimiter)]) {
    if (part !== '' && !out.includes(part)) out.push(part);
  }
  return out.join(delimiter);
}
