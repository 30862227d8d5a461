// Electron's entry point (package.json "main" → dist/electron/main.js). Deliberately tiny: it hands Electron
// to the shell (shell.ts) and says how the runtime process is made.
//
// The runtime runs in a `utilityProcess` rather than `process.execPath` with ELECTRON_RUN_AS_NODE=1:
// - it lets the packaged app turn the RunAsNode fuse off (build/fuses.cjs), so nobody can use our signed
//   binary as a general-purpose `node` (checklist item 10; ELECTRON_RUN_AS_NODE would need the fuse on);
// - Chromium owns its lifetime: it cannot outlive the app even if the main process is killed;
// - it is the process type Electron made for this (VS Code's pty host and extension host use it), with
//   node-pty and the runtime's other native modules working as in Node.
// The user's workers are not Electron: the runtime starts them with the user's own `node`.
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, screen, session, shell, Tray, utilityProcess } from 'electron';
import { fileURLToPath } from 'node:url';
import { loginShellPath, mergePath } from './login-path.js';
import type { ForkRuntime } from './runtime-launcher.js';
import { startShell } from './shell.js';

// With the login shell's PATH in front (login-path.ts): started from the Finder or Dock, the app's own PATH
// has no `node` for the workers. Asked once, before the shell starts (at most 3 s for a slow profile).
const loginPath = await loginShellPath({ platform: process.platform, env: process.env });
const fork: ForkRuntime = (modulePath, args, { env }) =>
  utilityProcess.fork(modulePath, args, { env: loginPath ? { ...env, PATH: mergePath(loginPath, env.PATH) } : env, stdio: 'pipe', serviceName: 'Cloudbench runtime' });

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
startShell({
  electron: { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, screen, session, shell, Tray },
  fork,
  paths: {
    cli: here('../../bin/cloudbench.js'),
    preload: here('./preload.cjs'),
    icon: here('../../resources/icons/cloudbench.png'),
    // Packaged: extraResources (outside the asar archive); from a clone: the repository's resources/.
    sample: app.isPackaged ? `${process.resourcesPath}/samples/tasklist` : here('../../resources/samples/tasklist'),
  },
  argv: process.argv.slice(app.isPackaged ? 1 : 2),
});
