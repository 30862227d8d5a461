// The application menu as data: `Menu.buildFromTemplate(menuTemplate(…))` in main.ts. Pure, so the items
// and their shortcuts are unit-tested without Electron (test/unit/electron/menu-template.test.ts).
import type { MenuItemConstructorOptions } from 'electron';

/** The workbench's views, in the order of its navigation (Alt+1…5 in the page). */
export const VIEWS = [
  { id: 'open', label: 'Open' },
  { id: 'overview', label: 'Overview' },
  { id: 'requests', label: 'Requests' },
  { id: 'logs', label: 'Logs' },
  { id: 'terminal', label: 'Terminal' },
] as const;
export type ViewId = (typeof VIEWS)[number]['id'];

/** How many recent projects File > Open Recent lists. */
export const MAX_RECENT_IN_MENU = 10;

export interface MenuActions {
  openFolder(): void;
  openRecent(folder: string): void;
  closeProject(): void;
  openAppInBrowser(): void;
  showView(view: ViewId): void;
  restartRuntime(): void;
  toggleWorkbenchDevTools(): void;
  about(): void;
}

export interface MenuState {
  readonly platform: NodeJS.Platform;
  readonly appName: string;
  /** Newest first, as the runtime keeps them. */
  readonly recent: readonly string[];
  /** Whether a project is open (Close Project and Open App in Browser need one). */
  readonly projectOpen: boolean;
}

function fileMenu(state: MenuState, actions: MenuActions, mac: boolean): MenuItemConstructorOptions {
  const recent = state.recent.slice(0, MAX_RECENT_IN_MENU);
  return {
    label: '&File',
    submenu: [
      { id: 'open-folder', label: 'Open Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFolder() },
      {
        id: 'open-recent',
        label: 'Open Recent',
        submenu:
          recent.length === 0
            ? [{ label: 'No recent projects', enabled: false }]
            : recent.map((folder, i) => ({
                id: `recent-${i}`,
                label: folder,
                // Ctrl+Shift+1…9 for the newest nine, as "reopen" shortcuts.
                ...(i < 9 ? { accelerator: `CmdOrCtrl+Shift+${i + 1}` } : {}),
                click: () => actions.openRecent(folder),
              })),
      },
      { id: 'close-project', label: 'Close Project', accelerator: 'CmdOrCtrl+Shift+W', enabled: state.projectOpen, click: () => actions.closeProject() },
      { type: 'separator' },
      { id: 'open-app', label: 'Open App in Browser', accelerator: 'CmdOrCtrl+Shift+B', enabled: state.projectOpen, click: () => actions.openAppInBrowser() },
      { id: 'restart-runtime', label: 'Restart Runtime', accelerator: 'CmdOrCtrl+Shift+R', click: () => actions.restartRuntime() },
      ...(mac ? [] : [{ type: 'separator' } as const, { id: 'quit', label: 'E&xit', accelerator: 'Ctrl+Q', role: 'quit' } as const]),
    ],
  };
}

function viewMenu(actions: MenuActions, mac: boolean): MenuItemConstructorOptions {
  return {
    label: '&View',
    submenu: [
      // The page handles Alt+1…5 itself (in a browser too); the menu shows them without registering them.
      ...VIEWS.map(
        (v, i): MenuItemConstructorOptions => ({ id: `view-${v.id}`, label: v.label, accelerator: `Alt+${i + 1}`, registerAccelerator: false, click: () => actions.showView(v.id) }),
      ),
      { type: 'separator' },
      { role: 'reload', accelerator: 'CmdOrCtrl+R' },
      { id: 'workbench-devtools', label: 'Toggle Developer Tools', accelerator: mac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I', click: () => actions.toggleWorkbenchDevTools() },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
}

/** The whole menu bar: the app menu on macOS, then File, Edit, View, Window, Help. */
export function menuTemplate(state: MenuState, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = state.platform === 'darwin';
  const about: MenuItemConstructorOptions = { id: 'about', label: `About ${state.appName}`, click: () => actions.about() };
  return [
    ...(mac
      ? [
          {
            label: state.appName,
            submenu: [about, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { id: 'quit', role: 'quit', accelerator: 'Cmd+Q' }],
          } satisfies MenuItemConstructorOptions,
        ]
      : []),
    fileMenu(state, actions, mac),
    // Roles, so text fields (and the terminal) get the platform's editing shortcuts, on macOS too.
    { label: '&Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    viewMenu(actions, mac),
    { role: 'windowMenu' },
    { role: 'help', submenu: mac ? [] : [about] },
  ];
}

/** Every accelerator the template registers (tests check there are no duplicates). */
export function accelerators(items: readonly MenuItemConstructorOptions[]): string[] {
  const out: string[] = [];
  for (const item of items) {
    if (item.accelerator !== undefined && item.registerAccelerator !== false) out.push(String(item.accelerator));
    if (Array.isArray(item.submenu)) out.push(...accelerators(item.submenu));
  }
  return out;
}
