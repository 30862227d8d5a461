// The main-process side of the desktop bridge (runtime/shared/bridge.ts): one `ipcMain.handle` per
// operation, each behind the same two checks, in this order:
//   1. the sender: the calling frame must be the top frame of the workbench page, on the control API's
//      origin. Threat: any other page that ends up in one of our webContents (a navigation we failed to stop,
//      a subframe, a DevTools window) calling privileged operations.
//   2. the payload: parsed with the contract's zod schema (strict: no extra fields, bounded strings). Threat:
//      the page is untrusted input; nothing reaches dialog/shell/BrowserWindow unvalidated.
// Electron is injected (`IpcMainLike`, `BridgeBackend`), so all of this runs in unit tests without it.
import { BRIDGE_CHANNELS, OpenDevToolsRequestSchema, OpenExternalRequestSchema } from '../runtime/shared/bridge.js';
import type { AppInfo, BridgeOperation, OpenDevToolsResult, PickFolderResult } from '../runtime/shared/bridge.js';
import type { z } from 'zod';
import { cbError, isCloudbenchError } from '../runtime/shared/errors.js';
import { devtoolsUrlFor, externalUrlRefusal, isOwnOrigin } from './url-policy.js';

/** What we read of Electron's `WebFrameMain`. */
export interface IpcSenderFrame {
  readonly url: string;
  /** null for a top-level frame. */
  readonly parent: unknown;
}

/** What we read of Electron's `IpcMainInvokeEvent`. */
export interface IpcInvokeEvent {
  /** null when the frame navigated away or was destroyed before the message was handled. */
  readonly senderFrame: IpcSenderFrame | null;
}

/** The part of Electron's `ipcMain` we use. */
export interface IpcMainLike {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the arguments are untrusted; each handler validates them
  handle(channel: string, listener: (event: any, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** What the operations do once a call is accepted (the Electron side lives in shell.ts / main.ts). */
export interface BridgeBackend {
  /** Shows the native folder picker, modal to the window that asked. */
  pickFolder(event: IpcInvokeEvent): Promise<PickFolderResult>;
  /** Opens a DevTools window on an already validated devtools:// URL. */
  openDevTools(devtoolsUrl: string): Promise<OpenDevToolsResult>;
  /** `shell.openExternal` on an already validated URL. */
  openExternal(url: string): Promise<void>;
  appInfo(): AppInfo;
  /** Origins of the apps the runtime serves now (`http://127.0.0.1:8080`), which the OS browser may open. */
  appOrigins(): Promise<ReadonlySet<string>>;
}

export interface BridgeHandlerOptions {
  /** The control API's origin (`http://127.0.0.1:<port>`), or undefined while the runtime is not running. */
  readonly origin: () => string | undefined;
  readonly backend: BridgeBackend;
}

type Handler = (event: IpcInvokeEvent, args: unknown[]) => Promise<unknown>;

/** Throws CB_ERR_SHELL_IPC_SENDER unless the call comes from the workbench's top frame. */
export function assertTrustedSender(operation: BridgeOperation, event: IpcInvokeEvent, origin: string | undefined): void {
  const frame = event.senderFrame;
  const url = frame?.url ?? '(a frame that is gone)';
  const trusted = frame !== null && frame.parent === null && origin !== undefined && isOwnOrigin(frame.url, origin);
  if (!trusted) throw cbError('CB_ERR_SHELL_IPC_SENDER', { operation, url, origin: origin ?? '(no workbench running)' });
}

/** The single argument of an operation that takes one, parsed by its schema; CB_ERR_SHELL_IPC_PAYLOAD otherwise. */
function payload<T>(operation: BridgeOperation, args: unknown[], schema: z.ZodType<T>): T {
  if (args.length !== 1) throw cbError('CB_ERR_SHELL_IPC_PAYLOAD', { operation, detail: `expected 1 argument, got ${args.length}` });
  const parsed = schema.safeParse(args[0]);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(argument)'}: ${i.message}`).join('; ');
    throw cbError('CB_ERR_SHELL_IPC_PAYLOAD', { operation, detail });
  }
  return parsed.data;
}

function noPayload(operation: BridgeOperation, args: unknown[]): void {
  if (args.length !== 0) throw cbError('CB_ERR_SHELL_IPC_PAYLOAD', { operation, detail: `expected no arguments, got ${args.length}` });
}

/** The operations after the sender check: validate, then act. */
function handlers(options: BridgeHandlerOptions): Record<BridgeOperation, Handler> {
  const { backend } = options;
  return {
    pickFolder: async (event, args) => {
      noPayload('pickFolder', args);
      return backend.pickFolder(event);
    },
    openDevTools: async (_event, args) => {
      const { inspectorUrl } = payload('openDevTools', args, OpenDevToolsRequestSchema);
      const target = devtoolsUrlFor(inspectorUrl);
      if ('refusal' in target) {
        return { opened: false, reason: cbError('CB_ERR_SHELL_URL_REFUSED', { url: inspectorUrl, reason: target.refusal }).message } satisfies OpenDevToolsResult;
      }
      return backend.openDevTools(target.url);
    },
    openExternal: async (_event, args) => {
      const { url } = payload('openExternal', args, OpenExternalRequestSchema);
      const refusal = externalUrlRefusal(url, options.origin() ?? '', await backend.appOrigins());
      if (refusal !== undefined) {
        console.warn(`cloudbench: ${cbError('CB_ERR_SHELL_URL_REFUSED', { url, reason: refusal }).message}`);
        return false;
      }
      await backend.openExternal(url);
      return true;
    },
    appInfo: async (_event, args) => {
      noPayload('appInfo', args);
      return backend.appInfo();
    },
  };
}

/**
 * Registers every bridge operation on `ipc`; returns a function that removes them. A refused call rejects
 * in the page with `CB_ERR_…: message` (Electron passes only an error's message across).
 */
export function registerBridgeHandlers(ipc: IpcMainLike, options: BridgeHandlerOptions): () => void {
  const table = handlers(options);
  for (const operation of Object.keys(BRIDGE_CHANNELS) as BridgeOperation[]) {
    const handler = table[operation];
    ipc.handle(BRIDGE_CHANNELS[operation], async (event: IpcInvokeEvent, ...args: unknown[]) => {
      try {
        assertTrustedSender(operation, event, options.origin());
        return await handler(event, args);
      } catch (err) {
        if (isCloudbenchError(err)) throw new Error(`${err.code}: ${err.message}`, { cause: err });
        throw err;
      }
    });
  }
  return () => {
    for (const channel of Object.values(BRIDGE_CHANNELS)) ipc.removeHandler(channel);
  };
}
