// Terminal, end to end: a shell opened from the workbench runs a command, and a reload of the page shows
// the session's earlier output again (the runtime keeps the session; the page re-attaches).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { navigate, openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;

beforeAll(async () => {
  wb = await openWorkbench();
}, 60_000);
afterAll(async () => {
  await wb?.close();
});

/** The visible terminal's screen, one string per row (xterm's DOM renderer uses no-break spaces). */
function screen(page: Page): Promise<string[]> {
  return page
    .locator('[role="tabpanel"]:not(.hidden) .xterm-rows > div')
    .allTextContents()
    .then((rows) => rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd()));
}

describe('terminal', () => {
  it('opens a shell, runs `echo $((6*7))` and shows 42', async () => {
    const { page } = wb;
    await navigate(page, 'Terminal');
    await page.getByText('No terminal is open.').waitFor();
    await page.getByTestId('new-terminal').click();
    await page.getByRole('tab').first().waitFor();
    // The shell is up once it printed a prompt.
    await expect.poll(async () => (await screen(page)).some((r) => r.trim() !== ''), { timeout: 15_000 }).toBe(true);
    await page.locator('[role="tabpanel"]:not(.hidden) .xterm').click();
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await screen(page)).some((r) => r.trim() === '42'), { timeout: 10_000 }).toBe(true);
    await wb.shoot('terminal');
  });

  it('shows the earlier output again after a reload', async () => {
    const { page } = wb;
    const tabs = await page.getByRole('tab').count();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Terminal' }).waitFor();
    await expect.poll(() => page.getByRole('tab').count(), { timeout: 10_000 }).toBe(tabs);
    await expect.poll(async () => (await screen(page)).some((r) => r.trim() === '42'), { timeout: 10_000 }).toBe(true);
    expect((await screen(page)).some((r) => r.includes('echo $((6*7))'))).toBe(true);
    // Still a live shell after the reload.
    await page.locator('[role="tabpanel"]:not(.hidden) .xterm').click();
    await page.keyboard.type('echo reattached-$((20+3))');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await screen(page)).some((r) => r.trim() === 'reattached-23'), { timeout: 10_000 }).toBe(true);
    await wb.shoot('terminal-after-reload');
  });

  it('closes the session from its tab', async () => {
    const { page } = wb;
    await page.getByRole('button', { name: /^Close / }).first().click();
    await page.getByText('No terminal is open.').waitFor();
    expect(wb.pageErrors).toEqual([]);
    expect(wb.consoleErrors).toEqual([]);
  });
});
