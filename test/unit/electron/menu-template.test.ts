// The application menu as data: items per platform, shortcuts, recent projects, and that each item calls
// the action it names.
import { describe, expect, it } from 'vitest';
import { MAX_RECENT_IN_MENU, VIEWS, accelerators, menuTemplate } from '../../../electron/menu-template.js';
import type { MenuActions } from '../../../electron/menu-template.js';

type MenuItemConstructorOptions = ReturnType<typeof menuTemplate>[number];

function recorder() {
  const calls: string[] = [];
  const actions: MenuActions = {
    openFolder: () => calls.push('openFolder'),
    openRecent: (f) => calls.push(`openRecent ${f}`),
    closeProject: () => calls.push('closeProject'),
    openAppInBrowser: () => calls.push('openAppInBrowser'),
    showView: (v) => calls.push(`showView ${v}`),
    restartRuntime: () => calls.push('restartRuntime'),
    toggleWorkbenchDevTools: () => calls.push('toggleWorkbenchDevTools'),
    about: () => calls.push('about'),
  };
  return { calls, actions };
}

function find(items: readonly MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions {
  for (const item of items) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      try {
        return find(item.submenu, id);
      } catch {
        // not in this branch
      }
    }
  }
  throw new Error(`no menu item ${id}`);
}

function click(item: MenuItemConstructorOptions): void {
  (item.click as () => void)();
}

const state = { appName: 'Cloudbench', recent: ['/p/one', '/p/two'], projectOpen: true };

describe('menu template', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    it(`${platform}: no shortcut is registered twice`, () => {
      const keys = accelerators(menuTemplate({ ...state, platform }, recorder().actions));
      expect(keys.length).toBeGreaterThan(8);
      expect(new Set(keys).size).toBe(keys.length);
    });
  }

  it('macOS gets the app menu first with Quit (Cmd+Q); others get File > Exit (Ctrl+Q)', () => {
    const mac = menuTemplate({ ...state, platform: 'darwin' }, recorder().actions);
    expect(mac.map((m) => m.label ?? m.role)).toEqual(['Cloudbench', '&File', '&Edit', '&View', 'windowMenu', 'help']);
    expect(find(mac, 'quit')).toMatchObject({ role: 'quit', accelerator: 'Cmd+Q' });
    const linux = menuTemplate({ ...state, platform: 'linux' }, recorder().actions);
    expect(linux.map((m) => m.label ?? m.role)).toEqual(['&File', '&Edit', '&View', 'windowMenu', 'help']);
    expect(find(linux, 'quit')).toMatchObject({ role: 'quit', accelerator: 'Ctrl+Q' });
  });

  it('File has Open Folder (Ctrl+O), Open Recent, Close Project, Open App in Browser, Restart Runtime', () => {
    const { calls, actions } = recorder();
    const menu = menuTemplate({ ...state, platform: 'linux' }, actions);
    expect(find(menu, 'open-folder').accelerator).toBe('CmdOrCtrl+O');
    for (const id of ['open-folder', 'close-project', 'open-app', 'restart-runtime']) click(find(menu, id));
    expect(calls).toEqual(['openFolder', 'closeProject', 'openAppInBrowser', 'restartRuntime']);
  });

  it('Open Recent lists the recent projects, newest first, with reopen shortcuts', () => {
    const { calls, actions } = recorder();
    const recent = Array.from({ length: 14 }, (_, i) => `/p/${i}`);
    const menu = menuTemplate({ ...state, recent, platform: 'win32' }, actions);
    const items = find(menu, 'open-recent').submenu as MenuItemConstructorOptions[];
    expect(items.map((i) => i.label)).toEqual(recent.slice(0, MAX_RECENT_IN_MENU));
    expect(items[0]?.accelerator).toBe('CmdOrCtrl+Shift+1');
    expect(items[8]?.accelerator).toBe('CmdOrCtrl+Shift+9');
    expect(items[9]?.accelerator).toBeUndefined();
    click(items[1] as MenuItemConstructorOptions);
    expect(calls).toEqual(['openRecent /p/1']);
  });

  it('says so when there are no recent projects, and disables what needs a project', () => {
    const menu = menuTemplate({ ...state, recent: [], projectOpen: false, platform: 'linux' }, recorder().actions);
    expect(find(menu, 'open-recent').submenu).toEqual([{ label: 'No recent projects', enabled: false }]);
    expect(find(menu, 'close-project').enabled).toBe(false);
    expect(find(menu, 'open-app').enabled).toBe(false);
  });

  it("View lists the workbench's views with the page's own Alt+1…5 (shown, not registered)", () => {
    const { calls, actions } = recorder();
    const menu = menuTemplate({ ...state, platform: 'linux' }, actions);
    VIEWS.forEach((v, i) => {
      const item = find(menu, `view-${v.id}`);
      expect(item).toMatchObject({ label: v.label, accelerator: `Alt+${i + 1}`, registerAccelerator: false });
      click(item);
    });
    expect(calls).toEqual(VIEWS.map((v) => `showView ${v.id}`));
    expect(find(menu, 'workbench-devtools').accelerator).toBe('Ctrl+Shift+I');
  });
});
