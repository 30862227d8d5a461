// The desktop shell, assembled: single instance, the runtime, the window, menus, tray, the bridge, and
// quitting. Glue only: every decision is made by a plain module (url-policy, web-security, ipc-handlers,
// menu-template, tray-status, window-bounds, runtime-launcher, start-folder) that is unit-tested without
// Electron. Electron itself is passed in by main.ts (`ShellDeps`), so this file imports only its types.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as electronModule from 'electron';
import type { BrowserWindow as BrowserWindowType, IpcMainInvokeEvent, MenuItemConstructorOptions, Tray as TrayType } from 'electron';
import type { AppInfo, OpenDevToolsResult, PickFolderResult } from '../runtime/shared/bridge.js';
import { createControlClient } from './control-client.js';
import type { ControlClient } from './control-client.js';
import { registerBridgeHandlers } from './ipc-handlers.js';
import type { IpcInvokeEvent } from './ipc-handlers.js';
import { menuTemplate } from './menu-template.js';
import type { ViewId } from './menu-template.js';
import { RuntimeLauncher } from './runtime-launcher.js';
import type { ForkRuntime, RunningRuntime } from './runtime-launcher.js';
import { chooseStartFolder, ensureSampleCopy, parseShellArgs } from './start-folder.js';
import { statusLine, trayMenu } from './tray-status.js';
import { originOf } from './url-policy.js';
import { guardContents, guardSession } from './web-security.js';
import { parseWindowState, restoreBounds, serializeWindowState } from './window-bounds.js';

type ElectronModule = typeof electronModule;

export interface ShellDeps {
  readonly electron: Pick<ElectronModule, 'app' | 'BrowserWindow' | 'Menu' | 'Tray' | 'dialog' | 'shell' | 'ipcMain' | 'session' | 'nativeImage' | 'screen'>;
  readonly fork: ForkRuntime;
  readonly paths: {
    /** bin/cloudbench.js */
    readonly cli: string;
    /** dist/electron/preload.cjs */
    readonly preload: string;
    /** PNG for the window and the tray. */
    readonly icon: string;
    /** The bundled sample project (copied before first use). */
    readonly sample: string;
  };
  /** The app's own arguments (argv without the executable and app path). */
  readonly argv: readonly string[];
}

export function startShell(deps: ShellDeps): void {
  const { app, BrowserWindow, Menu, Tray, dialog, shell, ipcMain, session, nativeImage, screen } = deps.electron;
  // One app per user: a second launch hands its folder to the first and exits.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const appName = app.getName();
  const home = process.env.CLOUDBENCH_HOME ?? path.join(os.homedir(), '.cloudbench');
  const stateFile = path.join(app.getPath('userData'), 'window-state.json');
  const args = parseShellArgs(deps.argv);
  const launcher = new RuntimeLauncher({ cli: deps.paths.cli, fork: deps.fork });
  let running: RunningRuntime | undefined;
  let control: ControlClient | undefined;
  let win: BrowserWindowType | undefined;
  let tray: TrayType | undefined;
  let appOrigins = new Set<string>();
  let recent: string[] = [];
  let quitting = false;

  const origin = (): string | undefined => running?.origin;
  launcher.on('line', (stream, text) => (stream === 'stderr' ? process.stderr : process.stdout).write(`[runtime] ${text}\n`));

  async function refresh(): Promise<void> {
    if (control === undefined) return;
    try {
      const [list, topology] = await Promise.all([control.recent(), control.state()]);
      recent = list;
      const url = topology.project?.url;
      appOrigins = new Set(url === undefined ? [] : [originOf(url) ?? '']);
    } catch (err) {
      console.warn(`cloudbench: cannot read the runtime's state: ${String(err)}`);
    }
    updateMenus();
  }

  function showView(view: ViewId): void {
    // A fixed string from our own enum, never page or user input.
    void win?.webContents.executeJavaScript(`location.hash = ${JSON.stringify(`#/${view}`)}`);
  }

  async function openFolder(folder: string): Promise<void> {
    if (control === undefined) return;
    try {
      const topology = await control.openProject(folder);
      showView(topology.project && !topology.projectError ? 'overview' : 'open');
    } catch (err) {
      dialog.showErrorBox('The project could not be opened', String(err));
    }
    await refresh();
  }

  async function pickFolder(parent: BrowserWindowType | undefined): Promise<PickFolderResult> {
    const options = { title: 'Open a project folder', properties: ['openDirectory' as const] };
    const r = parent === undefined ? await dialog.showOpenDialog(options) : await dialog.showOpenDialog(parent, options);
    const folder = r.filePaths[0];
    return r.canceled || folder === undefined ? { canceled: true } : { canceled: false, folder };
  }

  function openAppInBrowser(): void {
    const [first] = appOrigins;
    if (first !== undefined) void shell.openExternal(`${first}/`);
  }

  const actions = {
    openFolder: () => void pickFolder(win).then((r) => (r.canceled ? undefined : openFolder(r.folder))),
    openRecent: (folder: string) => void openFolder(folder),
    closeProject: () => void control?.closeProject().then(refresh),
    openAppInBrowser,
    showView,
    restartRuntime: () => void restart(),
    toggleWorkbenchDevTools: () => win?.webContents.toggleDevTools(),
    about: () => void dialog.showMessageBox({ type: 'info', title: `About ${appName}`, message: appName, detail: aboutText() }),
    showWindow: () => showWindow(),
    quit: () => app.quit(),
  };

  function aboutText(): string {
    const i = appInfo();
    return `Version ${i.version}\nElectron ${i.electron}, Chromium ${i.chrome}, Node ${i.node}\n${i.platform}`;
  }

  function appInfo(): AppInfo {
    return { name: appName, version: app.getVersion(), electron: process.versions.electron ?? '', chrome: process.versions.chrome ?? '', node: process.versions.node, platform: `${process.platform}-${process.arch}` };
  }

  function updateMenus(): void {
    const template = menuTemplate({ platform: process.platform, appName, recent, projectOpen: appOrigins.size > 0 }, actions);
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
    if (tray !== undefined) {
      tray.setToolTip(statusLine(launcher.status, appName));
      tray.setContextMenu(Menu.buildFromTemplate(trayMenu(launcher.status, appName, actions) as MenuItemConstructorOptions[]));
    }
  }

  function showWindow(): void {
    if (win === undefined || win.isDestroyed()) return void createWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  function createWindow(): void {
    if (running === undefined) return;
    let saved;
    try {
      saved = parseWindowState(readFileSync(stateFile, 'utf8'));
    } catch {
      saved = undefined;
    }
    const primary = screen.getPrimaryDisplay();
    const others = screen.getAllDisplays().filter((d) => d.id !== primary.id);
    const place = restoreBounds(saved, [primary.workArea, ...others.map((d) => d.workArea)]);
    const w = new BrowserWindow({
      ...(place.x === undefined ? {} : { x: place.x, y: place.y }),
      width: place.width,
      height: place.height,
      minWidth: 800,
      minHeight: 560,
      show: false,
      title: appName,
      icon: deps.paths.icon,
      webPreferences: {
        preload: deps.paths.preload,
        // Checklist items 1 and 2: the page has no Node, runs in Chromium's sandbox, and sees the bridge
        // only through contextBridge in an isolated world.
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
        // A middle click on a link would otherwise ask for a new window (denied anyway by the open handler).
        disableBlinkFeatures: 'Auxclick',
      },
    });
    win = w;
    w.once('ready-to-show', () => {
      if (place.maximized) w.maximize();
      w.show();
    });
    w.on('close', () => {
      try {
        mkdirSync(path.dirname(stateFile), { recursive: true });
        writeFileSync(stateFile, serializeWindowState({ bounds: w.getNormalBounds(), maximized: w.isMaximized() }));
      } catch (err) {
        console.warn(`cloudbench: cannot save the window's place: ${String(err)}`);
      }
    });
    w.on('focus', () => void refresh());
    void w.loadURL(running.workbenchUrl);
  }

  async function openDevToolsWindow(devtoolsUrl: string): Promise<OpenDevToolsResult> {
    const dev = new BrowserWindow({
      width: 1100,
      height: 760,
      title: 'Worker DevTools',
      icon: deps.paths.icon,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' },
    });
    return new Promise((resolve) => {
      dev.webContents.once('did-fail-load', (_e, code, description) => {
        dev.destroy();
        resolve({ opened: false, reason: `the bundled DevTools did not load (${code} ${description})` });
      });
      dev.webContents.once('did-finish-load', () => resolve({ opened: true }));
      dev.loadURL(devtoolsUrl).catch(() => {
        // Reported through did-fail-load.
      });
    });
  }

  async function startRuntime(): Promise<void> {
    const folder = chooseStartFolder(args, home, () => ensureSampleCopy(deps.paths.sample, path.join(app.getPath('userData'), 'samples', path.basename(deps.paths.sample))));
    updateMenus();
    try {
      running = await launcher.start(folder, args.serveArgs);
    } catch (err) {
      running = undefined;
      updateMenus();
      const choice = await dialog.showMessageBox({ type: 'error', title: appName, message: 'The runtime did not start', detail: String((err as Error).message), buttons: ['Retry', 'Quit'], defaultId: 0 });
      if (choice.response === 0) return startRuntime();
      app.quit();
      return;
    }
    control = createControlClient(running.workbenchUrl);
    appOrigins = new Set(running.appUrl === undefined ? [] : [originOf(running.appUrl) ?? '']);
    await refresh();
  }

  async function restart(): Promise<void> {
    await launcher.stop();
    running = undefined;
    control = undefined;
    await startRuntime();
    if (running !== undefined) void win?.loadURL((running as RunningRuntime).workbenchUrl);
  }

  launcher.on('status', (status) => {
    updateMenus();
    if (status.state !== 'crashed' || quitting || running === undefined) return;
    running = undefined;
    control = undefined;
    void dialog
      .showMessageBox({ type: 'error', title: appName, message: 'The runtime stopped', detail: status.error.message, buttons: ['Restart', 'Quit'], defaultId: 0 })
      .then(({ response }) => (response === 0 ? restart() : app.quit()));
  });

  app.on('second-instance', (_event, argv) => {
    const folder = parseShellArgs(argv.slice(app.isPackaged ? 1 : 2)).folder;
    showWindow();
    if (folder !== undefined) void openFolder(folder);
  });

  // Quit stops the runtime first, which stops every worker and terminal; then quits for real.
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    event.preventDefault();
    void launcher.stop().finally(() => app.quit());
  });
  app.on('window-all-closed', () => {
    // macOS keeps apps running without windows (the tray and the dock reopen it).
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => showWindow());

  app.on('web-contents-created', (_event, contents) => {
    guardContents(contents, {
      origin,
      appOrigins: () => appOrigins,
      openExternal: (url) => void shell.openExternal(url),
      onRefused: (what, url) => console.warn(`cloudbench: refused ${what} to ${url}`),
    });
  });

  void app.whenReady().then(async () => {
    guardSession(session.defaultSession, origin);
    registerBridgeHandlers(ipcMain, {
      origin,
      backend: {
        pickFolder: (event: IpcInvokeEvent) => pickFolder(BrowserWindow.fromWebContents((event as IpcMainInvokeEvent).sender) ?? undefined),
        openDevTools: openDevToolsWindow,
        openExternal: (url) => shell.openExternal(url),
        appInfo,
        appOrigins: async () => {
          await refresh();
          return appOrigins;
        },
      },
    });
    tray = new Tray(nativeImage.createFromPath(deps.paths.icon).resize({ width: 16, height: 16 }));
    tray.on('click', () => showWindow());
    await startRuntime();
    createWindow();
  });
}
