// Azure's limits (including those Azurite misses) with the codes SDKs see, and authentication: SAS allowed
// and denied, SharedKeyLite, host-style URLs, and the server-side batch rules a raw client can break.
import { createHmac } from 'node:crypto';
import { AzureSASCredential, TableClient, TableServiceClient, generateAccountSas, generateTableSas } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, DEV_KEY, codeOf, failure, rawRequest as sendRaw, startEmulator, tableCredential, uniqueName } from './helpers.js';
import type { RawReply } from './helpers.js';

const opts = { allowInsecureConnection: true };
let emu: RunningStorageEmulator;
let table: TableClient;
let tableName: string;

beforeAll(async () => {
  emu = await startEmulator();
  tableName = uniqueName('limits');
  table = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableName, tableCredential(), opts);
  await table.createTable();
});
afterAll(() => emu.close());

async function rejected(entity: Record<string, unknown>): Promise<string | undefined> {
  return codeOf(await failure(table.createEntity({ partitionKey: 'p', rowKey: uniqueName('r'), ...entity })));
}

describe('entity limits', () => {
  it('allows 252 custom properties and rejects 253 (TooManyProperties)', async () => {
    const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, i]));
    await table.createEntity({ partitionKey: 'p', rowKey: 'ok252', ...props(252) });
    expect(await rejected(props(253))).toBe('TooManyProperties');
  });

  it('rejects invalid and over-long property names', async () => {
    expect(await rejected({ 'has space': 1 })).toBe('PropertyNameInvalid');
    expect(await rejected({ '1starts': 1 })).toBe('PropertyNameInvalid');
    expect(await rejected({ ['n'.repeat(256)]: 1 })).toBe('PropertyNameTooLong');
  });

  it('limits strings to 32K characters, binary to 64 KiB and entities to 1 MiB on insert', async () => {
    await table.createEntity({ partitionKey: 'p', rowKey: 'str32k', s: 'x'.repeat(32 * 1024) });
    expect(await rejected({ s: 'x'.repeat(32 * 1024 + 1) })).toBe('PropertyValueTooLarge');
    expect(await rejected({ b: new Uint8Array(64 * 1024 + 1) })).toBe('PropertyValueTooLarge');
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, 'y'.repeat(30_000)]));
    expect(await rejected(big)).toBe('EntityTooLarge');
  });

  it('rejects / \\ # ? and control characters in keys, and keys over 1 KiB', async () => {
    for (const bad of ['a/b', 'a\\b', 'a#b', 'a?b', 'a\u0001b', 'a\u0085b']) {
      expect(codeOf(await failure(table.createEntity({ partitionKey: bad, rowKey: 'r' })))).toBe('OutOfRangeInput');
    }
    expect(codeOf(await failure(table.createEntity({ partitionKey: 'p', rowKey: 'k'.repeat(513) })))).toBe('KeyValueTooLarge');
    await table.createEntity({ partitionKey: 'p', rowKey: 'k'.repeat(512) });
    await table.createEntity({ partitionKey: '', rowKey: '' });
    expect((await table.getEntity('', '')).partitionKey).toBe('');
  });
});

describe('SAS', () => {
  it('a table SAS allows what it grants and denies the rest', async () => {
    const sas = generateTableSas(tableName, tableCredential(), { permissions: { query: true, add: true }, expiresOn: new Date(Date.now() + 3600_000) });
    const viaSas = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableName, new AzureSASCredential(sas), opts);
    await viaSas.createEntity({ partitionKey: 'sas', rowKey: '1' });
    expect((await viaSas.getEntity('sas', '1')).rowKey).toBe('1');
    const denied = await failure(viaSas.deleteEntity('sas', '1'));
    expect(denied.statusCode).toBe(403);
    expect(codeOf(denied)).toBe('AuthorizationPermissionMismatch');
    const other = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, 'othertable', new AzureSASCredential(sas), opts);
    expect((await failure(other.createEntity({ partitionKey: 'a', rowKey: 'b' }))).statusCode).toBe(403);
  });

  it('an expired or tampered SAS fails authentication', async () => {
    const expired = generateTableSas(tableName, tableCredential(), { permissions: { query: true }, expiresOn: new Date(Date.now() - 60_000) });
    const client = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableName, new AzureSASCredential(expired), opts);
    expect(codeOf(await failure(client.getEntity('p', 'ok252')))).toBe('AuthenticationFailed');
    const good = generateTableSas(tableName, tableCredential(), { permissions: { query: true }, expiresOn: new Date(Date.now() + 60_000) });
    const tampered = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableName, new AzureSASCredential(good.replace('sp=r', 'sp=raud')), opts);
    expect(codeOf(await failure(tampered.deleteEntity('p', 'ok252')))).toBe('AuthenticationFailed');
  });

  it('a table SAS limited to a key range sees only that range', async () => {
    for (const pk of ['a', 'b', 'c']) await table.createEntity({ partitionKey: `range-${pk}`, rowKey: '1' });
    const sas = generateTableSas(tableName, tableCredential(), {
      permissions: { query: true },
      expiresOn: new Date(Date.now() + 3600_000),
      startPartitionKey: 'range-b',
      endPartitionKey: 'range-b',
    });
    const client = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableName, new AzureSASCredential(sas), opts);
    const seen = [];
    for await (const e of client.listEntities()) seen.push(e.partitionKey);
    expect(seen).toEqual(['range-b']);
    expect((await failure(client.getEntity('range-a', '1'))).statusCode).toBe(403);
  });

  it('an account SAS works for the service and respects its resource types', async () => {
    const sas = generateAccountSas(tableCredential(), { permissions: { list: true, query: true }, resourceTypes: 'sco', expiresOn: new Date(Date.now() + 3600_000) });
    const service = new TableServiceClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, new AzureSASCredential(sas), opts);
    const names = [];
    for await (const t of service.listTables()) names.push(t.name);
    expect(names).toContain(tableName);
    const noCreate = await failure(service.createTable(uniqueName('nope')));
    expect(codeOf(noCreate)).toBe('AuthorizationPermissionMismatch');
  });

  it('a stored access policy supplies the permissions', async () => {
    await table.setAccessPolicy([{ id: 'readers', accessPolicy: { permission: 'r', expiry: new Date(Date.now() + 3600_000) } }]);
    const sas = generateTableSas(tableName, tableCredential(), { identifier: 'readers' });
    const client = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableName, new AzureSASCredential(sas), opts);
    expect((await client.getEntity('p', 'ok252')).rowKey).toBe('ok252');
    expect((await failure(client.createEntity({ partitionKey: 'x', rowKey: 'y' }))).statusCode).toBe(403);
  });
});

/** A signed raw request: SharedKeyLite (Date + resource), against path or host style. */
function rawRequest(method: string, path: string, body: string, headers: Record<string, string>, hostHeader?: string): Promise<RawReply> {
  return sendRaw(emu.tablesUrl, method, path, body, { ...headers, ...(hostHeader ? { Host: hostHeader } : {}) });
}

function liteAuth(path: string): Record<string, string> {
  const date = new Date().toUTCString();
  const signature = createHmac('sha256', Buffer.from(DEV_KEY, 'base64')).update(`${date}\n/${DEV_ACCOUNT}${path}`).digest('base64');
  return { 'x-ms-date': date, Authorization: `SharedKeyLite ${DEV_ACCOUNT}:${signature}`, Accept: 'application/json;odata=nometadata', 'x-ms-version': '2019-02-02' };
}

describe('raw protocol', () => {
  it('accepts SharedKeyLite on path-style and host-style URLs', async () => {
    const path = `/${DEV_ACCOUNT}/Tables`;
    const res = await rawRequest('GET', path, '', liteAuth(path));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).value.map((t: any) => t.TableName)).toContain(tableName);
    const hostStyle = await rawRequest('GET', '/Tables', '', liteAuth('/Tables'), `${DEV_ACCOUNT}.table.localhost:${new URL(emu.tablesUrl).port}`);
    expect(hostStyle.status).toBe(200);
    const bad = await rawRequest('GET', path, '', { ...liteAuth(path), Authorization: `SharedKeyLite ${DEV_ACCOUNT}:AAAA` });
    expect(bad.status).toBe(403);
    expect(bad.headers['x-ms-error-code']).toBe('AuthenticationFailed');
  });

  it('rejects a batch that spans two partitions (CommandsInBatchActOnDifferentPartitions) and keeps nothing', async () => {
    const part = (pk: string, rk: string) =>
      `--cs\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nPOST ${emu.tablesUrl}/${DEV_ACCOUNT}/${tableName} HTTP/1.1\r\nContent-Type: application/json\r\nAccept: application/json;odata=minimalmetadata\r\n\r\n${JSON.stringify({ PartitionKey: pk, RowKey: rk })}\r\n`;
    const body = `--b\r\nContent-Type: multipart/mixed; boundary=cs\r\n\r\n${part('bp1', '1')}${part('bp2', '2')}--cs--\r\n--b--\r\n`;
    const path = `/${DEV_ACCOUNT}/$batch`;
    const res = await rawRequest('POST', path, body, { ...liteAuth(path), 'Content-Type': 'multipart/mixed; boundary=b' });
    expect(res.status).toBe(202);
    expect(res.body).toMatch(/HTTP\/1\.1 400/);
    expect(res.body).toMatch(/CommandsInBatchActOnDifferentPartitions/);
    expect(res.body).toMatch(/"1:All commands/);
    await expect(table.getEntity('bp1', '1')).rejects.toThrow();
  });

  it('answers Azure-style JSON errors and XML on request, with request ids', async () => {
    const path = `/${DEV_ACCOUNT}/nosuchtable()`;
    const json = await rawRequest('GET', path, '', liteAuth(path));
    expect(json.status).toBe(404);
    expect(JSON.parse(json.body)['odata.error'].code).toBe('TableNotFound');
    expect(json.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const xml = await rawRequest('GET', path, '', { ...liteAuth(path), Accept: 'application/xml' });
    expect(xml.body).toMatch(/<code>TableNotFound<\/code>/);
    const anonymous = await rawRequest('GET', path, '', {});
    expect(anonymous.status).toBe(403);
  });
});
