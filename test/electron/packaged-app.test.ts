// Smoke test of the desktop app itself, with Playwright's Electron driver. It needs an Electron binary, so
// it runs in .github/workflows/release.yml (under Xvfb on Linux) and skips everywhere else:
// - CLOUDBENCH_APP_EXECUTABLE=<packaged executable> tests the packaged app (dist/installers/*-unpacked…);
// - otherwise, if node_modules/electron has its binary, it runs the app from this clone (`npm run build` first).
// It checks the window's security settings, the bridge, navigation and window.open refusals, a worker's
// DevTools window (the devtools:// regression of Electron 40, electron/electron#49465), and that quitting
// leaves no process behind.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import type { ElectronApplication, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, alive, copyFixture } from '../helpers/serve.js';

function devElectron(): string | undefined {
  const dir = path.join(ROOT, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = path.join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

const packaged = process.env.CLOUDBENCH_APP_EXECUTABLE;
const executable = packaged ?? devElectron();
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const reason = executable === undefined ? 'no Electron binary (set CLOUDBENCH_APP_EXECUTABLE or run `npx install-electron`)' : headless ? 'no display (run under xvfb-run)' : '';

let app: ElectronApplication;
let page: Page;
let home: string;
let userData: string;
let folder: string;

describe.skipIf(reason !== '')(`the desktop app${reason ? ` (skipped: ${reason})` : ''}`, () => {
  beforeAll(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'cb-app-home-'));
    userData = mkdtempSync(path.join(os.tmpdir(), 'cb-app-data-'));
    folder = copyFixture('apps/echo');
    app = await electron.launch({
      executablePath: executable as string,
      // From a clone the app path comes first; a packaged app knows its own. The folder opens at start.
      args: [...(packaged ? [] : [ROOT]), `--user-data-dir=${userData}`, folder, '--port', '0', ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
      env: { ...process.env, CLOUDBENCH_HOME: home, NODE_PATH: path.join(ROOT, 'node_modules') },
      timeout: 60_000,
    });
    page = await app.firstWindow({ timeout: 60_000 });
    await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\//, { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await app?.close().catch(() => {});
    for (const dir of [home, userData, folder]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the workbench with the project open', async () => {
    await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 30_000 });
    await page.getByText(path.basename(folder)).first().waitFor({ timeout: 30_000 });
  });

  it('runs the page sandboxed and isolated, with only the bridge exposed', async () => {
    expect(await page.evaluate("typeof require + ' ' + typeof process")).toBe('undefined undefined');
    expect(await page.evaluate('Object.keys(window.cloudbench).sort().join()')).toBe('appInfo,openDevTools,openExternal,pickFolder');
    expect(await page.evaluate('window.cloudbench.appInfo()')).toMatchObject({ name: 'Cloudbench' });
  });

  it('refuses navigation elsewhere, new windows and bridge calls with a bad payload', async () => {
    const before = page.url();
    await page.evaluate("location.href = 'https://example.com/'").catch(() => {});
    await page.waitForTimeout(500);
    expect(new URL(page.url()).origin).toBe(new URL(before).origin);
    const windows = app.windows().length;
    await page.evaluate("window.open('file:///etc/passwd')");
    await page.waitForTimeout(300);
    expect(app.windows().length).toBe(windows);
    await expect(page.evaluate("window.cloudbench.openExternal({ url: 'file:///etc/passwd', extra: 1 })")).rejects.toThrow(/CB_ERR_SHELL_IPC_PAYLOAD/);
    expect(await page.evaluate("window.cloudbench.openExternal({ url: 'file:///etc/passwd' })")).toBe(false);
  });

  it("opens a worker's DevTools in a window of its own", async () => {
    const target = spawn(process.execPath, ['--inspect=127.0.0.1:0', '-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const inspectorUrl = await new Promise<string>((resolve, reject) => {
        let err = '';
        target.stderr?.on('data', (c: Buffer) => {
          err += c.toString();
          const m = /Debugger listening on (ws:\/\/\S+)/.exec(err);
          if (m) resolve(m[1] as string);
        });
        target.once('exit', () => reject(new Error(err)));
      });
      const opened = app.waitForEvent('window', { timeout: 30_000 });
      expect(await page.evaluate(`window.cloudbench.openDevTools({ inspectorUrl: ${JSON.stringify(inspectorUrl)} })`)).toEqual({ opened: true });
      const devtools = await opened;
      expect(devtools.url()).toMatch(/^devtools:\/\/devtools\/bundled\/js_app\.html/);
      // The Sources panel's tab: DevTools loaded and connected.
      await devtools.getByRole('tab', { name: /Sources/ }).first().waitFor({ timeout: 30_000 });
      await devtools.close();
    } finally {
      target.kill();
    }
  });

  it('quits, stopping the runtime and every worker', async () => {
    const pid = app.process().pid as number;
    await app.close();
    await expect.poll(() => alive(pid), { timeout: 20_000 }).toBe(false);
    if (process.platform === 'linux') {
      // Workers run `node server.js` in the project folder; none may be left.
      const { execFileSync } = await import('node:child_process');
      const left = (() => {
        try {
          return execFileSync('pgrep', ['-f', folder]).toString().trim();
        } catch {
          return '';
        }
      })();
      expect(left).toBe('');
    }
  });
});
