// Requests and Logs, end to end: requests made to the app appear live with their status and headers; log
// lines can be narrowed by text, by stream and by a JSON field.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from '../helpers/serve.js';
import { navigate, openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;

beforeAll(async () => {
  wb = await openWorkbench();
  await wb.page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}, 60_000);
afterAll(async () => {
  await wb?.close();
});

describe('requests', () => {
  it('lists a request made before the view opened and one made while it is open, with their status', async () => {
    const { page } = wb;
    expect((await get(`${wb.app.url}/pid?before=1`)).status).toBe(200);
    await navigate(page, 'Requests');
    const list = page.getByTestId('request-list');
    await list.locator('[data-status="200"]', { hasText: '/pid?before=1' }).waitFor();

    expect((await get(`${wb.app.url}/missing-page?e2e=1`)).status).toBe(404);
    const row = list.locator('.req', { hasText: '/missing-page?e2e=1' });
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('404');
    expect(await row.locator('.status').textContent()).toBe('404');

    await row.click();
    const details = page.getByTestId('request-details');
    await details.waitFor();
    await details.getByRole('heading', { name: 'Request headers' }).waitFor();
    expect(await details.locator('th', { hasText: /^host$/i }).count()).toBe(1);
    expect(await details.locator('th', { hasText: /^content-type$/i }).count()).toBe(1);
    await wb.shoot('requests');

    await page.getByTestId('request-filter').fill('missing-page');
    await expect.poll(() => list.locator('.req').count()).toBe(1);
    await page.getByTestId('request-filter').fill('');
  });
});

describe('logs', () => {
  it('filters the merged log by text, by stream and by a JSON field', async () => {
    const { page } = wb;
    await get(`${wb.app.url}/stdout?n=5`);
    await get(`${wb.app.url}/stderr?msg=${encodeURIComponent('e2e marker on stderr')}`);
    await get(`${wb.app.url}/stderr?msg=${encodeURIComponent(JSON.stringify({ level: 'error', id: 7, msg: 'json line' }))}`);
    await get(`${wb.app.url}/stderr?msg=${encodeURIComponent(JSON.stringify({ level: 'info', id: 8, msg: 'json line' }))}`);
    await navigate(page, 'Logs');
    const list = page.getByTestId('log-list');
    const lines = list.locator('.line');
    await list.locator('.line', { hasText: 'e2e marker on stderr' }).waitFor();
    await list.locator('.line', { hasText: 'line 4 from' }).waitFor();

    await page.getByTestId('log-text').fill('marker on');
    await expect.poll(() => lines.allTextContents()).toEqual([expect.stringContaining('e2e marker on stderr')]);

    await page.getByTestId('log-text').fill('');
    await page.getByTestId('log-stream').selectOption('stderr');
    await expect.poll(async () => (await lines.evaluateAll((els) => els.map((e) => e.getAttribute('data-stream')))).every((s) => s === 'stderr')).toBe(true);
    expect(await lines.count()).toBeGreaterThanOrEqual(3);
    expect(await list.locator('.line', { hasText: 'line 0 from' }).count()).toBe(0);
    expect(page.url()).toContain('stream=stderr');
    await wb.shoot('logs-stderr');

    await page.getByTestId('log-stream').selectOption('stdout');
    await expect.poll(async () => (await lines.evaluateAll((els) => els.map((e) => e.getAttribute('data-stream')))).every((s) => s === 'stdout')).toBe(true);
    expect(await list.locator('.line', { hasText: 'line 4 from' }).count()).toBe(1);

    await page.getByTestId('log-stream').selectOption('');
    await page.getByLabel('JSON field filter (field=value pairs)').fill('level=error id=7');
    await expect.poll(() => lines.allTextContents()).toEqual([expect.stringContaining('"msg":"json line"')]);
    await lines.first().click();
    await page.getByRole('region', { name: 'Selected line' }).getByText('"level": "error"').waitFor();
    await wb.shoot('logs-json-filter');
    await page.getByLabel('JSON field filter (field=value pairs)').fill('');
  });

  it('exports the lines that match the filters as a text file', async () => {
    const { page } = wb;
    await page.getByTestId('log-stream').selectOption('stderr');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export' }).click()]);
    const text = await readFile((await download.path()) as string, 'utf8');
    expect(text).toContain('e2e marker on stderr');
    expect(text).not.toContain('line 0 from');
    expect(download.suggestedFilename()).toMatch(/^cloudbench-logs-.*\.log$/);
    await page.getByTestId('log-stream').selectOption('');
  });

  it('pauses: new lines wait until resumed', async () => {
    const { page } = wb;
    await page.getByTestId('log-pause').click();
    await get(`${wb.app.url}/stdout?n=2`);
    await expect.poll(() => page.getByTestId('log-pause').textContent(), { timeout: 10_000 }).toMatch(/Resume \(\d+ new\)/);
    await page.getByTestId('log-pause').click();
    await expect.poll(() => page.getByTestId('log-pause').textContent()).toBe('Pause');
    expect(wb.pageErrors).toEqual([]);
    expect(wb.consoleErrors).toEqual([]);
  });
});
