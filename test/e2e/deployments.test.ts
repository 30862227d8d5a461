// Deployments, end to end: deploy the project to staging, swap it into production, scale the live site and
// watch the built-in load generator spread requests over the instances.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get } from '../helpers/serve.js';
import { navigate, openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;

beforeAll(async () => {
  wb = await openWorkbench({ fixture: 'apps/versioned', args: ['--workers', '1'] });
}, 60_000);
afterAll(async () => {
  await wb?.close();
});

describe('deployments', () => {
  it('deploys to staging and swaps into production, with the timeline', async () => {
    const { page } = wb;
    await navigate(page, 'Deployments');
    const staging = page.getByTestId('slot-test-staging');
    const production = page.getByTestId('slot-test-production');
    await expect.poll(() => staging.getByTestId('empty-slot').count()).toBe(1);
    await page.getByTestId('deploy-test').click();
    await expect.poll(() => staging.getByTestId('deployment-id').count(), { timeout: 20_000 }).toBe(1);
    const id = await staging.getByTestId('deployment-id').textContent();
    await page.getByTestId('swap-test').click();
    await expect.poll(() => production.getByTestId('deployment-id').textContent(), { timeout: 20_000 }).toBe(id);
    await expect.poll(() => page.locator('[data-testid="swap-record"][data-result="completed"]').count()).toBe(1);
    const url = await production.getByRole('link').textContent();
    expect(JSON.parse((await get(url as string)).text)).toMatchObject({ version: 'v1', slot: 'production' });
    await wb.shoot('deployments-swapped');
  });

  it('scales the live site to 2 instances and the load generator shows both taking requests', async () => {
    const { page } = wb;
    const local = page.getByTestId('slot-local-production');
    await local.getByRole('button', { name: 'One instance more' }).click();
    await expect.poll(() => local.getByTestId('instance-count').textContent(), { timeout: 20_000 }).toBe('2');
    await page.getByLabel('concurrency').fill('4');
    await page.getByLabel('seconds').fill('5');
    await page.getByTestId('load-start').click();
    await expect.poll(async () => Number(await page.getByTestId('load-rps').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('load-share').locator('li').count(), { timeout: 10_000 }).toBe(2);
    await wb.shoot('deployments-load');
    await page.getByTestId('load-stop').click().catch(() => undefined);
  });
});
