// The Service Bus view end to end, against the emulator of a real `cloudbench serve` (a child process): create
// a topic and a subscription, send a message with a property, see it counted and peeked in the subscription,
// receive it with peek-lock and dead-letter it, see the reason in the dead-letter tab, resubmit it; rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkbench } from './helpers/workbench.js';
import type { Workbench } from './helpers/workbench.js';

let wb: Workbench;
const SUB = 'orders/Subscriptions/audit';

beforeAll(async () => {
  wb = await openWorkbench({ args: ['--workers', '1', '--in-memory', '--tables-port', '0', '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'] });
  wb.page.on('dialog', (d) => void d.accept());
}, 60_000);
afterAll(async () => {
  await wb?.close();
});

const count = (path: string, which: 'active' | 'deadLetter' | 'scheduled') => wb.page.getByTestId(`sb-entity-${path}`).locator(`[data-count="${which}"]`).textContent();

describe('service bus explorer', () => {
  it('opens on the local emulator', async () => {
    const { page } = wb;
    await page.getByRole('link', { name: /Service Bus/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Service Bus' }).waitFor();
    await expect.poll(() => page.getByTestId('sb-connection').textContent(), { timeout: 10_000 }).toContain('Local emulator');
    expect(await page.getByTestId('sb-connection').textContent()).toMatch(/sb:\/\/127\.0\.0\.1:\d+/);
  }, 60_000);

  it('creates a topic and a subscription, sends a message with a property and sees it counted and peeked', async () => {
    const { page } = wb;
    await page.getByTestId('sb-new-topic').click();
    await page.getByLabel('Topic name').fill('orders');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId('sb-entity-orders').waitFor();
    await page.getByTestId('sb-new-subscription-orders').click();
    await page.getByLabel('Subscription name').fill('audit');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByTestId(`sb-entity-${SUB}`).waitFor();

    await page.getByTestId('sb-entity-orders').getByRole('button', { name: 'orders', exact: true }).click();
    await page.getByTestId('sb-send-body').fill('{"id": 42}');
    await page.getByLabel('JSON').check();
    await page.getByTestId('sb-send-subject').fill('order.created');
    await page.getByTestId('sb-add-prop').click();
    await page.getByTestId('sb-prop-key').fill('tenant');
    await page.getByTestId('sb-prop-value').fill('acme');
    await page.getByTestId('sb-send').click();
    await page.getByTestId('sb-outcome').filter({ hasText: 'Sent to orders.' }).waitFor();

    // The tree's counts are live (polled every 2 s).
    await expect.poll(() => count(SUB, 'active'), { timeout: 10_000 }).toBe('1');
    await page.getByTestId(`sb-entity-${SUB}`).getByRole('button', { name: 'audit', exact: true }).click();
    const row = page.getByTestId('sb-peeked').getByTestId('sb-message');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.getByTestId('sb-message-body').textContent()).toBe('{"id":42}');
    expect(await row.getByTestId('sb-message-props').textContent()).toBe('tenant="acme"');
    expect(await row.textContent()).toContain('order.created');
    await row.click();
    await wb.shoot('servicebus-peek');
  }, 60_000);

  it('receives with peek-lock and dead-letters it, shows the reason, and resubmits it', async () => {
    const { page } = wb;
    await page.getByTestId('sb-receive-mode').selectOption('deadLetter');
    await page.getByTestId('sb-dl-reason').fill('BadOrder');
    await page.getByLabel('Dead-letter description').fill('missing customer');
    await page.getByTestId('sb-receive').click();
    await page.getByTestId('sb-outcome').filter({ hasText: '1 message received and dead-lettered.' }).waitFor();
    await expect.poll(() => count(SUB, 'deadLetter'), { timeout: 10_000 }).toBe('1');
    expect(await count(SUB, 'active')).toBe('0');

    await page.getByTestId('sb-tab-deadletter').click();
    const dead = page.getByTestId('sb-dead-letters').getByTestId('sb-message');
    await expect.poll(() => dead.count(), { timeout: 10_000 }).toBe(1);
    expect(await dead.getByTestId('sb-message-reason').textContent()).toContain('BadOrder');
    expect(await dead.getByTestId('sb-message-reason').textContent()).toContain('missing customer');
    await wb.shoot('servicebus-dead-letter');

    await dead.getByTestId('sb-resubmit-one').click();
    await page.getByTestId('sb-outcome').filter({ hasText: 'Resubmitted 1 to orders.' }).waitFor();
    await expect.poll(() => count(SUB, 'deadLetter'), { timeout: 10_000 }).toBe('0');
    await expect.poll(() => count(SUB, 'active'), { timeout: 10_000 }).toBe('1');
    await page.getByTestId('sb-tab-messages').click();
    const back = page.getByTestId('sb-peeked').getByTestId('sb-message');
    await expect.poll(() => back.count(), { timeout: 10_000 }).toBe(1);
    expect(await back.getByTestId('sb-message-props').textContent()).toBe('tenant="acme"');
  }, 60_000);

  it('edits rules and shows a bad SQL filter with its position', async () => {
    const { page } = wb;
    await page.getByTestId('sb-tab-rules').click();
    await expect.poll(() => page.getByTestId('sb-rule').count(), { timeout: 10_000 }).toBe(1);
    await page.getByTestId('sb-rule-name').fill('bad');
    await page.getByTestId('sb-rule-sql').fill('tenant >>> 1');
    await page.getByTestId('sb-rule-add').click();
    const error = page.getByTestId('sb-pane').locator('[data-code="CB_ERR_SERVICEBUS_BAD_REQUEST"]');
    await expect.poll(() => error.textContent(), { timeout: 10_000 }).toContain('SQL syntax error at line 1, column');
    await page.getByTestId('sb-rule-sql').fill("tenant = 'acme'");
    await page.getByTestId('sb-rule-name').fill('acme');
    await page.getByTestId('sb-rule-add').click();
    await expect.poll(() => page.getByTestId('sb-rule').count(), { timeout: 10_000 }).toBe(2);
    // Edited in place: the form takes the rule, its name fixed; saving changes the filter and adds an action.
    await page.getByRole('button', { name: 'Edit rule acme' }).click();
    expect(await page.getByTestId('sb-rule-sql').inputValue()).toBe("tenant = 'acme'");
    expect(await page.getByTestId('sb-rule-name').getAttribute('readonly')).not.toBeNull();
    await page.getByTestId('sb-rule-sql').fill("tenant = 'globex'");
    await page.getByLabel('Action').fill("SET sys.label = 'globex'");
    await page.getByTestId('sb-rule-add').click();
    const acme = page.getByTestId('sb-rule').filter({ hasText: 'acme' });
    await expect.poll(() => acme.textContent(), { timeout: 10_000 }).toContain("tenant = 'globex'");
    expect(await acme.textContent()).toContain("SET sys.label = 'globex'");
    expect(await page.getByTestId('sb-rule').count()).toBe(2);
    await wb.shoot('servicebus-rules');
    expect(wb.pageErrors).toEqual([]);
  }, 60_000);
});
