// End-to-end harness: a real `cloudbench serve` on a copy of a fixture app, and Debian's Chromium driven by
// playwright-core (which never downloads a browser) on the workbench URL the CLI printed. Screenshots go to
// test-results/e2e/ in both colour schemes, so a person can check that the UI reads well in each.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { ROOT, copyFixture, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'test-results', 'e2e');
const RENDERER_SRC = path.join(ROOT, 'renderer');
const RENDERER_BUILD = path.join(ROOT, 'dist', 'renderer', 'index.html');

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Workbench {
  readonly app: Served;
  readonly folder: string;
  readonly page: Page;
  readonly context: BrowserContext;
  /** Uncaught exceptions in the page (a test should end with none). */
  readonly pageErrors: string[];
  /** Console errors, printed when a test fails to help find the cause. */
  readonly consoleErrors: string[];
  /** Saves `<name>-light.png` and `<name>-dark.png` under test-results/e2e/. */
  shoot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Newest modification time of a file or of any file under a folder. */
function newestMtime(p: string): number {
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

/** What goes into the build. */
const RENDERER_INPUTS = ['src', 'index.html', 'vite.config.ts'].map((p) => path.join(RENDERER_SRC, p));

/** The tests run against the built UI, as users get it: fail clearly when it is missing or stale. */
export function assertPrerequisites(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The e2e tests need Debian's Chromium at ${CHROMIUM}, which is missing. Install it with: apt-get update && apt-get install -y chromium`);
  }
  if (!existsSync(RENDERER_BUILD)) {
    throw new Error(`The workbench UI is not built (${RENDERER_BUILD} is missing). Build it with: npx vite build --config renderer/vite.config.ts`);
  }
  if (Math.max(...RENDERER_INPUTS.map(newestMtime)) > statSync(RENDERER_BUILD).mtimeMs) {
    throw new Error('The workbench UI build is older than renderer/. Rebuild it with: npx vite build --config renderer/vite.config.ts');
  }
}

export async function openWorkbench(options: { fixture?: string; args?: string[]; prepare?: (folder: string) => void } = {}): Promise<Workbench> {
  assertPrerequisites();
  const folder = copyFixture(options.fixture ?? 'apps/echo');
  options.prepare?.(folder);
  const home = mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-home-'));
  const app = await serve(folder, options.args ?? ['--workers', '2'], { CLOUDBENCH_HOME: home });
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 800 },
      colorScheme: 'light',
    });
  } catch (err) {
    await app.stop();
    throw err;
  }
  // Shorter than a test's 30 s, so a failed wait names its own step.
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.stack ?? err.message));
  page.on('console', (m) => {
    // Failed API calls are logged by the browser too; the scenarios that provoke them check the UI instead.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
  });
  await page.goto(app.workbenchUrl);
  // The page takes the token out of the address bar at once.
  // (A string: the test tsconfig has no DOM types, and this runs in the page.)
  await page.waitForFunction("!location.hash.includes('token=')");
  mkdirSync(SHOTS, { recursive: true });
  return {
    app,
    folder,
    page,
    context,
    pageErrors,
    consoleErrors,
    async shoot(name) {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        // Let colour-scheme listeners (xterm's theme) run before the capture.
        await page.waitForTimeout(150);
        await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`) });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    },
    async close() {
      if (pageErrors.length > 0 || consoleErrors.length > 0) console.log('page errors:', pageErrors, 'console errors:', consoleErrors);
      await context.close().catch(() => {});
      await app.stop();
      rmSync(profile, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Goes to a view through the left navigation, as a user would. */
export async function navigate(page: Page, label: 'Open' | 'Overview' | 'Requests' | 'Logs' | 'Terminal' | 'Deployments' | (string & {})): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: new RegExp(`^${label}`) }).click();
  await page.getByRole('heading', { level: 1, name: label === 'Open' ? 'Open a project' : label }).waitFor();
}
