// The Storage view end to end, against the emulators of a real `cloudbench serve`: create a table, add an
// entity, find it with the filter builder, edit it, delete it; create a queue, send, peek, dequeue, clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;

beforeAll(async () => {
  wb = await openWorkbench({ args: ['--workers', '1', '--in-memory', '--tables-port', '0', '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'] });
  // Deletes and clears ask first.
  wb.page.on('dialog', (d) => void d.accept());
}, 60_000);
afterAll(async () => {
  await wb?.close();
});

describe('storage explorer', () => {
  it('opens on the local emulator', async () => {
    const { page } = wb;
    await page.getByRole('link', { name: /Storage/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Storage' }).waitFor();
    await expect.poll(() => page.getByTestId('storage-account').textContent()).toBe('devstoreaccount1');
    expect(await page.getByTestId('storage-connection').textContent()).toContain('Local emulator');
  });

  it('creates a table, adds an entity, queries it with the filter builder, edits it and deletes it', async () => {
    const { page } = wb;
    await page.getByLabel('New table name').fill('tasks');
    await page.getByTestId('table-list').getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('entity-count').filter({ hasText: '0 entities' }).waitFor();

    for (const [rk, n] of [['1', 5], ['2', 50]] as const) {
      await page.getByTestId('entity-new').click();
      await page.getByTestId('entity-json').fill(JSON.stringify({ PartitionKey: 'p', RowKey: rk, title: `task ${rk}`, n, 'big@odata.type': 'Edm.Int64', big: '9007199254740993' }));
      await page.getByTestId('entity-insert').click();
      await page.getByTestId('entity-editor').waitFor({ state: 'detached' });
    }
    await page.getByTestId('entity-count').filter({ hasText: '2 entities' }).waitFor();

    await page.getByTestId('filter-add').click();
    const row = page.getByTestId('filter-row').first();
    await row.getByLabel('Property').fill('n');
    await row.getByLabel('Operator').selectOption('gt');
    await row.getByLabel('Type').selectOption('Int32');
    await row.getByLabel('Value').fill('10');
    expect(await page.getByTestId('filter-built').textContent()).toBe('n gt 10');
    await page.getByTestId('query-run').click();
    await page.getByTestId('entity-count').filter({ hasText: '1 entities' }).waitFor();
    expect(await page.getByTestId('filter-raw').inputValue()).toBe('n gt 10');
    await wb.shoot('storage-tables');

    // Edit: open it, change a value, replace (with its ETag).
    await page.getByTestId('entity-row').first().click();
    const editor = page.getByTestId('entity-editor');
    expect(await editor.textContent()).toContain('Int64');
    const json = JSON.parse(await page.getByTestId('entity-json').inputValue()) as Record<string, unknown>;
    expect(json['big@odata.type']).toBe('Edm.Int64');
    await page.getByTestId('entity-json').fill(JSON.stringify({ ...json, title: 'edited' }));
    await wb.shoot('storage-entity-editor');
    await page.getByTestId('entity-replace').click();
    await editor.waitFor({ state: 'detached' });
    await page.getByTestId('entity-row').filter({ hasText: 'edited' }).waitFor();
    expect(await page.getByTestId('entity-row').first().textContent()).toContain('9007199254740993');

    // A bad filter shows the service's message with the position.
    await page.getByTestId('filter-row').getByRole('button', { name: 'Remove condition' }).click();
    await page.getByTestId('filter-raw').fill('n gt (10');
    await page.getByTestId('query-run').click();
    await expect.poll(() => page.getByTestId('query-error').textContent()).toMatch(/position \d+/);

    await page.getByTestId('filter-raw').fill('');
    await page.getByTestId('query-run').click();
    await page.getByTestId('entity-count').filter({ hasText: '2 entities' }).waitFor();
    await page.getByTestId('entity-row').filter({ hasText: 'edited' }).click();
    await page.getByTestId('entity-delete').click();
    await page.getByTestId('entity-count').filter({ hasText: '1 entities' }).waitFor();
  });

  it('creates a queue, sends, peeks, dequeues and clears', async () => {
    const { page } = wb;
    await page.getByTestId('storage-tab-queues').click();
    await page.getByLabel('New queue name').fill('jobs');
    await page.getByTestId('queue-list').getByRole('button', { name: 'Create' }).click();
    for (const text of ['first', 'second', 'third']) {
      await page.getByTestId('message-text').fill(text);
      await page.getByTestId('message-send').click();
      await page.getByTestId('message-row').filter({ hasText: text }).waitFor();
    }
    await page.getByTestId('message-peek').click();
    await expect.poll(() => page.getByTestId('message-row').count()).toBe(3);
    await page.getByTestId('message-dequeue').click();
    const taken = page.getByTestId('dequeued').getByTestId('message-row');
    await taken.filter({ hasText: 'first' }).waitFor();
    expect(await taken.getByTestId('dequeue-count').textContent()).toBe('1');
    await expect.poll(() => page.getByTestId('peek-count').textContent()).toContain('2 visible');
    await wb.shoot('storage-queues');
    await page.getByTestId('message-clear').click();
    await expect.poll(() => page.getByTestId('peek-count').textContent()).toContain('0 visible');
    expect(wb.pageErrors).toEqual([]);
  });
});
