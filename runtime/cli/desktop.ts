// `cloudbench start` (what `npm start` runs): the desktop app when an Electron binary is installed, otherwise
// serve mode with the workbench opened in the user's browser. Also the message channel through which the
// desktop app stops a runtime it started. Plain Node: this never imports electron (it only looks for the
// binary; requiring the electron package would try to download it).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: package.json's "main" is the Electron main process. */
export const APP_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The Electron executable to run, or why there is none (said to the user before serve mode starts). */
export function findElectron(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): { binary: string } | { reason: string } {
  if (env.CLOUDBENCH_NO_ELECTRON) return { reason: 'CLOUDBENCH_NO_ELECTRON is set' };
  let pkgDir: string;
  try {
    pkgDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed (npm install adds it as a dev dependency)' };
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(pkgDir, 'dist');
  const binary = relative === undefined ? undefined : path.join(distDir, relative);
  if (binary === undefined || !existsSync(binary)) {
    return { reason: 'the Electron binary is not downloaded (it comes from GitHub on first use; run `npx install-electron` where GitHub is reachable)' };
  }
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return { reason: `there is no display for Electron (DISPLAY and WAYLAND_DISPLAY are unset)` };
  return { binary };
}

/** Runs the desktop app in the foreground, passing Ctrl-C on; resolves with its exit code. */
export function runDesktop(binary: string, args: readonly string[]): Promise<number> {
  const child = spawn(binary, [APP_ROOT, ...args], { stdio: 'inherit', windowsHide: false });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, forward);
  return new Promise((resolve) => {
    const done = (code: number): void => {
      for (const s of signals) process.off(s, forward);
      resolve(code);
    };
    child.once('error', (err) => {
      process.stderr.write(`cloudbench: cannot start Electron (${binary}): ${err.message}\n`);
      done(1);
    });
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

/**
 * Opens `url` in the user's browser if this machine can (open / start / xdg-open with a display); never
 * throws. Returns what happened, in words, for the terminal.
 */
export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.BROWSER === 'none') return 'not opening a browser (BROWSER=none)';
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'not opening a browser: there is no display; open the workbench URL above yourself';
  // `start` is a cmd built-in; its first quoted argument is a window title, hence the empty one.
  const [command, args] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['cmd', ['/d', '/s', '/c', `"start "" "${url}""`]] : ['xdg-open', [url]];
  try {
    const child = spawn(command, args as string[], { stdio: 'ignore', detached: true, windowsVerbatimArguments: platform === 'win32' });
    child.on('error', () => {
      // No such program: the URL is printed, which is all we promised.
    });
    child.unref();
    return `opening the workbench in your browser (${command})`;
  } catch {
    return `not opening a browser: ${command} cannot be started; open the workbench URL above yourself`;
  }
}

function isShutdown(message: unknown): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'shutdown';
}

/**
 * Calls `stop` when the process that started this runtime asks it to shut down: `{ type: 'shutdown' }` on
 * Electron's utility-process port (`process.parentPort`) or on a Node IPC channel, or that channel closing.
 * This is how the desktop app stops it on every OS (Windows has no SIGINT to send). Returns the undo.
 */
export function onShutdownRequest(stop: () => void): () => void {
  const parentPort = (process as unknown as { parentPort?: NodeJS.EventEmitter }).parentPort;
  const onPort = (event: { data: unknown }): void => {
    if (isShutdown(event.data)) stop();
  };
  const onIpc = (message: unknown): void => {
    if (isShutdown(message)) stop();
  };
  parentPort?.on('message', onPort);
  const ipc = typeof process.send === 'function';
  if (ipc) {
    process.on('message', onIpc);
    process.on('disconnect', stop);
    // A 'message' listener refs the channel; the runtime's own work, not the channel, decides when it ends.
    process.channel?.unref();
  }
  return () => {
    parentPort?.off('message', onPort);
    if (ipc) {
      process.off('message', onIpc);
      process.off('disconnect', stop);
    }
  };
}
