// The Queue emulator driven by @azure/storage-queue (which sends x-ms-version 2026-04-06, newer than Azurite
// accepts without --skipApiVersionCheck): queues, metadata, ACLs, every message operation, limits and SAS.
import { AnonymousCredential, QueueClient, QueueServiceClient, generateAccountSASQueryParameters, AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, QueueSASPermissions, generateQueueSASQueryParameters } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, codeOf, failure, queueCredential, startEmulator, uniqueName } from './helpers.js';

let emu: RunningStorageEmulator;
let service: QueueServiceClient;

beforeAll(async () => {
  emu = await startEmulator();
  service = QueueServiceClient.fromConnectionString(emu.connectionString());
});
afterAll(() => emu.close());

async function newQueue(): Promise<QueueClient> {
  const q = service.getQueueClient(uniqueName('q'));
  await q.create();
  return q;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('queues', () => {
  it('creates, lists with prefix/marker/metadata, and deletes queues', async () => {
    const prefix = uniqueName('list');
    for (const n of ['a', 'b', 'c']) await service.createQueue(`${prefix}-${n}`, { metadata: { Owner: n } });
    const pages = [];
    for await (const page of service.listQueues({ prefix, includeMetadata: true }).byPage({ maxPageSize: 2 })) pages.push(page.queueItems?.map((q) => [q.name, q.metadata?.owner ?? q.metadata?.Owner]));
    expect(pages).toEqual([[[`${prefix}-a`, 'a'], [`${prefix}-b`, 'b']], [[`${prefix}-c`, 'c']]]);
    await service.deleteQueue(`${prefix}-b`);
    const names = [];
    for await (const q of service.listQueues({ prefix })) names.push(q.name);
    expect(names).toEqual([`${prefix}-a`, `${prefix}-c`]);
    expect(codeOf(await failure(service.getQueueClient(`${prefix}-b`).getProperties()))).toBe('QueueNotFound');
  });

  it('create is idempotent with the same metadata and conflicts with different metadata', async () => {
    const q = service.getQueueClient(uniqueName('idem'));
    expect((await q.create({ metadata: { a: '1' } }))._response.status).toBe(201);
    expect((await q.create({ metadata: { a: '1' } }))._response.status).toBe(204);
    expect(codeOf(await failure(q.create({ metadata: { a: '2' } })))).toBe('QueueAlreadyExists');
  });

  it('enforces queue name rules', async () => {
    for (const bad of ['ab', 'Upper', 'a--b', '-ab', 'ab-', 'x'.repeat(64)]) {
      const err = await failure(service.getQueueClient(bad).create());
      expect(err.statusCode).toBe(400);
    }
  });

  it('keeps metadata and reports the approximate message count', async () => {
    const q = await newQueue();
    await q.setMetadata({ Color: 'blue' });
    await q.sendMessage('one');
    await q.sendMessage('two');
    const props = await q.getProperties();
    expect(props.metadata).toEqual({ color: 'blue' });
    expect(props.approximateMessagesCount).toBe(2);
  });

  it('sets and reads a queue ACL', async () => {
    const q = await newQueue();
    const expiresOn = new Date(Date.UTC(2031, 1, 2));
    await q.setAccessPolicy([{ id: 'p1', accessPolicy: { permissions: 'raup', expiresOn, startsOn: new Date(Date.UTC(2020, 0, 1)) } }]);
    const acl = await q.getAccessPolicy();
    expect(acl.signedIdentifiers[0]?.id).toBe('p1');
    expect(acl.signedIdentifiers[0]?.accessPolicy?.permissions).toBe('raup');
    expect(acl.signedIdentifiers[0]?.accessPolicy?.expiresOn?.toISOString()).toBe(expiresOn.toISOString());
  });
});

describe('messages', () => {
  it('send, peek, receive, update and delete, with dequeue counts and pop receipts', async () => {
    const q = await newQueue();
    const sent = await q.sendMessage('hello <&> world');
    expect(sent.messageId).toMatch(/^[0-9a-f-]{36}$/);
    const peeked = await q.peekMessages();
    expect(peeked.peekedMessageItems[0]?.messageText).toBe('hello <&> world');
    expect(peeked.peekedMessageItems[0]?.dequeueCount).toBe(0);
    const got = (await q.receiveMessages({ visibilityTimeout: 1 })).receivedMessageItems[0]!;
    expect(got.dequeueCount).toBe(1);
    expect((await q.receiveMessages()).receivedMessageItems).toEqual([]);
    const updated = await q.updateMessage(got.messageId, got.popReceipt, 'changed', 0);
    expect(codeOf(await failure(q.deleteMessage(got.messageId, got.popReceipt)))).toBe('PopReceiptMismatch');
    const again = (await q.receiveMessages()).receivedMessageItems[0]!;
    expect(again.messageText).toBe('changed');
    expect(again.dequeueCount).toBe(2);
    expect(updated.popReceipt).not.toBe(again.popReceipt);
    await q.deleteMessage(again.messageId, again.popReceipt);
    expect(codeOf(await failure(q.deleteMessage(again.messageId, again.popReceipt)))).toBe('MessageNotFound');
  });

  it('a message reappears after its visibility timeout', async () => {
    const q = await newQueue();
    await q.sendMessage('m');
    await q.receiveMessages({ visibilityTimeout: 1 });
    await sleep(1100);
    const back = (await q.receiveMessages()).receivedMessageItems[0];
    expect(back?.dequeueCount).toBe(2);
  });

  it('honours visibilitytimeout on put, TTL expiry and messagettl=-1', async () => {
    const q = await newQueue();
    await q.sendMessage('later', { visibilityTimeout: 1 });
    await q.sendMessage('short', { messageTimeToLive: 1 });
    const forever = await q.sendMessage('forever', { messageTimeToLive: -1 });
    expect(forever.expiresOn.getUTCFullYear()).toBe(9999);
    expect((await q.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.map((m) => m.messageText)).toEqual(['short', 'forever']);
    await sleep(1100);
    const texts = (await q.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems.map((m) => m.messageText).sort();
    expect(texts).toEqual(['forever', 'later']);
  });

  it('receives up to 32 at once in order, and clears', async () => {
    const q = await newQueue();
    for (let i = 0; i < 40; i++) await q.sendMessage(String(i));
    const got = await q.receiveMessages({ numberOfMessages: 32 });
    expect(got.receivedMessageItems.map((m) => m.messageText)).toEqual(Array.from({ length: 32 }, (_, i) => String(i)));
    expect(codeOf(await failure(q.receiveMessages({ numberOfMessages: 33 })))).toBe('OutOfRangeQueryParameterValue');
    await q.clearMessages();
    expect((await q.peekMessages({ numberOfMessages: 32 })).peekedMessageItems).toEqual([]);
    expect((await q.getProperties()).approximateMessagesCount).toBe(0);
  });

  it('limits messages to 64 KiB', async () => {
    const q = await newQueue();
    await q.sendMessage('x'.repeat(64 * 1024));
    // As Azure answers: 413 RequestBodyTooLarge, its sentence, and MaxLimit.
    const error = await failure(q.sendMessage('x'.repeat(64 * 1024 + 1)));
    expect(error.statusCode).toBe(413);
    expect(codeOf(error)).toBe('RequestBodyTooLarge');
    expect(error.message).toMatch(/^The request body is too large and exceeds the maximum permissible limit\./);
    expect(error.details?.MaxLimit ?? error.details?.maxLimit).toBe('65536');
  });
});

describe('service', () => {
  it('stores service properties and reports stats', async () => {
    const props = await service.getProperties();
    await service.setProperties({ ...props, minuteMetrics: { version: '1.0', enabled: false, retentionPolicy: { enabled: false } } });
    expect((await service.getProperties()).minuteMetrics?.enabled).toBe(false);
    expect((await service.getStatistics()).geoReplication?.status).toBe('live');
  });
});

describe('SAS', () => {
  it('a queue SAS allows add and process but not more', async () => {
    const q = await newQueue();
    const sas = generateQueueSASQueryParameters({ queueName: q.name, permissions: QueueSASPermissions.parse('ap'), expiresOn: new Date(Date.now() + 3600_000) }, queueCredential()).toString();
    const viaSas = new QueueClient(`${emu.queuesUrl}/${DEV_ACCOUNT}/${q.name}?${sas}`, new AnonymousCredential());
    await viaSas.sendMessage('by sas');
    const got = (await viaSas.receiveMessages()).receivedMessageItems[0]!;
    await viaSas.deleteMessage(got.messageId, got.popReceipt);
    expect(codeOf(await failure(viaSas.peekMessages()))).toBe('AuthorizationPermissionMismatch');
    expect((await failure(viaSas.delete())).statusCode).toBe(403);
  });

  it('an account SAS lists queues; a forged one is refused', async () => {
    const sas = generateAccountSASQueryParameters(
      { permissions: AccountSASPermissions.parse('l'), services: AccountSASServices.parse('q').toString(), resourceTypes: AccountSASResourceTypes.parse('s').toString(), expiresOn: new Date(Date.now() + 3600_000) },
      queueCredential(),
    ).toString();
    const viaSas = new QueueServiceClient(`${emu.queuesUrl}/${DEV_ACCOUNT}?${sas}`, new AnonymousCredential());
    const names = [];
    for await (const q of viaSas.listQueues()) names.push(q.name);
    expect(names.length).toBeGreaterThan(0);
    expect((await failure(viaSas.createQueue(uniqueName('x')))).statusCode).toBe(403);
    const forged = new QueueServiceClient(`${emu.queuesUrl}/${DEV_ACCOUNT}?${sas.replace(/sig=[^&]+/, 'sig=AAAA')}`, new AnonymousCredential());
    expect(codeOf(await failure(forged.getProperties()))).toBe('AuthenticationFailed');
  });
});
