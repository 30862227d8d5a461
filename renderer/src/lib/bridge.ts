// The desktop bridge, when the page runs in Cloudbench's Electron window: the preload defines
// `window.cloudbench` (runtime/shared/bridge.ts is the contract). In a browser there is none, and every
// operation falls back to what a browser can do. Components ask `desktop()` / `canPickFolder()` instead of
// testing for Electron themselves.
import { BRIDGE_GLOBAL } from '../../../runtime/shared/bridge.js';
import type { AppInfo, CloudbenchBridge, OpenDevToolsResult, PickFolderResult } from '../../../runtime/shared/bridge.js';

export type { AppInfo, CloudbenchBridge, OpenDevToolsResult, PickFolderResult };

const OPERATIONS: ReadonlyArray<keyof CloudbenchBridge> = ['pickFolder', 'openDevTools', 'openExternal', 'appInfo'];

/** The bridge if the preload exposed a complete one, else null (a browser, or an older shell). */
export function desktop(scope: object = globalThis): CloudbenchBridge | null {
  const candidate: unknown = (scope as Record<string, unknown>)[BRIDGE_GLOBAL];
  if (typeof candidate !== 'object' || candidate === null) return null;
  const api = candidate as Record<string, unknown>;
  return OPERATIONS.every((op) => typeof api[op] === 'function') ? (candidate as CloudbenchBridge) : null;
}

/** A native folder picker exists only in the desktop app; the browser has a text field. */
export function canPickFolder(): boolean {
  return desktop() !== null;
}

/** The folder the user picked, or null if they cancelled (or there is no picker). */
export async function pickFolder(): Promise<string | null> {
  const api = desktop();
  if (api === null) return null;
  const result: PickFolderResult = await api.pickFolder();
  return result.canceled ? null : result.folder;
}

/**
 * Opens DevTools for a worker's inspector: a window with Electron's bundled DevTools in the desktop app.
 * In a browser (or when the bundled DevTools fail) it says so, and the caller shows its own panel.
 */
export async function openDevTools(inspectorUrl: string): Promise<OpenDevToolsResult> {
  const api = desktop();
  if (api === null) return { opened: false, reason: 'DevTools windows need the desktop app; in a browser, use chrome://inspect or the debugger panel.' };
  return api.openDevTools({ inspectorUrl });
}

/** Opens a URL outside the workbench: the OS browser in the desktop app (if allowed), a new tab otherwise. */
export async function openExternal(url: string): Promise<boolean> {
  const api = desktop();
  if (api !== null) return api.openExternal({ url });
  return window.open(url, '_blank', 'noopener,noreferrer') !== null;
}

export async function appInfo(): Promise<AppInfo | null> {
  return desktop()?.appInfo() ?? null;
}
