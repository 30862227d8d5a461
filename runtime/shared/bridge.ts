// The desktop bridge: what the Electron preload exposes to the workbench page as `window.cloudbench`, one
// function per operation (no generic IPC passthrough). The preload (electron/preload.cts), the main
// process's handlers (electron/ipc-handlers.ts) and the renderer (renderer/src/lib/bridge.ts) all use this
// file. Payloads cross a trust boundary (the page is untrusted), so the main process validates each one
// with the schemas below before acting. Shared code: no Node, no DOM.
import { z } from 'zod';

/** The global the preload defines in the page (`contextBridge.exposeInMainWorld`). */
export const BRIDGE_GLOBAL = 'cloudbench';

/**
 * A worker's inspector WebSocket on loopback: `ws://127.0.0.1:<port>/<uuid>` as `inspector.url()` prints it, or
 * the `webSocketDebuggerUrl` of the workbench's CDP proxy (`/api/debug/json/list`).
 */
export const OpenDevToolsRequestSchema = z.strictObject({
  inspectorUrl: z.string().max(400),
});
export type OpenDevToolsRequest = z.infer<typeof OpenDevToolsRequestSchema>;

export const OpenDevToolsResultSchema = z.discriminatedUnion('opened', [
  z.strictObject({ opened: z.literal(true) }),
  /** The bundled DevTools could not be shown; the page falls back to its own panel. */
  z.strictObject({ opened: z.literal(false), reason: z.string() }),
]);
export type OpenDevToolsResult = z.infer<typeof OpenDevToolsResultSchema>;

export const OpenExternalRequestSchema = z.strictObject({
  url: z.string().max(2048),
});
export type OpenExternalRequest = z.infer<typeof OpenExternalRequestSchema>;

export const PickFolderResultSchema = z.discriminatedUnion('canceled', [
  z.strictObject({ canceled: z.literal(true) }),
  z.strictObject({ canceled: z.literal(false), folder: z.string() }),
]);
export type PickFolderResult = z.infer<typeof PickFolderResultSchema>;

export const AppInfoSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  electron: z.string(),
  chrome: z.string(),
  node: z.string(),
  platform: z.string(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** `window.cloudbench`: every function returns a promise (an `ipcRenderer.invoke` underneath). */
export interface CloudbenchBridge {
  /** The native folder picker; `{ canceled: true }` when the user closes it. */
  pickFolder(): Promise<PickFolderResult>;
  /** Opens Electron's bundled DevTools for a worker's inspector in a window of its own. */
  openDevTools(request: OpenDevToolsRequest): Promise<OpenDevToolsResult>;
  /** Opens an allowed URL (https:, or an app URL of this runtime) in the user's browser; false if refused. */
  openExternal(request: OpenExternalRequest): Promise<boolean>;
  appInfo(): Promise<AppInfo>;
}

export type BridgeOperation = keyof CloudbenchBridge;

/** IPC channel of each operation: one channel per operation, all under the `cloudbench:` prefix. */
export const BRIDGE_CHANNELS = {
  pickFolder: 'cloudbench:pick-folder',
  openDevTools: 'cloudbench:open-devtools',
  openExternal: 'cloudbench:open-external',
  appInfo: 'cloudbench:app-info',
} as const satisfies Record<BridgeOperation, `cloudbench:${string}`>;
