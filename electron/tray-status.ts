// What the tray icon says about the runtime: its tooltip and menu, from the launcher's status. Pure.
import type { MenuItemConstructorOptions } from 'electron';
import type { RuntimeStatus } from './runtime-launcher.js';

export interface TrayActions {
  showWindow(): void;
  openAppInBrowser(): void;
  restartRuntime(): void;
  quit(): void;
}

/** One line for the tooltip and the menu's first (disabled) item. */
export function statusLine(status: RuntimeStatus, appName: string): string {
  switch (status.state) {
    case 'idle':
      return `${appName}: not started`;
    case 'starting':
      return `${appName}: starting ${status.folder}`;
    case 'running':
      return status.appUrl === undefined ? `${appName}: running ${status.folder}` : `${appName}: ${status.folder} at ${status.appUrl}`;
    case 'stopping':
      return `${appName}: stopping`;
    case 'stopped':
      return `${appName}: stopped`;
    case 'crashed':
      return `${appName}: the runtime stopped (${status.error.code})`;
  }
}

export function trayMenu(status: RuntimeStatus, appName: string, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { id: 'status', label: statusLine(status, appName), enabled: false },
    { type: 'separator' },
    { id: 'show', label: `Show ${appName}`, click: () => actions.showWindow() },
    { id: 'open-app', label: 'Open App in Browser', enabled: status.state === 'running' && status.appUrl !== undefined, click: () => actions.openAppInBrowser() },
    { id: 'restart', label: 'Restart Runtime', enabled: status.state !== 'starting' && status.state !== 'stopping', click: () => actions.restartRuntime() },
    { type: 'separator' },
    { id: 'quit', label: 'Quit', click: () => actions.quit() },
  ];
}
