// The HTTP side: ServiceBusAdministrationClient (ATOM), azure-sb's legacy REST calls, /health, and the
// project's seed code run unchanged in a child process that has only the emulator's environment.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServiceBusEmulator } from '../../../runtime/emulators/servicebus/index.js';
import { adminClient, sdkClient, startEmulator } from './helpers.js';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
let emulator: RunningServiceBusEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.close();
});

describe('health', () => {
  it('answers like Microsoft\'s emulator', async () => {
    const res = await fetch(`http://127.0.0.1:${emulator.httpPort}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy', message: 'Service is healthy.' });
  });
});

describe('ServiceBusAdministrationClient', () => {
  it('creates, reads, updates, lists and deletes queues, topics, subscriptions and rules, with runtime counts', async () => {
    const admin = adminClient(emulator);
    const q = await admin.createQueue('admin-q', { lockDuration: 'PT30S', maxDeliveryCount: 5, requiresDuplicateDetection: true });
    expect(q.name).toBe('admin-q');
    expect(q.lockDuration).toBe('PT30S');
    expect(q.maxDeliveryCount).toBe(5);
    const err = await admin.createQueue('admin-q').catch((e: unknown) => e);
    expect((err as { statusCode?: number }).statusCode).toBe(409);
    const got = await admin.getQueue('admin-q');
    got.maxDeliveryCount = 7;
    expect((await admin.updateQueue(got)).maxDeliveryCount).toBe(7);
    expect(await admin.queueExists('admin-q')).toBe(true);
    expect(await admin.queueExists('missing')).toBe(false);
    const client = sdkClient(emulator);
    await client.createSender('admin-q').sendMessages([{ body: 1 }, { body: 2 }]);
    await client.close();
    const rp = await admin.getQueueRuntimeProperties('admin-q');
    expect(rp.activeMessageCount).toBe(2);
    expect(rp.totalMessageCount).toBe(2);
    const names: string[] = [];
    for await (const x of admin.listQueues()) names.push(x.name);
    expect(names).toContain('admin-q');

    await admin.createTopic('admin-t');
    await admin.createSubscription('admin-t', 's1', { lockDuration: 'PT10S' });
    await admin.createRule('admin-t', 's1', 'only-red', { sqlExpression: "color = 'red'" }, { sqlExpression: "SET x = 1" });
    const rule = await admin.getRule('admin-t', 's1', 'only-red');
    expect(rule.filter).toMatchObject({ sqlExpression: "color = 'red'" });
    expect(rule.action).toMatchObject({ sqlExpression: 'SET x = 1' });
    const rules: string[] = [];
    for await (const r of admin.listRules('admin-t', 's1')) rules.push(r.name);
    expect(rules).toEqual(['$Default', 'only-red']);
    const bad = await admin.createRule('admin-t', 's1', 'bad', { sqlExpression: 'a ==' }).catch((e: unknown) => e);
    expect((bad as { statusCode?: number }).statusCode).toBe(400);
    const subs: string[] = [];
    for await (const s of admin.listSubscriptions('admin-t')) subs.push(s.subscriptionName);
    expect(subs).toEqual(['s1']);
    expect((await admin.getSubscriptionRuntimeProperties('admin-t', 's1')).activeMessageCount).toBe(0);
    await admin.deleteSubscription('admin-t', 's1');
    await admin.deleteTopic('admin-t');
    await admin.deleteQueue('admin-q');
    expect(await admin.queueExists('admin-q')).toBe(false);
  });

  it('keeps ForwardTo given as the full URL the admin client sends, and forwards', async () => {
    const admin = adminClient(emulator);
    await admin.createQueue('fwd-dest');
    const src = await admin.createQueue('fwd-from', { forwardTo: 'fwd-dest' });
    expect(src.forwardTo).toMatch(/fwd-dest$/);
    const client = sdkClient(emulator);
    await client.createSender('fwd-from').sendMessages({ body: 'via' });
    const r = client.createReceiver('fwd-dest', { receiveMode: 'receiveAndDelete' });
    expect((await r.receiveMessages(1, { maxWaitTimeInMs: 2000 }))[0]?.body).toBe('via');
    await client.close();
  });

  it('refuses a request signed with the wrong key', async () => {
    const res = await fetch(`http://127.0.0.1:${emulator.httpPort}/$Resources/Queues`, { headers: { Authorization: 'SharedAccessSignature sr=x&sig=AAAA&se=9999999999&skn=RootManageSharedAccessKey' } });
    expect(res.status).toBe(401);
  });
});

describe('azure-sb (legacy REST)', () => {
  it('creates, sends with properties, peek-locks, completes, unlocks and receives across protocols', async () => {
    const azure = require('azure-sb') as { createServiceBusService(cs?: string): any };
    const sb = azure.createServiceBusService(emulator.environment().AZURE_SERVICEBUS_CONNECTION_STRING);
    const call = <T>(fn: (cb: (err: unknown, result?: T) => void) => void): Promise<T> =>
      new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result as T))));
    await call((cb) => sb.createQueueIfNotExists('legacy', cb));
    await call((cb) => sb.createQueueIfNotExists('legacy', cb));
    await call((cb) => sb.sendQueueMessage('legacy', { body: 'hello', brokerProperties: { Label: 'L1', MessageId: 'id-1' }, customProperties: { color: 'red', n: 3 } }, cb));
    const m = await call<any>((cb) => sb.receiveQueueMessage('legacy', { isPeekLock: true }, cb));
    expect(m.body).toBe('hello');
    expect(m.brokerProperties.Label).toBe('L1');
    expect(m.brokerProperties.MessageId).toBe('id-1');
    expect(m.customProperties.color).toBe('red');
    expect(m.customProperties.n).toBe(3);
    await call((cb) => sb.unlockMessage(m, cb));
    const again = await call<any>((cb) => sb.receiveQueueMessage('legacy', { isPeekLock: true }, cb));
    expect(again.brokerProperties.DeliveryCount).toBe(2);
    await call((cb) => sb.deleteMessage(again, cb));
    const none = await call((cb) => sb.receiveQueueMessage('legacy', { timeoutIntervalInS: 1 }, cb)).catch((e: unknown) => e);
    expect(String(none)).toMatch(/No messages/);
    // Sent over AMQP, received over REST (one engine behind both).
    const client = sdkClient(emulator);
    await client.createSender('legacy').sendMessages({ body: 'from-amqp', subject: 'x' });
    await client.close();
    const cross = await call<any>((cb) => sb.receiveQueueMessage('legacy', cb));
    expect(cross.body).toBe('"from-amqp"');
  });

  it('manages rules and peek-locks, renews and completes subscription messages', async () => {
    const azure = require('azure-sb') as { createServiceBusService(cs?: string): any };
    const sb = azure.createServiceBusService(emulator.environment().AZURE_SERVICEBUS_CONNECTION_STRING);
    const call = <T>(fn: (cb: (err: unknown, result?: T) => void) => void): Promise<T> =>
      new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result as T))));
    await call((cb) => sb.createTopicIfNotExists('legacy-t', cb));
    await call((cb) => sb.createSubscription('legacy-t', 'high', cb));
    await call((cb) => sb.deleteRule('legacy-t', 'high', '$Default', cb));
    await call((cb) => sb.createRule('legacy-t', 'high', 'p', { sqlExpressionFilter: 'priority > 3' }, cb));
    const rules = await call<any[]>((cb) => sb.listRules('legacy-t', 'high', cb));
    expect(rules.map((r) => r.RuleName)).toEqual(['p']);
    await call((cb) => sb.sendTopicMessage('legacy-t', { body: 'low', customProperties: { priority: 1 } }, cb));
    await call((cb) => sb.sendTopicMessage('legacy-t', { body: 'high', customProperties: { priority: 5 } }, cb));
    const m = await call<any>((cb) => sb.receiveSubscriptionMessage('legacy-t', 'high', { isPeekLock: true }, cb));
    expect(m.body).toBe('high');
    await call((cb) => sb.renewLockForMessage(m, cb));
    await call((cb) => sb.deleteMessage(m, cb));
    expect(emulator.engine.counts('legacy-t/Subscriptions/high').activeMessageCount).toBe(0);
  });

  // azure-sb, and the `azure` package the seed article requires: 0.10.6 (`npm install azure` today, azure-sb
  // 0.10 inside) and 0.7.19 (2013, its own Service Bus code).
  it.each([['azure-sb', 'client1'], ['azure', 'client2'], ['azure-0.7', 'client3']])('runs the seed code unchanged with %s in a child process with only the emulator environment', async (pkg, subscription) => {
    const script = `
      var azure = require('${pkg}');
      var sb = azure.createServiceBusService();
      var topic = 'taskdiscussion';
      sb.createQueueIfNotExists('taskqueue', function (e) {
        if (e) throw e;
        sb.createTopicIfNotExists(topic, function (e) {
          if (e) throw e;
          sb.createSubscription(topic, '${subscription}', function (e) {
            if (e) throw e;
            sb.sendTopicMessage(topic, 'Hello world!', function (e) {
              if (e) throw e;
              sb.receiveSubscriptionMessage(topic, '${subscription}', function (e, m) {
                if (e) throw e;
                console.log(JSON.stringify(m.body));
              });
            });
          });
        });
      });`;
    const env = { PATH: process.env.PATH ?? '', ...emulator.environment() };
    const { stdout } = await run(process.execPath, ['-e', script], { env, cwd: process.cwd(), timeout: 20_000 });
    expect(stdout.trim()).toBe('"Hello world!"');
  });
});
