// SharedKey string-to-sign and SAS verification, checked against signatures the official SDKs compute.
import { AzureNamedKeyCredential, generateTableSas } from '@azure/data-tables';
import { StorageSharedKeyCredential, QueueSASPermissions, generateQueueSASQueryParameters } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { AccountRegistry, DEV_ACCOUNT, DEV_KEY, parseAccountsVariable } from '../../../runtime/emulators/storage/accounts.js';
import { authorize } from '../../../runtime/emulators/storage/authorize.js';
import type { AuthContext } from '../../../runtime/emulators/storage/authorize.js';
import { inKeyRange } from '../../../runtime/emulators/storage/sas.js';
import { resolveTarget } from '../../../runtime/emulators/storage/request-target.js';
import { parseEntityAddress } from '../../../runtime/emulators/tables/keys.js';
import { decodeToken, encodeToken } from '../../../runtime/emulators/tables/continuation.js';

const accounts = new AccountRegistry([]);
const ctx = (service: 'table' | 'queue'): AuthContext => ({ service, accounts, lookupPolicy: () => undefined });

describe('accounts and URLs', () => {
  it('parses AZURITE_ACCOUNTS', () => {
    expect(parseAccountsVariable('a:k1:k2;b:k3; ;c')).toEqual([{ name: 'a', key: 'k1' }, { name: 'a', key: 'k2' }, { name: 'b', key: 'k3' }]);
  });

  it('resolves path-style and host-style targets, and the -secondary alias', () => {
    expect(resolveTarget('127.0.0.1:10002', '/devstoreaccount1/t1', accounts)).toMatchObject({ account: DEV_ACCOUNT, resourcePath: 't1' });
    expect(resolveTarget('devstoreaccount1.table.localhost:10002', '/t1', accounts)).toMatchObject({ account: DEV_ACCOUNT, resourcePath: 't1' });
    expect(resolveTarget('localhost', '/devstoreaccount1-secondary/q', accounts)).toMatchObject({ secondary: true });
    expect(resolveTarget('localhost', '/nobody/q', accounts)).toBeUndefined();
  });

  it('parses entity addresses with quoted keys', () => {
    expect(parseEntityAddress("t(PartitionKey='a''b',RowKey='c,d)')")).toEqual({ table: 't', keys: { pk: "a'b", rk: 'c,d)' }, parens: true });
    expect(parseEntityAddress('t()')).toEqual({ table: 't', parens: true });
    expect(parseEntityAddress("t(PartitionKey='a')")).toBeUndefined();
  });

  it('continuation tokens round-trip, including the empty key', () => {
    for (const key of ['', 'abc', 'ünï']) expect(decodeToken(encodeToken(key), 'x')).toBe(key);
  });
});

describe('SAS verification against the SDKs', () => {
  const req = (query: string, method = 'GET') => ({ method, headers: {}, query: new URLSearchParams(query) });
  const target = (resourcePath: string) => ({ account: DEV_ACCOUNT, secondary: false, rawPath: `/${DEV_ACCOUNT}/${resourcePath}`, resourcePath });

  it('accepts a table SAS from @azure/data-tables and enforces its key range', () => {
    const sas = generateTableSas('mytable', new AzureNamedKeyCredential(DEV_ACCOUNT, DEV_KEY), {
      permissions: { query: true },
      expiresOn: new Date(Date.now() + 60_000),
      startPartitionKey: 'b',
      endPartitionKey: 'd',
    });
    const range = authorize(ctx('table'), req(sas), target('mytable()'), { resourceType: 'o', accountPermissions: 'r', servicePermissions: 'r', resource: 'mytable' });
    expect(range).toBeDefined();
    expect(inKeyRange(range!, 'c', 'x')).toBe(true);
    expect(inKeyRange(range!, 'e', 'x')).toBe(false);
    expect(() => authorize(ctx('table'), req(sas), target('mytable()'), { resourceType: 'o', accountPermissions: 'a', servicePermissions: 'a', resource: 'mytable' })).toThrow(/permission/);
  });

  it('accepts a queue SAS from @azure/storage-queue and rejects other keys', () => {
    const sas = generateQueueSASQueryParameters({ queueName: 'q1', permissions: QueueSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 60_000) }, new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY)).toString();
    const need = { resourceType: 'o' as const, accountPermissions: 'r', servicePermissions: 'r', resource: 'q1' };
    expect(authorize(ctx('queue'), req(sas), target('q1/messages'), need)).toBeUndefined();
    const other = generateQueueSASQueryParameters({ queueName: 'q1', permissions: QueueSASPermissions.parse('r'), expiresOn: new Date(Date.now() + 60_000) }, new StorageSharedKeyCredential(DEV_ACCOUNT, Buffer.alloc(64, 1).toString('base64'))).toString();
    expect(() => authorize(ctx('queue'), req(other), target('q1/messages'), need)).toThrow(/Signature did not match/);
  });

  it('refuses writes on the secondary and requests without credentials', () => {
    const need = { resourceType: 'c' as const, accountPermissions: 'c', servicePermissions: null };
    expect(() => authorize(ctx('queue'), req('', 'PUT'), { ...target('q1'), secondary: true }, need)).toThrow(/read-only/);
    expect(() => authorize(ctx('queue'), req(''), target('q1'), need)).toThrow(/no Authorization header/);
  });
});
