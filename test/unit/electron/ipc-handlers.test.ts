// The bridge's main-process handlers, with ipcMain and the Electron side replaced by recorders: every
// operation checks its sender first and its payload second, and refuses with a coded error.
import { beforeEach, describe, expect, it } from 'vitest';
import { BRIDGE_CHANNELS } from '../../../runtime/shared/bridge.js';
import { registerBridgeHandlers } from '../../../electron/ipc-handlers.js';
import type { BridgeBackend, IpcInvokeEvent } from '../../../electron/ipc-handlers.js';

const ORIGIN = 'http://127.0.0.1:7070';
type Listener = (event: IpcInvokeEvent, ...args: unknown[]) => unknown;

function fakeIpc() {
  const handlers = new Map<string, Listener>();
  return {
    handlers,
    handle: (channel: string, listener: Listener) => void handlers.set(channel, listener),
    removeHandler: (channel: string) => void handlers.delete(channel),
    invoke: async (channel: string, event: IpcInvokeEvent, ...args: unknown[]) => {
      const h = handlers.get(channel);
      if (!h) throw new Error(`no handler for ${channel}`);
      return h(event, ...args);
    },
  };
}

const fromWorkbench: IpcInvokeEvent = { senderFrame: { url: `${ORIGIN}/#/open`, parent: null } };

let calls: Array<[string, ...unknown[]]>;
let backend: BridgeBackend;
let ipc: ReturnType<typeof fakeIpc>;
let origin: string | undefined;

beforeEach(() => {
  calls = [];
  origin = ORIGIN;
  backend = {
    pickFolder: async () => (calls.push(['pickFolder']), { canceled: false, folder: '/home/me/app' }),
    openDevTools: async (url) => (calls.push(['openDevTools', url]), { opened: true }),
    openExternal: async (url) => void calls.push(['openExternal', url]),
    appInfo: () => ({ name: 'Cloudbench', version: '0.1.0', electron: '45.4.1', chrome: '1', node: '24', platform: 'linux-x64' }),
    appOrigins: async () => new Set(['http://127.0.0.1:8080']),
  };
  ipc = fakeIpc();
  registerBridgeHandlers(ipc, { origin: () => origin, backend });
});

describe('registration', () => {
  it('handles exactly one channel per operation, and removes them again', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(Object.values(BRIDGE_CHANNELS).sort());
    const ipc2 = fakeIpc();
    const undo = registerBridgeHandlers(ipc2, { origin: () => ORIGIN, backend });
    undo();
    expect(ipc2.handlers.size).toBe(0);
  });
});

describe('sender check', () => {
  const senders: Array<[string, IpcInvokeEvent]> = [
    ['another origin', { senderFrame: { url: 'https://evil.example/', parent: null } }],
    ['another port on loopback', { senderFrame: { url: 'http://127.0.0.1:8080/', parent: null } }],
    ['a subframe of the workbench', { senderFrame: { url: `${ORIGIN}/`, parent: {} } }],
    ['a frame that is gone', { senderFrame: null }],
    ['a file: page', { senderFrame: { url: 'file:///tmp/x.html', parent: null } }],
    ['DevTools', { senderFrame: { url: 'devtools://devtools/bundled/js_app.html', parent: null } }],
  ];
  for (const [operation, channel] of Object.entries(BRIDGE_CHANNELS)) {
    it.each(senders)(`${operation}: refuses %s`, async (_name, event) => {
      await expect(ipc.invoke(channel, event)).rejects.toThrow(/^CB_ERR_SHELL_IPC_SENDER: Refused /);
      expect(calls).toEqual([]);
    });
  }
  it('refuses everything while no runtime runs (no origin to trust)', async () => {
    origin = undefined;
    await expect(ipc.invoke(BRIDGE_CHANNELS.pickFolder, fromWorkbench)).rejects.toThrow(/CB_ERR_SHELL_IPC_SENDER.*no workbench running/);
  });
  it('checks the sender before the payload', async () => {
    await expect(ipc.invoke(BRIDGE_CHANNELS.openExternal, { senderFrame: { url: 'https://evil.example/', parent: null } }, 42)).rejects.toThrow(/CB_ERR_SHELL_IPC_SENDER/);
  });
});

describe('payload validation', () => {
  it.each([
    ['pickFolder', ['/etc']],
    ['appInfo', [{}]],
    ['openDevTools', []],
    ['openDevTools', ['ws://127.0.0.1:9229/x']],
    ['openDevTools', [{ inspectorUrl: 42 }]],
    ['openDevTools', [{ inspectorUrl: 'ws://127.0.0.1:9229/x', extra: true }]],
    ['openDevTools', [{ inspectorUrl: `ws://127.0.0.1:9229/${'x'.repeat(500)}` }]],
    ['openExternal', [{ url: 'https://a.example/' }, { url: 'https://b.example/' }]],
    ['openExternal', [null]],
    ['openExternal', [{ href: 'https://a.example/' }]],
    ['openExternal', [{ url: ['https://a.example/'] }]],
  ] as const)('%s refuses %j', async (operation, args) => {
    await expect(ipc.invoke(BRIDGE_CHANNELS[operation], fromWorkbench, ...args)).rejects.toThrow(/^CB_ERR_SHELL_IPC_PAYLOAD: Refused /);
    expect(calls).toEqual([]);
  });
});

describe('operations', () => {
  it('pickFolder returns what the picker chose', async () => {
    expect(await ipc.invoke(BRIDGE_CHANNELS.pickFolder, fromWorkbench)).toEqual({ canceled: false, folder: '/home/me/app' });
  });
  it('appInfo', async () => {
    expect(await ipc.invoke(BRIDGE_CHANNELS.appInfo, fromWorkbench)).toMatchObject({ name: 'Cloudbench', electron: '45.4.1' });
  });
  it('openDevTools opens the bundled DevTools for a loopback inspector, and refuses others', async () => {
    const uuid = '0f3d1c52-7a1e-4b59-9d4e-5c2f3a1b2c3d';
    expect(await ipc.invoke(BRIDGE_CHANNELS.openDevTools, fromWorkbench, { inspectorUrl: `ws://127.0.0.1:9229/${uuid}` })).toEqual({ opened: true });
    expect(calls).toEqual([['openDevTools', `devtools://devtools/bundled/js_app.html?v8only=true&ws=127.0.0.1:9229/${uuid}`]]);
    const refused = await ipc.invoke(BRIDGE_CHANNELS.openDevTools, fromWorkbench, { inspectorUrl: `ws://192.168.1.9:9229/${uuid}` });
    expect(refused).toMatchObject({ opened: false, reason: expect.stringMatching(/127\.0\.0\.1/) });
    expect(calls).toHaveLength(1);
  });
  it('openExternal opens allowed URLs only', async () => {
    expect(await ipc.invoke(BRIDGE_CHANNELS.openExternal, fromWorkbench, { url: 'https://github.com/' })).toBe(true);
    expect(await ipc.invoke(BRIDGE_CHANNELS.openExternal, fromWorkbench, { url: 'http://127.0.0.1:8080/x' })).toBe(true);
    expect(await ipc.invoke(BRIDGE_CHANNELS.openExternal, fromWorkbench, { url: 'file:///bin/sh' })).toBe(false);
    expect(await ipc.invoke(BRIDGE_CHANNELS.openExternal, fromWorkbench, { url: 'http://127.0.0.1:22/' })).toBe(false);
    expect(calls).toEqual([
      ['openExternal', 'https://github.com/'],
      ['openExternal', 'http://127.0.0.1:8080/x'],
    ]);
  });
});
