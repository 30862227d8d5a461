// The Storage explorer's routes on a real `cloudbench serve` with its emulators on free ports, through the
// control API with the token: connection (emulator and a pasted connection string, the key never echoed),
// tables, entities in pages (2,500 of them), typed values, ETag conflicts, a bad $filter, and queues.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageConnectionSchema, StorageEntitiesSchema, StorageMessagesSchema } from '../../../runtime/shared/protocol.js';
import { copyFixture, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';
import { ControlClient } from '../../helpers/control.js';

// The well-known development key (Azurite's and the Storage Emulator's, published by Microsoft).
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

let app: Served;
let control: ControlClient;
let connectionString: string;

const call = (...args: Parameters<ControlClient['call']>) => control.call(...args);

const ok = (...args: Parameters<ControlClient['ok']>) => control.ok(...args);

beforeAll(async () => {
  app = await serve(copyFixture('apps/echo'), ['--workers', '1', '--in-memory', '--tables-port', '0', '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'], {
    CLOUDBENCH_HOME: mkdtempSync(path.join(os.tmpdir(), 'cb-home-')),
  });
  control = new ControlClient(app.workbenchUrl);
  const c = StorageConnectionSchema.parse(await ok('GET', '/api/storage/connection'));
  connectionString = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_KEY};TableEndpoint=${c.tableEndpoint};QueueEndpoint=${c.queueEndpoint};`;
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

describe('connection', () => {
  it('needs the token', async () => {
    const r = await call('GET', '/api/storage/tables', { auth: false });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('CB_ERR_CONTROL_UNAUTHORIZED');
  });

  it('starts on the local emulator and shows its account and endpoints, never its key', async () => {
    const r = await call('GET', '/api/storage/connection');
    expect(r.json).toMatchObject({ source: 'emulator', account: 'devstoreaccount1', unavailable: null });
    expect(r.json.tableEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(r.text).not.toContain(DEV_KEY);
  });

  it('switches to a pasted connection string and back, without echoing the key', async () => {
    const r = await call('POST', '/api/storage/connection', { body: { connectionString } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ source: 'custom', account: 'devstoreaccount1' });
    expect(r.text).not.toContain(DEV_KEY);
    const back = await ok('POST', '/api/storage/connection', { connectionString: null });
    expect(back.source).toBe('emulator');
  });

  it('refuses a connection string that does not parse or does not work, and keeps the old one', async () => {
    const r1 = await call('POST', '/api/storage/connection', { body: { connectionString: 'nonsense' } });
    expect(r1.status).toBe(400);
    expect(r1.json.error.code).toBe('CB_ERR_STORAGE_CONNECTION_STRING');
    const wrongKey = connectionString.replace(DEV_KEY, Buffer.from('wrong key').toString('base64'));
    const r2 = await call('POST', '/api/storage/connection', { body: { connectionString: wrongKey } });
    expect(r2.status).toBe(400);
    expect(r2.json.error.message).toMatch(/neither service answered/);
    expect(r2.text).not.toContain('d3Jvbmcga2V5');
    expect((await ok('GET', '/api/storage/connection')).source).toBe('emulator');
  });
});

describe('tables', () => {
  it('creates, lists, pages and deletes tables', async () => {
    // 'keeper' comes last so that the deleted table is not the newest: the emulator's purge of a deleted table
    // currently also empties a table created right after it (the row id is reused; reported).
    for (const n of ['alpha1', 'alpha2', 'alpha3', 'beta1', 'keeper']) await ok('POST', '/api/storage/tables', { name: n });
    const dup = await call('POST', '/api/storage/tables', { body: { name: 'alpha1' } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('CB_ERR_STORAGE_CONFLICT');
    const bad = await call('POST', '/api/storage/tables', { body: { name: '1bad' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('CB_ERR_STORAGE_BAD_REQUEST');

    const first = await ok('GET', '/api/storage/tables?prefix=alpha&top=2');
    expect(first.tables).toEqual(['alpha1', 'alpha2']);
    expect(first.continuation).toEqual(expect.any(String));
    const second = await ok('GET', `/api/storage/tables?prefix=alpha&top=2&continuation=${encodeURIComponent(first.continuation)}`);
    expect(second.tables).toEqual(['alpha3']);
    expect(second.continuation).toBeNull();

    await ok('DELETE', '/api/storage/tables/beta1');
    const gone = await call('DELETE', '/api/storage/tables/beta1');
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('CB_ERR_STORAGE_NOT_FOUND');
  });

  it('pages through 2,500 entities with continuation tokens', async () => {
    await ok('POST', '/api/storage/tables', { name: 'many' });
    const client = TableClient.fromConnectionString(connectionString, 'many', { allowInsecureConnection: true });
    for (let p = 0; p < 25; p++) {
      const actions = Array.from({ length: 100 }, (_, i) => ['create', { partitionKey: `p${String(p).padStart(2, '0')}`, rowKey: String(i).padStart(3, '0'), n: p * 100 + i }] as const);
      await client.submitTransaction(actions.map((a) => [a[0], a[1]]));
    }
    const seen: number[] = [];
    let continuation: string | null = null;
    let pages = 0;
    do {
      const q: string = `/api/storage/tables/many/entities?top=1000${continuation ? `&continuation=${encodeURIComponent(continuation)}` : ''}`;
      const page = StorageEntitiesSchema.parse(await ok('GET', q));
      expect(page.entities.length).toBeLessThanOrEqual(1000);
      seen.push(...page.entities.map((e) => Number(e.properties.n?.value)));
      continuation = page.continuation;
      pages++;
    } while (continuation);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i));

    // A filter and $select page the same way.
    const filtered = await ok('GET', `/api/storage/tables/many/entities?filter=${encodeURIComponent("PartitionKey eq 'p03' and n ge 350")}&select=n&top=20`);
    expect(filtered.entities).toHaveLength(20);
    expect(Object.keys(filtered.entities[0].properties)).toEqual(['n']);
    expect(filtered.continuation).toEqual(expect.any(String));
  }, 60_000);

  it('answers a bad $filter with 400 and the position', async () => {
    const r = await call('GET', `/api/storage/tables/many/entities?filter=${encodeURIComponent("PartitionKey eq 'p01' and (n gt 5")}`);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('CB_ERR_STORAGE_BAD_REQUEST');
    expect(r.json.error.message).toMatch(/position \d+/);
    const missing = await call('GET', '/api/storage/tables/nosuchtable/entities');
    expect(missing.status).toBe(404);
  });

  it('writes typed entities, reads them back exactly, and guards updates and deletes with the ETag', async () => {
    await ok('POST', '/api/storage/tables', { name: 'typed' });
    const properties = {
      s: { type: 'String', value: 'text' },
      i: { type: 'Int32', value: '-42' },
      l: { type: 'Int64', value: '9007199254740993' },
      d: { type: 'Double', value: '2.5' },
      // A whole Double is written `2.0` without an annotation; the explorer reads the response text to keep it one.
      w: { type: 'Double', value: '2' },
      e: { type: 'Double', value: '1e+21' },
      b: { type: 'Boolean', value: 'true' },
      t: { type: 'DateTime', value: '2024-05-06T07:08:09.1234567Z' },
      g: { type: 'Guid', value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      x: { type: 'Binary', value: Buffer.from([0, 1, 2, 255]).toString('base64') },
    };
    const created = await ok('POST', '/api/storage/tables/typed/entity', { entity: { partitionKey: 'a', rowKey: '1', properties }, mode: 'insert' });
    expect(created.etag).toMatch(/^W\//);
    const again = await call('POST', '/api/storage/tables/typed/entity', { body: { entity: { partitionKey: 'a', rowKey: '1', properties }, mode: 'insert' } });
    expect(again.status).toBe(409);

    const read = await ok('GET', '/api/storage/tables/typed/entity?partitionKey=a&rowKey=1');
    expect(read.etag).toBe(created.etag);
    expect(read.properties).toEqual(properties);
    const listed = await ok('GET', '/api/storage/tables/typed/entities');
    expect(listed.entities[0].properties).toEqual(properties);

    const badValue = await call('POST', '/api/storage/tables/typed/entity', { body: { entity: { partitionKey: 'a', rowKey: '2', properties: { i: { type: 'Int32', value: 'x' } } }, mode: 'insert' } });
    expect(badValue.status).toBe(400);
    expect(badValue.json.error.message).toContain('i: "x" is not an Int32');

    // Merge with the current ETag works; the old ETag then gets 412.
    const merged = await ok('POST', '/api/storage/tables/typed/entity', { entity: { partitionKey: 'a', rowKey: '1', properties: { extra: { type: 'String', value: 'added' } } }, mode: 'merge', etag: created.etag });
    const stale = await call('POST', '/api/storage/tables/typed/entity', { body: { entity: { partitionKey: 'a', rowKey: '1', properties: {} }, mode: 'replace', etag: created.etag } });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe('CB_ERR_STORAGE_CHANGED');
    expect(stale.json.error.message).toContain('changed since you loaded it');
    const afterMerge = await ok('GET', '/api/storage/tables/typed/entity?partitionKey=a&rowKey=1');
    expect(afterMerge.properties.extra).toEqual({ type: 'String', value: 'added' });
    expect(afterMerge.properties.l).toEqual(properties.l);

    // Replace drops what it does not name.
    const replaced = await ok('POST', '/api/storage/tables/typed/entity', { entity: { partitionKey: 'a', rowKey: '1', properties: { only: { type: 'Int32', value: '1' } } }, mode: 'replace', etag: merged.etag });
    expect(Object.keys((await ok('GET', '/api/storage/tables/typed/entity?partitionKey=a&rowKey=1')).properties)).toEqual(['only']);

    const staleDelete = await call('POST', '/api/storage/tables/typed/entity/delete', { body: { partitionKey: 'a', rowKey: '1', etag: merged.etag } });
    expect(staleDelete.status).toBe(412);
    await ok('POST', '/api/storage/tables/typed/entity/delete', { partitionKey: 'a', rowKey: '1', etag: replaced.etag });
    const missing = await call('GET', '/api/storage/tables/typed/entity?partitionKey=a&rowKey=1');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('CB_ERR_STORAGE_NOT_FOUND');
  });
});

describe('queues', () => {
  it('creates, lists, sends, peeks, dequeues, clears and deletes', async () => {
    await ok('POST', '/api/storage/queues', { name: 'jobs' });
    const dup = await call('POST', '/api/storage/queues', { body: { name: 'jobs' } });
    expect(dup.status).toBe(409);
    const bad = await call('POST', '/api/storage/queues', { body: { name: 'Bad_Name' } });
    expect(bad.status).toBe(400);

    for (let i = 0; i < 3; i++) await ok('POST', '/api/storage/queues/jobs/messages', { text: `m${i}`, ttlSeconds: 3600 });
    const hidden = await ok('POST', '/api/storage/queues/jobs/messages', { text: 'later', visibilitySeconds: 600 });
    expect(hidden.nextVisibleOn).toEqual(expect.any(String));
    const list = await ok('GET', '/api/storage/queues');
    expect(list.queues).toContainEqual({ name: 'jobs', approximateMessagesCount: 4 });

    const peeked = StorageMessagesSchema.parse(await ok('GET', '/api/storage/queues/jobs/messages?count=32'));
    expect(peeked.messages.map((m) => m.messageText)).toEqual(['m0', 'm1', 'm2']);
    const tooMany = await call('GET', '/api/storage/queues/jobs/messages?count=33');
    expect(tooMany.status).toBe(400);

    const got = await ok('POST', '/api/storage/queues/jobs/dequeue', { count: 1 });
    expect(got.messages).toHaveLength(1);
    expect(got.messages[0]).toMatchObject({ messageText: 'm0', dequeueCount: 1 });
    expect((await ok('GET', '/api/storage/queues/jobs/messages')).messages.map((m: { messageText: string }) => m.messageText)).toEqual(['m1', 'm2']);

    await ok('DELETE', '/api/storage/queues/jobs/messages');
    expect((await ok('GET', '/api/storage/queues/jobs/messages')).messages).toEqual([]);
    await ok('DELETE', '/api/storage/queues/jobs');
    const gone = await call('GET', '/api/storage/queues/jobs/messages');
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('CB_ERR_STORAGE_NOT_FOUND');
  });
});
