// The preload: exposes the desktop bridge (runtime/shared/bridge.ts) to the workbench page as
// `window.cloudbench`, one function per operation, each a fixed `ipcRenderer.invoke` channel. The page never
// gets ipcRenderer itself (no generic passthrough, checklist item 4). CommonJS, and self-contained: a
// sandboxed preload may require only 'electron', so the channel names are repeated here and the type below
// makes the compiler check them against the contract.
import electron = require('electron');
import type { BRIDGE_CHANNELS, CloudbenchBridge } from '../runtime/shared/bridge.js';

const CHANNELS: typeof BRIDGE_CHANNELS = {
  pickFolder: 'cloudbench:pick-folder',
  openDevTools: 'cloudbench:open-devtools',
  openExternal: 'cloudbench:open-external',
  appInfo: 'cloudbench:app-info',
};

const { contextBridge, ipcRenderer } = electron;

// Arguments are passed through as given: the main process validates them (the page is untrusted).
const bridge: CloudbenchBridge = {
  pickFolder: () => ipcRenderer.invoke(CHANNELS.pickFolder),
  openDevTools: (request) => ipcRenderer.invoke(CHANNELS.openDevTools, request),
  openExternal: (request) => ipcRenderer.invoke(CHANNELS.openExternal, request),
  appInfo: () => ipcRenderer.invoke(CHANNELS.appInfo),
};

contextBridge.exposeInMainWorld('cloudbench', bridge);
