// The Table emulator driven by @azure/data-tables: tables, entities of every EDM type, ETags, queries with
// $filter/$select/paging, transactions (and their rollback), ACLs and service properties.
import { TableClient, TableServiceClient, odata } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { codeOf, failure, startEmulator, tableCredential, uniqueName } from './helpers.js';

const opts = { allowInsecureConnection: true };
let emu: RunningStorageEmulator;
let service: TableServiceClient;

beforeAll(async () => {
  emu = await startEmulator();
  service = TableServiceClient.fromConnectionString(emu.connectionString(), opts);
});
afterAll(() => emu.close());

async function newTable(): Promise<TableClient> {
  const name = uniqueName('t');
  await service.createTable(name);
  return new TableClient(`${emu.tablesUrl}/devstoreaccount1`, name, tableCredential(), opts);
}

async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

describe('tables', () => {
  it('creates, lists with a TableName filter, pages and deletes tables', async () => {
    const names = ['alpha1', 'alpha2', 'beta1'].map((n) => uniqueName(n));
    for (const n of names) await service.createTable(n);
    const listed = (await all(service.listTables({ queryOptions: { filter: odata`TableName eq ${names[2]}` } }))).map((t) => t.name);
    expect(listed).toEqual([names[2]]);
    const pages = [];
    for await (const page of service.listTables().byPage({ maxPageSize: 1 })) pages.push(page.map((t) => t.name));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.every((p) => p.length === 1)).toBe(true);
    await service.createTable(names[0] as string); // TableAlreadyExists is swallowed by the SDK
    await service.deleteTable(names[0] as string);
    const after = (await all(service.listTables())).map((t) => t.name);
    expect(after).not.toContain(names[0]);
  });

  it('answers TableAlreadyExists / TableNotFound and createTable ignores an existing table', async () => {
    const t = await newTable();
    await t.createTable(); // the SDK swallows TableAlreadyExists
    const raw = await failure(t.createEntity.call(new TableClient(`${emu.tablesUrl}/devstoreaccount1`, 'nosuchtable', tableCredential(), opts), { partitionKey: 'a', rowKey: 'b' }));
    expect(raw.statusCode).toBe(404);
    expect(codeOf(raw)).toBe('TableNotFound');
  });

  it('enforces table name rules', async () => {
    for (const bad of ['ab', '1abc', 'has-dash', 'tables', 'x'.repeat(64)]) {
      const err = await failure(service.createTable(bad));
      expect(err.statusCode).toBe(400);
      expect(['InvalidResourceName', 'OutOfRangeInput']).toContain(codeOf(err));
    }
  });
});

describe('entities', () => {
  it('round-trips every EDM type exactly (Int64 beyond 2^53, DateTime with 100 ns)', async () => {
    const t = await newTable();
    const entity = {
      partitionKey: 'p',
      rowKey: 'r',
      s: 'text',
      i: 42,
      d: 2.5,
      dInt: { value: '3', type: 'Double' as const },
      b: true,
      big: 9223372036854775807n,
      when: { value: '2024-01-31T12:34:56.1234567Z', type: 'DateTime' as const },
      g: { value: 'c9da6455-213d-42c9-9a79-3e9149a57833', type: 'Guid' as const },
      bin: new Uint8Array([1, 2, 3, 255]),
    };
    await t.createEntity(entity);
    const got = await t.getEntity('p', 'r', { disableTypeConversion: true });
    expect(got.s).toEqual({ value: 'text', type: 'String' });
    expect(got.i).toEqual({ value: '42', type: 'Int32' });
    expect(got.big).toEqual({ value: '9223372036854775807', type: 'Int64' });
    expect(got.when).toEqual({ value: '2024-01-31T12:34:56.1234567Z', type: 'DateTime' });
    expect(got.g).toEqual({ value: 'c9da6455-213d-42c9-9a79-3e9149a57833', type: 'Guid' });
    expect(got.bin).toEqual({ value: Buffer.from([1, 2, 3, 255]).toString('base64'), type: 'Binary' });
    const typed = await t.getEntity<any>('p', 'r');
    expect(typed.big).toBe(9223372036854775807n);
    expect(typed.b).toBe(true);
    expect(typed.d).toBe(2.5);
  });

  it('insert conflicts, update/merge/upsert and delete honour ETags', async () => {
    const t = await newTable();
    const created = await t.createEntity({ partitionKey: 'p', rowKey: 'r', a: 1, keep: 'k' });
    expect(codeOf(await failure(t.createEntity({ partitionKey: 'p', rowKey: 'r' })))).toBe('EntityAlreadyExists');
    const merged = await t.updateEntity({ partitionKey: 'p', rowKey: 'r', a: 2 }, 'Merge', { etag: created.etag });
    expect((await t.getEntity<any>('p', 'r')).keep).toBe('k');
    const stale = await failure(t.updateEntity({ partitionKey: 'p', rowKey: 'r', a: 3 }, 'Replace', { etag: created.etag }));
    expect(stale.statusCode).toBe(412);
    expect(codeOf(stale)).toBe('UpdateConditionNotSatisfied');
    await t.updateEntity({ partitionKey: 'p', rowKey: 'r', a: 3 }, 'Replace', { etag: merged.etag });
    const replaced = await t.getEntity<any>('p', 'r');
    expect(replaced.a).toBe(3);
    expect(replaced.keep).toBeUndefined();
    await t.upsertEntity({ partitionKey: 'p', rowKey: 'new', x: 'y' }, 'Merge');
    await t.upsertEntity({ partitionKey: 'p', rowKey: 'new', z: 1 }, 'Merge');
    expect(await t.getEntity<any>('p', 'new')).toMatchObject({ x: 'y', z: 1 });
    await t.upsertEntity({ partitionKey: 'p', rowKey: 'new', only: true }, 'Replace');
    expect((await t.getEntity<any>('p', 'new')).x).toBeUndefined();
    expect((await failure(t.deleteEntity('p', 'r', { etag: created.etag }))).statusCode).toBe(412);
    await t.deleteEntity('p', 'r');
    expect(codeOf(await failure(t.getEntity('p', 'r')))).toBe('ResourceNotFound');
    expect((await failure(t.updateEntity({ partitionKey: 'p', rowKey: 'gone' }, 'Merge', { etag: '*' }))).statusCode).toBe(404);
  });

  it('queries with $filter, $select and $top across pages in key order', async () => {
    const t = await newTable();
    const batch: any[] = [];
    for (let i = 0; i < 25; i++) batch.push(['create', { partitionKey: 'p1', rowKey: String(i).padStart(3, '0'), n: i, big: BigInt(i) * 10_000_000_000n, flag: i % 2 === 0 }]);
    await t.submitTransaction(batch);
    await t.createEntity({ partitionKey: 'p2', rowKey: '000', n: 100, s: 'str' });
    const evens = await all(t.listEntities<any>({ queryOptions: { filter: odata`n lt ${10} and flag eq true` } }));
    expect(evens.map((e) => e.n)).toEqual([0, 2, 4, 6, 8]);
    const bigs = await all(t.listEntities<any>({ queryOptions: { filter: 'big ge 200000000000L' } }));
    expect(bigs.map((e) => e.n)).toEqual([20, 21, 22, 23, 24]);
    const typedMismatch = await all(t.listEntities({ queryOptions: { filter: "n eq '5'" } }));
    expect(typedMismatch).toEqual([]);
    const range = await all(t.listEntities<any>({ queryOptions: { filter: "PartitionKey eq 'p1' and RowKey ge '010' and RowKey lt '013'", select: ['n'] } }));
    expect(range).toHaveLength(3);
    expect(range[0].n).toBe(10);
    expect(range[0].flag).toBeUndefined();
    const pages: number[] = [];
    for await (const page of t.listEntities().byPage({ maxPageSize: 7 })) pages.push(page.length);
    expect(pages).toEqual([7, 7, 7, 5]);
    const notFilter = await all(t.listEntities<any>({ queryOptions: { filter: 'not (n lt 24)' } }));
    expect(notFilter.map((e) => e.n)).toEqual([24, 100]);
  });

  it('rejects a bad filter with InvalidInput naming the position', async () => {
    const t = await newTable();
    const err = await failure(all(t.listEntities({ queryOptions: { filter: "n eq 5 and (s eq 'x'" } })));
    expect(err.statusCode).toBe(400);
    expect(codeOf(err)).toBe('InvalidInput');
    expect(err.message).toMatch(/position 21/);
  });

  it('continues through NextPartitionKey/NextRowKey tokens, including an empty RowKey', async () => {
    const t = await newTable();
    for (const pk of ['a', 'b', 'c']) await t.createEntity({ partitionKey: pk, rowKey: '' });
    const iter = t.listEntities().byPage({ maxPageSize: 1 });
    const first = await iter.next();
    const token = first.value.continuationToken as string;
    const rest = [];
    for await (const page of t.listEntities().byPage({ maxPageSize: 1, continuationToken: token })) rest.push(...page.map((e) => e.partitionKey));
    expect(rest).toEqual(['b', 'c']);
  });
});

describe('transactions', () => {
  it('applies all operations of a batch', async () => {
    const t = await newTable();
    await t.createEntity({ partitionKey: 'p', rowKey: 'del' });
    await t.createEntity({ partitionKey: 'p', rowKey: 'upd', v: 1 });
    const result = await t.submitTransaction([
      ['create', { partitionKey: 'p', rowKey: 'c1' }],
      ['upsert', { partitionKey: 'p', rowKey: 'u1', v: 1 }, 'Merge'],
      ['update', { partitionKey: 'p', rowKey: 'upd', v: 2 }, 'Replace'],
      ['delete', { partitionKey: 'p', rowKey: 'del' }],
    ]);
    expect(result.status).toBe(202);
    expect(result.subResponses.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    expect(result.getResponseForEntity('c1')?.etag).toMatch(/^W\/"datetime'/);
    const keys = (await all(t.listEntities())).map((e) => e.rowKey);
    expect(keys).toEqual(['c1', 'u1', 'upd']);
  });

  it('rolls back everything when one operation fails, reporting its index', async () => {
    const t = await newTable();
    await t.createEntity({ partitionKey: 'p', rowKey: 'exists' });
    const err = await failure(t.submitTransaction([
      ['create', { partitionKey: 'p', rowKey: 'a' }],
      ['create', { partitionKey: 'p', rowKey: 'b' }],
      ['create', { partitionKey: 'p', rowKey: 'exists' }],
    ]));
    expect(codeOf(err)).toBe('EntityAlreadyExists');
    expect(err.message).toMatch(/^2:/);
    expect((await all(t.listEntities())).map((e) => e.rowKey)).toEqual(['exists']);
  });

  it('rejects more than 100 operations', async () => {
    const t = await newTable();
    const ops: any[] = [];
    for (let i = 0; i < 101; i++) ops.push(['create', { partitionKey: 'p', rowKey: String(i) }]);
    const err = await failure(t.submitTransaction(ops));
    expect(codeOf(err)).toBe('InvalidInput');
    expect(err.message).toMatch(/100/);
    expect(await all(t.listEntities())).toEqual([]);
  });
});

describe('ACL and service properties', () => {
  it('sets and reads a table ACL', async () => {
    const t = await newTable();
    const expiry = new Date(Date.UTC(2030, 0, 1));
    await t.setAccessPolicy([{ id: 'policy1', accessPolicy: { permission: 'r', expiry, start: new Date(Date.UTC(2020, 0, 1)) } }]);
    const acl = await t.getAccessPolicy();
    expect(acl).toHaveLength(1);
    expect(acl[0]?.id).toBe('policy1');
    expect(acl[0]?.accessPolicy?.permission).toBe('r');
    expect(acl[0]?.accessPolicy?.expiry?.toISOString()).toBe(expiry.toISOString());
  });

  it('stores service properties and reports stats', async () => {
    const props = await service.getProperties();
    expect(props.logging?.version).toBe('1.0');
    await service.setProperties({ ...props, cors: [{ allowedOrigins: 'http://x', allowedMethods: 'GET', allowedHeaders: '', exposedHeaders: '', maxAgeInSeconds: 5 }] });
    const again = await service.getProperties();
    expect(again.cors?.[0]?.allowedOrigins).toBe('http://x');
    const stats = await service.getStatistics();
    expect(stats.geoReplication?.status).toBe('live');
  });
});

describe('table ids after a delete (regression: a reused id let the background purge empty the new table)', () => {
  it('keeps the entities of a table created right after the newest table was deleted', async () => {
    const emu = await startEmulator();
    try {
      const service = new TableServiceClient(`${emu.tablesUrl}/devstoreaccount1`, tableCredential(), { allowInsecureConnection: true });
      const gone = uniqueName('gone');
      await service.createTable(gone);
      await service.deleteTable(gone);
      const kept = uniqueName('kept');
      await service.createTable(kept);
      const client = new TableClient(`${emu.tablesUrl}/devstoreaccount1`, kept, tableCredential(), { allowInsecureConnection: true });
      for (let i = 0; i < 20; i++) await client.createEntity({ partitionKey: 'p', rowKey: String(i) });
      // The purge runs off the request path: give it time to run (it must not touch `kept`).
      await new Promise((r) => setTimeout(r, 2500));
      let n = 0;
      for await (const _ of client.listEntities()) n++;
      expect(n).toBe(20);
    } finally {
      await emu.close();
    }
  });
});
