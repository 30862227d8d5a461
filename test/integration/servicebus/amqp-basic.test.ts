// @azure/service-bus (unmodified) against the emulator over AMQP: send (single, batch), receive in both
// modes, settlement (complete, abandon, defer, dead-letter), peek, lock renewal and expiry, DLQ, streaming.
import type { ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServiceBusEmulator } from '../../../runtime/emulators/servicebus/index.js';
import { sdkClient, sleep, startEmulator } from './helpers.js';

let emulator: RunningServiceBusEmulator;
let client: ServiceBusClient;
let n = 0;
const queue = (props: Parameters<RunningServiceBusEmulator['engine']['registry']['createQueue']>[1] = {}): string => {
  const name = `q${++n}`;
  emulator.engine.registry.createQueue(name, props);
  return name;
};

beforeAll(async () => {
  emulator = await startEmulator();
  client = sdkClient(emulator);
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

describe('send and receive', () => {
  it('sends one message and receives it in peek-lock with all system properties', async () => {
    const q = queue();
    const sender = client.createSender(q);
    await sender.sendMessages({ body: { hello: 'world' }, messageId: 'm-1', subject: 'greeting', applicationProperties: { prop1: 'value1', n: 7 }, correlationId: 'c1', contentType: 'application/json' });
    const receiver = client.createReceiver(q);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(m?.body).toEqual({ hello: 'world' });
    expect(m?.messageId).toBe('m-1');
    expect(m?.subject).toBe('greeting');
    expect(m?.applicationProperties).toEqual({ prop1: 'value1', n: 7 });
    expect(m?.correlationId).toBe('c1');
    expect(m?.sequenceNumber?.toNumber()).toBe(1);
    expect(m?.deliveryCount).toBe(0);
    expect(m?.lockToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(m?.enqueuedTimeUtc).toBeInstanceOf(Date);
    expect(m?.lockedUntilUtc?.getTime()).toBeGreaterThan(Date.now());
    await receiver.completeMessage(m!);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    await receiver.close();
    await sender.close();
  });

  it('sends a batch and an array and receives them in order in receiveAndDelete mode', async () => {
    const q = queue();
    const sender = client.createSender(q);
    const batch = await sender.createMessageBatch();
    for (let i = 0; i < 50; i++) expect(batch.tryAddMessage({ body: `b${i}` })).toBe(true);
    await sender.sendMessages(batch);
    await sender.sendMessages([{ body: 'x' }, { body: 'y' }]);
    const receiver = client.createReceiver(q, { receiveMode: 'receiveAndDelete' });
    const got: unknown[] = [];
    while (got.length < 52) {
      const ms = await receiver.receiveMessages(52 - got.length, { maxWaitTimeInMs: 1000 });
      if (ms.length === 0) break;
      got.push(...ms.map((m) => m.body));
    }
    expect(got).toEqual([...Array.from({ length: 50 }, (_, i) => `b${i}`), 'x', 'y']);
    expect(emulator.engine.counts(q).activeMessageCount).toBe(0);
    await receiver.close();
  });

  it('abandon redelivers with a higher delivery count; past MaxDeliveryCount the message is dead-lettered', async () => {
    const q = queue({ maxDeliveryCount: 2 });
    await client.createSender(q).sendMessages({ body: 'retry' });
    const receiver = client.createReceiver(q);
    const [a] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.abandonMessage(a!, { reason: 'try again' });
    const [b] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(b?.deliveryCount).toBe(1);
    expect(b?.applicationProperties?.reason).toBe('try again');
    await receiver.abandonMessage(b!);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    const dlq = client.createReceiver(q, { subQueueType: 'deadLetter' });
    const [d] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(d?.body).toBe('retry');
    expect(d?.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    await dlq.completeMessage(d!);
    await dlq.close();
    await receiver.close();
  });

  it('deadLetter with reason and description lands in the DLQ', async () => {
    const q = queue();
    await client.createSender(q).sendMessages({ body: 'bad' });
    const receiver = client.createReceiver(q);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deadLetterMessage(m!, { deadLetterReason: 'Invalid', deadLetterErrorDescription: 'no good', extra: 'x' });
    const dlq = client.createReceiver(q, { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' });
    const [d] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(d?.deadLetterReason).toBe('Invalid');
    expect(d?.deadLetterErrorDescription).toBe('no good');
    expect(d?.applicationProperties?.extra).toBe('x');
    await dlq.close();
    await receiver.close();
  });

  it('peeks without locking, in sequence order, including from a sequence number', async () => {
    const q = queue();
    await client.createSender(q).sendMessages([{ body: 1 }, { body: 2 }, { body: 3 }]);
    const receiver = client.createReceiver(q);
    const peeked = await receiver.peekMessages(10);
    expect(peeked.map((m) => m.body)).toEqual([1, 2, 3]);
    const later = await receiver.peekMessages(10, { fromSequenceNumber: peeked[1]!.sequenceNumber });
    expect(later.map((m) => m.body)).toEqual([2, 3]);
    expect(emulator.engine.counts(q).activeMessageCount).toBe(3);
    await receiver.close();
  });

  it('renews a lock, and an expired lock makes the message available again (complete then fails with MessageLockLost)', async () => {
    // 1 s: long enough for the renew round trip on a loaded 2-core machine, short enough to wait out.
    const q = queue({ lockDurationMs: 1000 });
    await client.createSender(q).sendMessages({ body: 'lock' });
    const receiver = client.createReceiver(q, { maxAutoLockRenewalDurationInMs: 0 });
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    const before = m!.lockedUntilUtc!.getTime();
    await sleep(50);
    const renewed = await receiver.renewMessageLock(m!);
    expect(renewed.getTime()).toBeGreaterThan(before);
    await sleep(1300);
    const err = await receiver.completeMessage(m!).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('MessageLockLost');
    const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(again?.body).toBe('lock');
    expect(again?.deliveryCount).toBe(1);
    await receiver.completeMessage(again!);
    await receiver.close();
  });

  it('defers a message and receives it by sequence number', async () => {
    const q = queue();
    await client.createSender(q).sendMessages({ body: 'later' });
    const receiver = client.createReceiver(q);
    const [m] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.deferMessage(m!);
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    const [d] = await receiver.receiveDeferredMessages(m!.sequenceNumber!);
    expect(d?.body).toBe('later');
    expect(d?.state).toBe('deferred');
    await receiver.completeMessage(d!);
    expect(emulator.engine.counts(q).activeMessageCount).toBe(0);
    await receiver.close();
  });

  it('streams with subscribe() and completes automatically', async () => {
    const q = queue();
    const receiver = client.createReceiver(q);
    const got: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      receiver.subscribe({
        processMessage: async (m) => {
          got.push(m.body);
          if (got.length === 20) resolve();
        },
        processError: async (e) => reject(e.error),
      });
    });
    await client.createSender(q).sendMessages(Array.from({ length: 20 }, (_, i) => ({ body: i })));
    await done;
    await receiver.close();
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await sleep(100);
    expect(emulator.engine.counts(q).activeMessageCount).toBe(0);
  });

  it('schedules and cancels', async () => {
    const q = queue();
    const sender = client.createSender(q);
    const [keep] = await sender.scheduleMessages({ body: 'soon' }, new Date(Date.now() + 300));
    const [drop] = await sender.scheduleMessages({ body: 'never' }, new Date(Date.now() + 300));
    await sender.cancelScheduledMessages(drop!);
    const receiver = client.createReceiver(q, { receiveMode: 'receiveAndDelete' });
    const peeked = await receiver.peekMessages(5);
    expect(peeked.map((m) => [m.body, m.state])).toEqual([['soon', 'scheduled']]);
    expect(keep!.toNumber()).toBe(peeked[0]!.sequenceNumber!.toNumber());
    const got = await receiver.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    expect(got.map((m) => m.body)).toEqual(['soon']);
    await receiver.close();
  });

  it('expires messages by TTL into the DLQ when DeadLetteringOnMessageExpiration is on', async () => {
    const q = queue({ deadLetteringOnMessageExpiration: true });
    await client.createSender(q).sendMessages([{ body: 'short', timeToLive: 200 }, { body: 'long' }]);
    await sleep(400);
    const receiver = client.createReceiver(q, { receiveMode: 'receiveAndDelete' });
    expect((await receiver.receiveMessages(5, { maxWaitTimeInMs: 500 })).map((m) => m.body)).toEqual(['long']);
    const dlq = client.createReceiver(q, { subQueueType: 'deadLetter', receiveMode: 'receiveAndDelete' });
    const [d] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(d?.body).toBe('short');
    expect(d?.deadLetterReason).toBe('TTLExpiredException');
    await dlq.close();
    await receiver.close();
  });

  it('reports MessagingEntityNotFound for an unknown queue and keeps serving', async () => {
    const err = await client.createSender('nope').sendMessages({ body: 1 }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('MessagingEntityNotFound');
    const rerr = await client.createReceiver('nope').receiveMessages(1, { maxWaitTimeInMs: 500 }).catch((e: unknown) => e);
    expect((rerr as { code?: string }).code).toBe('MessagingEntityNotFound');
    const q = queue();
    await client.createSender(q).sendMessages({ body: 'still' });
    expect(emulator.engine.counts(q).activeMessageCount).toBe(1);
  });
});
