// The workbench inside the desktop bridge's contract (runtime/shared/bridge.ts), in Chromium: the preload's
// `window.cloudbench` is replaced by a test double (page.addInitScript) that records every call. With it, the
// Open view offers "Browse…" and opens the folder the picker returns; the renderer's bridge module passes
// DevTools and external-link requests through in the contract's shapes. Without it (a plain browser) there
// is no Browse button and the module falls back.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, copyFixture } from '../helpers/serve.js';
import { navigate, openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;
let picked: string;
let bridgeModule: string;

/** Runs in the page before its scripts: the double of the preload's contextBridge API. */
function installBridgeDouble(folder: string): void {
  const calls: Array<{ op: string; args: unknown[] }> = [];
  const record =
    <T>(op: string, result: T) =>
    (...args: unknown[]): Promise<T> => {
      calls.push({ op, args });
      return Promise.resolve(result);
    };
  // (globalThis: the test tsconfig has no DOM types; this runs in the page, where it is window.)
  Object.defineProperty(globalThis, '__bridgeCalls', { value: calls });
  // Frozen like contextBridge's copy: the page cannot swap functions in it.
  Object.defineProperty(globalThis, 'cloudbench', {
    value: Object.freeze({
      pickFolder: record('pickFolder', { canceled: false, folder }),
      openDevTools: record('openDevTools', { opened: true }),
      openExternal: record('openExternal', true),
      appInfo: record('appInfo', { name: 'Cloudbench', version: '0.1.0', electron: '45.4.1', chrome: '142', node: '24', platform: 'linux-x64' }),
    }),
  });
}

const calls = async (): Promise<Array<{ op: string; args: unknown[] }>> => wb.page.evaluate('window.__bridgeCalls');

beforeAll(async () => {
  picked = copyFixture('apps/echo');
  // renderer/src/lib/bridge.ts as one script, to call it inside the page (page.evaluate is not bound by the
  // page's CSP). The Open view uses the same module from the app's own bundle.
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-bridge-'));
  const out = await build({
    configFile: false,
    logLevel: 'warn',
    build: { write: false, outDir, lib: { entry: path.join(ROOT, 'renderer/src/lib/bridge.ts'), name: '__bridgeModule', formats: ['iife'] }, minify: false },
  });
  rmSync(outDir, { recursive: true, force: true });
  const outputs = (Array.isArray(out) ? out : [out]) as Array<{ output: Array<{ type: string; code?: string }> }>;
  bridgeModule = outputs[0]?.output.find((o) => o.type === 'chunk')?.code ?? '';
  wb = await openWorkbench();
}, 60_000);
afterAll(async () => {
  await wb?.close();
  rmSync(picked, { recursive: true, force: true });
});

describe('in a plain browser', () => {
  it('has no Browse button, and the bridge module falls back', async () => {
    await navigate(wb.page, 'Open');
    await wb.page.getByLabel('Project folder').waitFor();
    expect(await wb.page.getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    await wb.page.evaluate(bridgeModule);
    const result = await wb.page.evaluate("__bridgeModule.openDevTools('ws://127.0.0.1:9229/x')");
    expect(result).toMatchObject({ opened: false, reason: expect.stringMatching(/desktop app/) });
    expect(await wb.page.evaluate('__bridgeModule.canPickFolder()')).toBe(false);
  });
});

describe('inside the desktop bridge', () => {
  beforeAll(async () => {
    await wb.page.addInitScript(installBridgeDouble, picked);
    // The token is in this tab's sessionStorage now: a reload keeps the session and runs the double first.
    await wb.page.reload();
    await navigate(wb.page, 'Open');
  });

  it('Browse… opens the native picker, then the folder it picked', async () => {
    const { page } = wb;
    await page.getByRole('button', { name: 'Browse…' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('article[data-state="ready"]').count(), { timeout: 15_000 }).toBe(2);
    expect(await calls()).toEqual([{ op: 'pickFolder', args: [] }]);
    await navigate(page, 'Open');
    await page.locator('ul.recent button').first().filter({ hasText: picked }).waitFor();
    await wb.shoot('bridge-open');
  });

  it('passes DevTools, external links and app info through in the contract shapes', async () => {
    const { page } = wb;
    await page.evaluate(bridgeModule);
    const inspector = 'ws://127.0.0.1:9229/0f3d1c52-7a1e-4b59-9d4e-5c2f3a1b2c3d';
    expect(await page.evaluate(`__bridgeModule.openDevTools(${JSON.stringify(inspector)})`)).toEqual({ opened: true });
    expect(await page.evaluate("__bridgeModule.openExternal('https://example.com/')")).toBe(true);
    expect(await page.evaluate('__bridgeModule.appInfo()')).toMatchObject({ electron: '45.4.1' });
    expect((await calls()).slice(1)).toEqual([
      { op: 'openDevTools', args: [{ inspectorUrl: inspector }] },
      { op: 'openExternal', args: [{ url: 'https://example.com/' }] },
      { op: 'appInfo', args: [] },
    ]);
    expect(wb.pageErrors).toEqual([]);
    expect(wb.consoleErrors).toEqual([]);
  });

  it("the debugger's Open in DevTools asks the shell for the worker's proxied inspector", async () => {
    const { page } = wb;
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: /^Overview/ }).click();
    const card = page.locator('article[data-state="ready"]').first();
    await card.getByRole('button', { name: 'Attach debugger' }).click();
    await page.getByRole('heading', { level: 1, name: 'Debugger' }).waitFor();
    const before = (await calls()).length;
    await page.getByTestId('open-devtools').click();
    await page.getByRole('status').filter({ hasText: 'DevTools opened in a window of its own.' }).waitFor();
    const call = (await calls())[before];
    expect(call?.op).toBe('openDevTools');
    const url = (call?.args[0] as { inspectorUrl: string }).inspectorUrl;
    expect(url).toMatch(new RegExp(`^ws://${new URL(wb.app.workbenchUrl).host.replace(/\./g, '\\.')}/api/debug/cdp/[^/]+/[^/]+$`));
  });
});
