// Overview, end to end: the workers of a real `cloudbench serve` as the workbench shows them, a worker
// killed from its card and replaced, and a recycle after an edit of the app.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive } from '../helpers/serve.js';
import { navigate, openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;

beforeAll(async () => {
  wb = await openWorkbench();
}, 60_000);
afterAll(async () => {
  await wb?.close();
});

/** Pids of the worker cards in a state. */
async function pids(state: string): Promise<number[]> {
  const cards = wb.page.locator(`article[data-state="${state}"] [data-field="pid"]`);
  return (await cards.allTextContents()).map(Number).filter((n) => n > 0).sort((a, b) => a - b);
}

describe('overview', () => {
  it('opens on the overview with the project and two ready workers', async () => {
    const { page } = wb;
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    await expect.poll(() => pids('ready'), { timeout: 15_000 }).toHaveLength(2);
    await expect.poll(() => page.getByTestId('app-url').textContent()).toBe(`${wb.app.url}/`);
    expect(await page.getByRole('status').filter({ hasText: 'Live' }).count()).toBe(1);
    expect(sorted(await pids('ready'))).toEqual(sorted(wb.app.workerPids()));
    await wb.shoot('overview');
  });

  it('kills a worker from its card and shows the new pid that replaces it', async () => {
    const { page } = wb;
    const before = await pids('ready');
    const victim = before[0] as number;
    await page.locator('article', { has: page.locator(`[data-field="pid"]`, { hasText: new RegExp(`^${victim}$`) }) }).getByRole('button', { name: 'Kill' }).click();
    await expect.poll(() => alive(victim), { timeout: 10_000 }).toBe(false);
    await expect
      .poll(async () => {
        const now = await pids('ready');
        return now.length === 2 && !now.includes(victim) && now.includes(before[1] as number);
      }, { timeout: 15_000 })
      .toBe(true);
    await wb.shoot('overview-after-kill');
  });

  it('shows the new generation after server.js is edited (recycle)', async () => {
    const { page } = wb;
    const generation = page.getByTestId('instance-generation');
    expect(await generation.textContent()).toBe('1');
    const file = path.join(wb.folder, 'server.js');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n// edited by the e2e test\n`);
    await expect.poll(() => generation.textContent(), { timeout: 20_000 }).toBe('2');
    await expect
      .poll(async () => {
        const gens = await page.locator('article[data-state="ready"] [data-field="generation"]').allTextContents();
        return gens.length === 2 && gens.every((g) => g === '2');
      }, { timeout: 20_000 })
      .toBe(true);
    // The event feed says what happened.
    await page.getByText(/recycling to generation 2/).first().waitFor();
    await wb.shoot('overview-recycled');
  });

  it('changes the worker count, recycles and restarts from the instance header', async () => {
    const { page } = wb;
    const count = page.getByTestId('worker-count');
    const generation = page.getByTestId('instance-generation');
    await page.getByRole('button', { name: 'One worker more' }).click();
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('3');
    await expect.poll(async () => (await pids('ready')).length, { timeout: 20_000 }).toBe(3);
    await wb.shoot('overview-three-workers');
    await page.getByRole('button', { name: 'One worker fewer' }).click();
    await expect.poll(() => count.textContent(), { timeout: 10_000 }).toBe('2');
    await expect.poll(async () => (await pids('ready')).length, { timeout: 20_000 }).toBe(2);

    const before = Number(await generation.textContent());
    await page.getByRole('button', { name: 'Recycle' }).click();
    await expect.poll(async () => Number(await generation.textContent()), { timeout: 20_000 }).toBe(before + 1);
    const old = await pids('ready');
    await page.getByRole('button', { name: 'Restart' }).click();
    await expect.poll(async () => Number(await generation.textContent()), { timeout: 20_000 }).toBe(before + 2);
    await expect
      .poll(async () => {
        const now = await pids('ready');
        return now.length === 2 && now.every((p) => !old.includes(p));
      }, { timeout: 20_000 })
      .toBe(true);
  });

  it('switches views from the keyboard (Alt+1…5)', async () => {
    const { page } = wb;
    await page.keyboard.press('Alt+4');
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    await page.keyboard.press('Alt+2');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  });

  it('tells a page opened without the token how to get in', async () => {
    const other = await wb.context.newPage();
    try {
      await other.goto(new URL(wb.app.workbenchUrl).origin);
      await other.getByText('This page needs the workbench token').waitFor();
      await other.getByText('cloudbench serve', { exact: true }).waitFor();
    } finally {
      await other.close();
    }
  });

  it('jumps from a worker card to the Logs view filtered to that worker', async () => {
    const { page } = wb;
    const card = page.locator('article[data-state="ready"]').first();
    const id = await card.getAttribute('data-worker');
    await card.getByRole('button', { name: 'Logs' }).click();
    await page.getByRole('heading', { level: 1, name: 'Logs' }).waitFor();
    expect(await page.getByTestId('log-worker').inputValue()).toBe(id);
    expect(page.url()).toContain(`worker=${id}`);
    await navigate(page, 'Overview');
    expect(wb.pageErrors).toEqual([]);
    expect(wb.consoleErrors).toEqual([]);
  });
});

function sorted(list: number[]): number[] {
  return [...list].sort((a, b) => a - b);
}
