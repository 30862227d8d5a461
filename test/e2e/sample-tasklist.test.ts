// The bundled sample, end to end (issue 9's first run): open it from the Open view, add a task in the app,
// see the worker role process it, find it in the Storage explorer's tasktable and its note in the
// taskdiscussion subscription — against the emulators, with no configuration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigate, openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;

beforeAll(async () => {
  wb = await openWorkbench({ args: ['--workers', '1', '--in-memory', '--tables-port', '0', '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'] });
}, 60_000);
afterAll(async () => {
  await wb?.close();
});

describe('sample task list', () => {
  it('opens the bundled sample from the Open view, web and worker roles', async () => {
    const { page } = wb;
    await navigate(page, 'Open');
    await page.getByRole('button', { name: 'Close project' }).click();
    await page.getByRole('button', { name: 'Open tasklist' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByText('taskworker_IN_0').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await wb.shoot('sample-overview');
  });

  it('adds a task in the app; the worker role processes it; Storage shows it in tasktable', async () => {
    const { page, context } = wb;
    const appUrl = (await page.getByTestId('app-url').textContent()) as string;
    const app = await context.newPage();
    await app.goto(appUrl);
    await app.getByLabel('Task').fill('Pick up milk');
    await app.getByRole('button', { name: 'Add task' }).click();
    await app.locator('#tasks li', { hasText: 'Pick up milk' }).waitFor();
    await expect.poll(async () => {
      await app.reload();
      return app.locator('#tasks li', { hasText: 'processed by the worker role' }).count();
    }, { timeout: 15_000 }).toBe(1);
    await app.close();

    await page.getByRole('link', { name: /Storage/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Storage' }).waitFor();
    await page.getByTestId('table-list').getByRole('button', { name: 'tasktable', exact: true }).click();
    await expect.poll(() => page.getByTestId('entity-row').filter({ hasText: 'Pick up milk' }).count(), { timeout: 10_000 }).toBe(1);
    await wb.shoot('sample-storage');
  });

  it('has the note about the task in the taskdiscussion subscription', async () => {
    const { origin, hash } = new URL(wb.app.workbenchUrl);
    const token = new URLSearchParams(hash.slice(1)).get('token');
    const peek = (await fetch(`${origin}/api/servicebus/messages?entity=${encodeURIComponent('taskdiscussion/subscriptions/client1')}&count=10`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as any;
    expect(peek.messages.map((m: any) => m.body)).toContain('New task: Pick up milk');
  });

  it('scales the worker role from the Deployments view', async () => {
    const { page } = wb;
    await navigate(page, 'Deployments');
    const role = page.getByTestId('slot-local-production').getByTestId('worker-role-taskworker');
    await expect.poll(() => role.getByTestId('role-count-taskworker').textContent()).toBe('1');
    await role.getByRole('button', { name: 'One instance more' }).click();
    await expect.poll(() => role.getByTestId('role-count-taskworker').textContent(), { timeout: 15_000 }).toBe('2');
    await expect.poll(() => page.getByTestId('slot-local-production').getByText('taskworker_IN_1').count()).toBe(1);
    await role.getByRole('button', { name: 'One instance fewer' }).click();
    await expect.poll(() => role.getByTestId('role-count-taskworker').textContent(), { timeout: 15_000 }).toBe('1');
    expect(wb.pageErrors).toEqual([]);
  });
});
