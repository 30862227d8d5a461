// Project errors, end to end: opening a folder whose web.config is malformed shows the catalogue's error
// with file:line:col, its code and the fix; opening a good folder afterwards works again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture } from '../helpers/serve.js';
import { navigate, openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;
let bad: string;
let good: string;

beforeAll(async () => {
  wb = await openWorkbench();
  bad = mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-bad-'));
  writeFileSync(path.join(bad, 'server.js'), 'require("http").createServer((q, s) => s.end("x")).listen(process.env.PORT);\n');
  // <system.webServer> is never closed, so </configuration> on line 4 is an unexpected close tag.
  writeFileSync(path.join(bad, 'web.config'), '<configuration>\n  <system.webServer>\n    <iisnode nodeProcessCountPerApplication="2"/>\n</configuration>\n');
  good = copyFixture('apps/echo');
}, 60_000);
afterAll(async () => {
  await wb?.close();
  rmSync(bad, { recursive: true, force: true });
  rmSync(good, { recursive: true, force: true });
});

describe('project error', () => {
  it('shows a malformed web.config as file:line:col with its code and fix', async () => {
    const { page } = wb;
    await navigate(page, 'Open');
    await page.getByLabel('Project folder').fill(bad);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const box = page.getByTestId('project-error');
    await box.waitFor({ timeout: 20_000 });
    const file = path.join(bad, 'web.config');
    const message = (await box.locator('.message').textContent()) ?? '';
    expect(message.startsWith(`${file}:`)).toBe(true);
    expect(message).toMatch(/web\.config:\d+:\d+: \S/);
    expect(await box.getAttribute('data-code')).toBe('CB_ERR_CONFIG_XML');
    await box.getByText('CB_ERR_CONFIG_XML').waitFor();
    await box.getByText(/^Fix:/).waitFor();
    await wb.shoot('project-error');

    // The overview says no project is open, and shows the same error.
    await navigate(page, 'Overview');
    await page.getByText('No project is open.').waitFor();
    await page.getByText(message).waitFor();
  });

  it('opens a good folder from the same view afterwards', async () => {
    const { page } = wb;
    await navigate(page, 'Open');
    await page.getByLabel('Project folder').fill(good);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('article[data-state="ready"]').count(), { timeout: 15_000 }).toBe(2);
    await navigate(page, 'Open');
    // The recent list now starts with it.
    await page.locator('ul.recent button').first().filter({ hasText: good }).waitFor();
    expect(await page.getByTestId('project-error').count()).toBe(0);
    expect(wb.pageErrors).toEqual([]);
    expect(wb.consoleErrors).toEqual([]);
  });
});
