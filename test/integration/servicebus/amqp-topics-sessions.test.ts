// Topics, rules (SQL, correlation, actions; managed over $management by ServiceBusRuleManager), sessions,
// duplicate detection and auto-forwarding with the unmodified @azure/service-bus SDK.
import type { ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServiceBusEmulator } from '../../../runtime/emulators/servicebus/index.js';
import { sdkClient, startEmulator } from './helpers.js';

let emulator: RunningServiceBusEmulator;
let client: ServiceBusClient;

beforeAll(async () => {
  emulator = await startEmulator();
  client = sdkClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

async function drain(topic: string, sub: string): Promise<unknown[]> {
  const r = client.createReceiver(topic, sub, { receiveMode: 'receiveAndDelete' });
  const out = (await r.receiveMessages(20, { maxWaitTimeInMs: 400 })).map((m) => m.body);
  await r.close();
  return out;
}

describe('topics and rules', () => {
  it('fans out to subscriptions through SQL, correlation and default rules, with actions', async () => {
    const reg = emulator.engine.registry;
    reg.createTopic('orders');
    reg.createSubscription('orders', 'all');
    reg.createSubscription('orders', 'big', {}, [{ name: 'big', filter: { type: 'sql', expression: "amount > 100 AND sys.Label LIKE 'order%'" } }]);
    reg.createSubscription('orders', 'eu', {}, [{ name: 'eu', filter: { type: 'correlation', correlation: { properties: { region: 'eu' } } } }]);
    reg.createSubscription('orders', 'tagged', {}, [{ name: 'tag', filter: { type: 'true' }, action: "SET tagged = 'yes'; SET sys.To = 'dest'" }]);
    const sender = client.createSender('orders');
    await sender.sendMessages([
      { body: 'small', subject: 'order-1', applicationProperties: { amount: 5, region: 'eu' } },
      { body: 'large', subject: 'order-2', applicationProperties: { amount: 500, region: 'us' } },
    ]);
    expect(await drain('orders', 'all')).toEqual(['small', 'large']);
    expect(await drain('orders', 'big')).toEqual(['large']);
    expect(await drain('orders', 'eu')).toEqual(['small']);
    const r = client.createReceiver('orders', 'tagged', { receiveMode: 'receiveAndDelete' });
    const [m] = await r.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(m?.applicationProperties?.tagged).toBe('yes');
    expect(m?.to).toBe('dest');
    await r.close();
  });

  it('adds, lists and removes rules with ServiceBusRuleManager, and rejects invalid SQL', async () => {
    emulator.engine.registry.createTopic('rules-t');
    emulator.engine.registry.createSubscription('rules-t', 's');
    const rm = client.createRuleManager('rules-t', 's');
    await rm.deleteRule('$Default');
    await rm.createRule('sql', { sqlExpression: "color = 'red'" }, { sqlExpression: "SET seen = 1" });
    await rm.createRule('corr', { correlationId: 'c-1', applicationProperties: { k: 'v' } });
    const rules = [];
    for await (const rule of rm.listRules()) rules.push(rule);
    expect(rules.map((x) => x.name)).toEqual(['sql', 'corr']);
    expect(rules[0]?.filter).toEqual({ sqlExpression: "color = 'red'" });
    expect(rules[0]?.action).toEqual({ sqlExpression: 'SET seen = 1' });
    expect(rules[1]?.filter).toMatchObject({ correlationId: 'c-1', applicationProperties: { k: 'v' } });
    const bad = await rm.createRule('bad', { sqlExpression: 'color = = 1' }).catch((e: unknown) => e);
    expect((bad as { message?: string }).message).toMatch(/line 1, column 9/);
    await client.createSender('rules-t').sendMessages([{ body: 'r', applicationProperties: { color: 'red' } }, { body: 'c', correlationId: 'c-1', applicationProperties: { k: 'v' } }, { body: 'x' }]);
    expect(await drain('rules-t', 's')).toEqual(['r', 'c']);
  });
});

describe('scheduling on a topic', () => {
  it('schedules on the topic, cancels one, and fans the other out when due', async () => {
    emulator.engine.registry.createTopic('sched-t');
    emulator.engine.registry.createSubscription('sched-t', 's');
    const sender = client.createSender('sched-t');
    const at = new Date(Date.now() + 300);
    const [keep, drop] = await sender.scheduleMessages([{ body: 'keep' }, { body: 'drop' }], at);
    expect(keep!.toNumber()).not.toBe(drop!.toNumber());
    await sender.cancelScheduledMessages(drop!);
    expect(emulator.engine.counts('sched-t').scheduledMessageCount).toBe(1);
    const r = client.createReceiver('sched-t', 's', { receiveMode: 'receiveAndDelete' });
    const got = await r.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    expect(got.map((m) => m.body)).toEqual(['keep']);
    expect(await r.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    await r.close();
  });
});

describe('sessions', () => {
  it('accepts a named session and the next available one, keeps order per session, and stores state', async () => {
    emulator.engine.registry.createQueue('sq', { requiresSession: true });
    const sender = client.createSender('sq');
    await sender.sendMessages([
      { body: 'a1', sessionId: 'A' }, { body: 'b1', sessionId: 'B' }, { body: 'a2', sessionId: 'A' },
    ]);
    const a = await client.acceptSession('sq', 'A');
    expect(a.sessionId).toBe('A');
    expect(a.sessionLockedUntilUtc?.getTime()).toBeGreaterThan(Date.now());
    const got = await a.receiveMessages(5, { maxWaitTimeInMs: 500 });
    expect(got.map((m) => m.body)).toEqual(['a1', 'a2']);
    for (const m of got) await a.completeMessage(m);
    await a.setSessionState('step-2');
    expect(await a.getSessionState()).toBe('step-2');
    const renewed = await a.renewSessionLock();
    expect(renewed.getTime()).toBeGreaterThan(Date.now());
    const other = await client.acceptSession('sq', 'A').catch((e: unknown) => e);
    expect((other as { code?: string }).code).toBe('SessionCannotBeLocked');
    const next = await client.acceptNextSession('sq');
    expect(next.sessionId).toBe('B');
    const [b] = await next.receiveMessages(1, { maxWaitTimeInMs: 500 });
    expect(b?.body).toBe('b1');
    await next.completeMessage(b!);
    const ids = await client.createReceiver('sq', { subQueueType: 'deadLetter' }).peekMessages(1);
    expect(ids).toEqual([]);
    await a.close();
    await next.close();
    const again = await client.acceptSession('sq', 'A');
    expect(await again.getSessionState()).toBe('step-2');
    await again.close();
  });

  it('loses an expired session lock: settling then fails with SessionLockLost and the message comes back', async () => {
    emulator.engine.registry.createQueue('sq3', { requiresSession: true, lockDurationMs: 300 });
    await client.createSender('sq3').sendMessages({ body: 'held', sessionId: 'S' });
    const r = await client.acceptSession('sq3', 'S', { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await r.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 600));
    const err = await r.completeMessage(m!).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('SessionLockLost');
    await r.close();
    const again = await client.acceptSession('sq3', 'S');
    const [m2] = await again.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(m2?.body).toBe('held');
    expect(m2?.deliveryCount).toBe(1);
    await again.completeMessage(m2!);
    await again.close();
  });

  it('acceptNextSession waits for a session to get a message', async () => {
    emulator.engine.registry.createQueue('sq2', { requiresSession: true });
    const pending = client.acceptNextSession('sq2', { maxAutoLockRenewalDurationInMs: 0 });
    setTimeout(() => void client.createSender('sq2').sendMessages({ body: 'late', sessionId: 'L' }), 200);
    const r = await pending;
    expect(r.sessionId).toBe('L');
    await r.close();
  });
});

describe('duplicate detection and forwarding', () => {
  it('drops a second message with the same id inside the window', async () => {
    emulator.engine.registry.createQueue('dup', { requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindowMs: 60_000 });
    const s = client.createSender('dup');
    await s.sendMessages({ body: 1, messageId: 'same' });
    await s.sendMessages({ body: 2, messageId: 'same' });
    await s.sendMessages({ body: 3, messageId: 'other' });
    const r = client.createReceiver('dup', { receiveMode: 'receiveAndDelete' });
    expect((await r.receiveMessages(5, { maxWaitTimeInMs: 400 })).map((m) => m.body)).toEqual([1, 3]);
    await r.close();
  });

  it('forwards with ForwardTo and ForwardDeadLetteredMessagesTo', async () => {
    const reg = emulator.engine.registry;
    reg.createQueue('fwd-target');
    reg.createQueue('fwd-dlq');
    reg.createQueue('fwd-src', { forwardTo: 'fwd-target' });
    reg.createQueue('fwd-dl-src', { forwardDeadLetteredMessagesTo: 'fwd-dlq' });
    await client.createSender('fwd-src').sendMessages({ body: 'moved' });
    await client.createSender('fwd-dl-src').sendMessages({ body: 'dead' });
    const r = client.createReceiver('fwd-dl-src');
    const [m] = await r.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await r.deadLetterMessage(m!, { deadLetterReason: 'why', deadLetterErrorDescription: 'because' });
    const t = client.createReceiver('fwd-target', { receiveMode: 'receiveAndDelete' });
    expect((await t.receiveMessages(1, { maxWaitTimeInMs: 1000 }))[0]?.body).toBe('moved');
    const d = client.createReceiver('fwd-dlq', { receiveMode: 'receiveAndDelete' });
    const [dm] = await d.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(dm?.body).toBe('dead');
    expect(dm?.applicationProperties?.DeadLetterReason).toBe('why');
    await Promise.all([r.close(), t.close(), d.close()]);
  });
});
