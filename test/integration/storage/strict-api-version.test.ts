// --strict-api-version: an x-ms-version that is not an Azure Storage service version is refused with Azure's
// 400 InvalidHeaderValue (JSON odata.error for tables, XML with HeaderName/HeaderValue for queues), while the
// SDKs' own versions pass; by default the same request is accepted and its version echoed.
import { createHmac } from 'node:crypto';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { SERVICE_VERSIONS } from '../../../runtime/emulators/storage/api-versions.js';
import { DEV_ACCOUNT, DEV_KEY, queueCredential, startEmulator, tableCredential, uniqueName } from './helpers.js';

let strict: RunningStorageEmulator;
let loose: RunningStorageEmulator;
beforeAll(async () => {
  [strict, loose] = await Promise.all([startEmulator({ strictApiVersion: true }), startEmulator()]);
});
afterAll(() => Promise.all([strict?.close(), loose?.close()]));

const opts = { allowInsecureConnection: true };

/** Query Tables over raw HTTP, SharedKeyLite-signed, with the given x-ms-version. */
async function listTables(emu: RunningStorageEmulator, version: string) {
  const date = new Date().toUTCString();
  const signature = createHmac('sha256', Buffer.from(DEV_KEY, 'base64')).update(`${date}\n/${DEV_ACCOUNT}/${DEV_ACCOUNT}/Tables`, 'utf8').digest('base64');
  const res = await fetch(`${emu.tablesUrl}/${DEV_ACCOUNT}/Tables`, {
    headers: { 'x-ms-date': date, 'x-ms-version': version, Accept: 'application/json;odata=nometadata', Authorization: `SharedKeyLite ${DEV_ACCOUNT}:${signature}` },
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('strict API-version checking', () => {
  it('lets the current SDKs through (their versions are real service versions)', async () => {
    const table = uniqueName('strict');
    await new TableServiceClient(strict.tablesUrl + '/' + DEV_ACCOUNT, tableCredential(), opts).createTable(table);
    const client = new TableClient(`${strict.tablesUrl}/${DEV_ACCOUNT}`, table, tableCredential(), opts);
    await client.createEntity({ partitionKey: 'p', rowKey: 'r', n: 1 });
    expect((await client.getEntity('p', 'r')).n).toBe(1);
    const queue = new QueueClient(`${strict.queuesUrl}/${DEV_ACCOUNT}/${uniqueName('strict')}`, queueCredential());
    await queue.create();
    await queue.sendMessage('hello');
    expect((await queue.receiveMessages()).receivedMessageItems[0]?.messageText).toBe('hello');
  });

  it('refuses a version Azure never released: 400 InvalidHeaderValue naming the header (tables, JSON)', async () => {
    const res = await listTables(strict, '2099-01-01');
    expect(res.status).toBe(400);
    expect(res.headers.get('x-ms-error-code')).toBe('InvalidHeaderValue');
    const body = JSON.parse(res.text);
    expect(body['odata.error'].code).toBe('InvalidHeaderValue');
    expect(body['odata.error'].message.value).toMatch(/x-ms-version "2099-01-01" is not an Azure Storage service version/);
    expect(body['odata.error'].message.value).toMatch(/--strict-api-version/);
    // A malformed value too, and an old real one passes.
    expect((await listTables(strict, 'latest')).status).toBe(400);
    expect((await listTables(strict, '2019-02-02')).status).toBe(200);
  });

  it('refuses it on queues with an XML error that carries HeaderName and HeaderValue', async () => {
    const queue = new QueueClient(`${strict.queuesUrl}/${DEV_ACCOUNT}/${uniqueName('strictq')}`, queueCredential());
    await queue.create();
    // The version is checked before anything else, the signature included.
    const res = await fetch(`${strict.queuesUrl}/${DEV_ACCOUNT}/${queue.name}/messages`, {
      method: 'POST',
      headers: { 'x-ms-version': '2030-01-01', 'Content-Type': 'application/xml' },
      body: '<QueueMessage><MessageText>nope</MessageText></QueueMessage>',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-ms-error-code')).toBe('InvalidHeaderValue');
    const xml = await res.text();
    expect(xml).toMatch(/<Code>InvalidHeaderValue<\/Code>/);
    expect(xml).toMatch(/<HeaderName>x-ms-version<\/HeaderName><HeaderValue>2030-01-01<\/HeaderValue>/);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
  });

  it('accepts any version by default, and echoes it', async () => {
    const res = await listTables(loose, '2099-01-01');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ms-version')).toBe('2099-01-01');
  });

  it('knows the versions in order, newest last', () => {
    expect([...SERVICE_VERSIONS].sort()).toEqual(SERVICE_VERSIONS);
    expect(SERVICE_VERSIONS).toContain('2026-04-06');
  });
});
