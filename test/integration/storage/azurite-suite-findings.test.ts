// What running Azurite's own API tests against the emulator found (bench/conformance/azurite-suite.js), each
// held here by a test of ours: Azure's behaviour where Azurite's tests expect it, and the leniencies real
// clients rely on (a trailing slash, Storage Explorer's `$top=0`, a batch whose Content-Type lost its boundary).
import { createHmac } from 'node:crypto';
import { AzureNamedKeyCredential, TableClient, TableServiceClient } from '@azure/data-tables';
import { QueueClient, QueueServiceClient, AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, generateAccountSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-queue';
import azure from 'azure-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, DEV_KEY, codeOf, failure, queueCredential, rawRequest, startEmulator, tableCredential, uniqueName } from './helpers.js';

const opts = { allowInsecureConnection: true };
let emu: RunningStorageEmulator;
let service: TableServiceClient;

beforeAll(async () => {
  emu = await startEmulator();
  service = new TableServiceClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableCredential(), opts);
});
afterAll(() => emu.close());

const raw = rawRequest;

/** SharedKeyLite over `signedPath` (the path the client believes it signed), without a date header. */
function lite(signedPath: string): Record<string, string> {
  const signature = createHmac('sha256', Buffer.from(DEV_KEY, 'base64')).update(`\n/${DEV_ACCOUNT}${signedPath}`).digest('base64');
  return { Authorization: `SharedKeyLite ${DEV_ACCOUNT}:${signature}`, Accept: 'application/json;odata=nometadata', 'Content-Type': 'application/json' };
}

describe('tables', () => {
  it('ignores one trailing slash (/Tables/), also when the client signed the path without it', async () => {
    const name = uniqueName('slash');
    const res = await raw(emu.tablesUrl, 'POST', `/${DEV_ACCOUNT}/Tables/`, JSON.stringify({ TableName: name }), lite(`/${DEV_ACCOUNT}/Tables`));
    expect(res.status).toBe(201);
    const wrongKey = await raw(emu.tablesUrl, 'POST', `/${DEV_ACCOUNT}/Tables/`, JSON.stringify({ TableName: uniqueName('slash') }), { ...lite(`/${DEV_ACCOUNT}/Tables`), Authorization: `SharedKeyLite ${DEV_ACCOUNT}:${createHmac('sha256', 'not the key').update('x').digest('base64')}` });
    expect(wrongKey.status).toBe(403);
  });

  it("answers $top=0 with an empty page (Storage Explorer's probe) and an empty $top= with a full one", async () => {
    const name = uniqueName('top');
    await service.createTable(name);
    const client = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, name, tableCredential(), opts);
    await client.createEntity({ partitionKey: '0', rowKey: 'a', v: 1 });
    const path = `/${DEV_ACCOUNT}/${name}()`;
    const zero = await raw(emu.tablesUrl, 'GET', `${path}?%24select=&%24filter=PartitionKey%20eq%20%270%27&%24top=0`, '', lite(path));
    expect(zero.status).toBe(200);
    expect(JSON.parse(zero.body).value).toEqual([]);
    const empty = await raw(emu.tablesUrl, 'GET', `${path}?%24top=`, '', lite(path));
    expect(JSON.parse(empty.body).value).toHaveLength(1);
    expect((await raw(emu.tablesUrl, 'GET', `${path}?%24top=-1`, '', lite(path))).status).toBe(400);
    expect((await raw(emu.tablesUrl, 'GET', `${path}?%24top=1001`, '', lite(path))).status).toBe(400);
  });

  it('reads the batch boundary from the body when the Content-Type lost it', async () => {
    const name = uniqueName('batch');
    await service.createTable(name);
    const b = 'batch_5c8a';
    const c = 'changeset_77d1';
    const body = [
      `--${b}`, `Content-Type: multipart/mixed; boundary=${c}`, '',
      `--${c}`, 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '',
      `POST ${emu.tablesUrl}/${DEV_ACCOUNT}/${name} HTTP/1.1`, 'Content-Type: application/json', 'Accept: application/json;odata=minimalmetadata', '',
      '{"PartitionKey":"p","RowKey":"r1","v":1}',
      `--${c}--`, `--${b}--`, '',
    ].join('\r\n');
    const res = await raw(emu.tablesUrl, 'POST', `/${DEV_ACCOUNT}/$batch`, body, { ...lite(`/${DEV_ACCOUNT}/$batch`), 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(202);
    expect(res.body).toMatch(/HTTP\/1\.1 201/);
    const client = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, name, tableCredential(), opts);
    expect((await client.getEntity('p', 'r1')).v).toBe(1);
    // A body that does not open with a delimiter still needs the header's boundary.
    const bad = await raw(emu.tablesUrl, 'POST', `/${DEV_ACCOUNT}/$batch`, `x${body}`, { ...lite(`/${DEV_ACCOUNT}/$batch`), 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/no boundary/);
  });

  it("Delete Table of a table that does not exist is ResourceNotFound (other operations say TableNotFound)", async () => {
    const error = await failure(new Promise((resolve, reject) => azure.createTableService(emu.connectionString()).deleteTable(uniqueName('none'), (e, r) => (e ? reject(e) : resolve(r)))));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('ResourceNotFound');
  });

  it("starts a rejected property value's message with Azure's sentence, then names the property", async () => {
    const name = uniqueName('bad');
    await service.createTable(name);
    const legacy = azure.createTableService(emu.connectionString());
    const error = await failure(new Promise((resolve, reject) => legacy.insertEntity(name, { PartitionKey: 'p', RowKey: 'r', when: '', 'when@odata.type': 'Edm.DateTime' } as never, (e, r) => (e ? reject(e) : resolve(r)))));
    expect(error.code).toBe('InvalidInput');
    expect(error.message).toMatch(/^An error occurred while processing this request\. The value of property "when" is not a valid Edm\.DateTime/);
    const huge = await failure(new Promise((resolve, reject) => legacy.insertEntity(name, { PartitionKey: 'p', RowKey: 'r', d: '1.797693134862316e308', 'd@odata.type': 'Edm.Double' } as never, (e, r) => (e ? reject(e) : resolve(r)))));
    expect(huge.code).toBe('InvalidInput');
  });

  it('a malformed If-Match is 400 (a well-formed stale one stays 412), and an annotated "false" is a Boolean', async () => {
    const name = uniqueName('etag');
    await service.createTable(name);
    const client = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, name, tableCredential(), opts);
    const created = await client.createEntity({ partitionKey: 'p', rowKey: 'r', flag: { value: 'false', type: 'Boolean' } as never });
    expect((await client.getEntity('p', 'r')).flag).toBe(false);
    for (const etag of ['"strong"', 'wrong', `datetime'2015-01-01T23%3A14%3A33.4980000Z'`, '"']) {
      const error = await failure(client.updateEntity({ partitionKey: 'p', rowKey: 'r' }, 'Replace', { etag }));
      expect(error.statusCode).toBe(400);
    }
    const stale = await failure(client.updateEntity({ partitionKey: 'p', rowKey: 'r' }, 'Replace', { etag: `W/"datetime'2015-01-01T23%3A14%3A33.4980000Z'"` }));
    expect(stale.statusCode).toBe(412);
    expect((await client.getEntity('p', 'r')).etag).toBe(created.etag);
  });

  it("answers service-level table operations' errors in the storage XML the SDK parses", async () => {
    const wrong = new TableServiceClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, new AzureNamedKeyCredential(DEV_ACCOUNT, Buffer.from('not the key').toString('base64')), opts);
    const error = await failure(wrong.getProperties());
    expect(error.statusCode).toBe(403);
    expect(codeOf(error)).toBe('AuthenticationFailed');
    // As OData XML (<message xml:lang=…>) the SDK made the message an object; storage XML keeps it text.
    expect(typeof error.message).toBe('string');
    expect(error.message).toContain('<Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request');
  });

  it('Set Service Properties replaces only the root elements it sends', async () => {
    const legacy = azure.createTableService(emu.connectionString());
    const call = <T>(fn: (cb: (e: Error | null, r: T) => void) => void) => new Promise<T>((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));
    await call((cb) => legacy.setServiceProperties({ HourMetrics: { Version: '1.0', Enabled: true, IncludeAPIs: false, RetentionPolicy: { Enabled: true, Days: 3 } } } as never, cb as never));
    await call((cb) => legacy.setServiceProperties({ Cors: { CorsRule: [{ AllowedOrigins: ['http://a.example'], AllowedMethods: ['GET'], AllowedHeaders: ['*'], ExposedHeaders: ['*'], MaxAgeInSeconds: 5 }] } } as never, cb as never));
    const props = await call<any>((cb) => legacy.getServiceProperties(cb as never));
    expect(props.Cors.CorsRule).toHaveLength(1);
    expect(props.HourMetrics.Enabled).toBe(true);
    expect(props.HourMetrics.RetentionPolicy.Days).toBe(3);
    expect(props.Logging.Read).toBe(false);
  });

  it("refuses a SAS that gives a field its stored access policy also gives (400), and follows the policy's changes", async () => {
    const name = uniqueName('policy');
    await service.createTable(name);
    const legacy = azure.createTableService(emu.connectionString());
    const call = <T>(fn: (cb: (e: Error | null, r: T) => void) => void) => new Promise<T>((resolve, reject) => fn((e, r) => (e ? reject(e) : resolve(r))));
    const expiry = new Date(Date.now() + 3600_000);
    await call((cb) => legacy.setTableAcl(name, { writers: { Permissions: 'raud', Expiry: expiry } } as never, cb as never));
    const both = legacy.generateSharedAccessSignature(name, { Id: 'writers', AccessPolicy: { Permissions: 'raud' } });
    const withBoth = azure.createTableServiceWithSas(`${emu.tablesUrl}/${DEV_ACCOUNT}`, both);
    const refused = await failure(call((cb) => withBoth.insertEntity(name, { PartitionKey: 'p', RowKey: '1' } as never, cb as never)));
    expect(refused.statusCode).toBe(400);
    expect(refused.message).toMatch(/gives sp and so does its stored access policy "writers"/);
    const policyOnly = azure.createTableServiceWithSas(`${emu.tablesUrl}/${DEV_ACCOUNT}`, legacy.generateSharedAccessSignature(name, { Id: 'writers' } as never));
    await call((cb) => policyOnly.insertEntity(name, { PartitionKey: 'p', RowKey: '2' } as never, cb as never));
    await call((cb) => legacy.setTableAcl(name, { writers: { Permissions: 'r', Expiry: expiry } } as never, cb as never));
    const revoked = await failure(call((cb) => policyOnly.insertEntity(name, { PartitionKey: 'p', RowKey: '3' } as never, cb as never)));
    expect(revoked.statusCode).toBe(403);
  });
});

describe('queues', () => {
  const queue = async () => {
    const q = new QueueClient(`${emu.queuesUrl}/${DEV_ACCOUNT}/${uniqueName('q')}`, queueCredential());
    await q.create();
    return q;
  };

  it('a message over 64 KiB is 413 RequestBodyTooLarge with MaxLimit, as Azure answers', async () => {
    const q = await queue();
    const res = await raw(emu.queuesUrl, 'POST', `/${DEV_ACCOUNT}/${q.name}/messages`, `<QueueMessage><MessageText>${'a'.repeat(64 * 1024 + 1)}</MessageText></QueueMessage>`, await signedQueueHeaders('POST', `/${DEV_ACCOUNT}/${q.name}/messages`));
    expect(res.status).toBe(413);
    expect(res.body).toMatch(/<Code>RequestBodyTooLarge<\/Code><Message>The request body is too large and exceeds the maximum permissible limit\./);
    expect(res.body).toMatch(/<MaxLimit>65536<\/MaxLimit>/);
  });

  it('accepts any positive messagettl (the largest expires on 9999-12-31) and names the range it refuses', async () => {
    const q = await queue();
    const sent = await q.sendMessage('forever-ish', { messageTimeToLive: Number.MAX_SAFE_INTEGER });
    expect(sent.expiresOn.toISOString()).toBe('9999-12-31T23:59:59.000Z');
    const error = await failure(q.sendMessage('x', { visibilityTimeout: 691200 }));
    expect(error.statusCode).toBe(400);
    expect(codeOf(error)).toBe('OutOfRangeQueryParameterValue');
    expect(error.message).toMatch(/^One of the query parameters specified in the request URI is outside the permissible range\. visibilitytimeout=691200 is not in 0\.\.604800\./);
  });

  it("queue-name errors start with Azure's sentences", async () => {
    const tooShort = await failure(new QueueClient(`${emu.queuesUrl}/${DEV_ACCOUNT}/ab`, queueCredential()).create());
    expect(tooShort.message).toMatch(/^The specified resource name length is not within the permissible limits\./);
    const upper = await failure(new QueueClient(`${emu.queuesUrl}/${DEV_ACCOUNT}/Queue`, queueCredential()).create());
    expect(upper.message).toMatch(/^The specified resource name contains invalid characters\./);
  });

  it('an account SAS cannot read or set a queue ACL, and a tampered signature is refused', async () => {
    const q = await queue();
    const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_KEY);
    const sas = generateAccountSASQueryParameters(
      { expiresOn: new Date(Date.now() + 3600_000), permissions: AccountSASPermissions.parse('rwdlacup'), resourceTypes: AccountSASResourceTypes.parse('sco').toString(), services: AccountSASServices.parse('q').toString() },
      credential,
    ).toString();
    const withSas = new QueueServiceClient(`${emu.queuesUrl}/${DEV_ACCOUNT}?${sas}`).getQueueClient(q.name);
    await withSas.sendMessage('allowed');
    const get = await failure(withSas.getAccessPolicy());
    expect(get.statusCode).toBe(403);
    expect(get.message).toMatch(/account SAS cannot read or set an access policy/);
    expect((await failure(withSas.setAccessPolicy([]))).statusCode).toBe(403);
    // "<sig>1" decodes to the same bytes as "<sig>" (what follows base64 padding is skipped): still refused.
    const tampered = new QueueServiceClient(`${emu.queuesUrl}/${DEV_ACCOUNT}?${sas}1`);
    const refused = await failure(tampered.getProperties());
    expect(refused.statusCode).toBe(403);
    expect(codeOf(refused)).toBe('AuthenticationFailed');
  });
});

/** SharedKey (full) headers for a queue request with an XML body, signed as @azure/storage-queue signs them. */
async function signedQueueHeaders(method: string, path: string): Promise<Record<string, string>> {
  const date = new Date().toUTCString();
  const headers: Record<string, string> = { 'x-ms-date': date, 'x-ms-version': '2025-11-05', 'Content-Type': 'application/xml' };
  // Content-Length is part of SharedKey's string to sign; the body size is fixed by the caller's message.
  const length = String(`<QueueMessage><MessageText>${'a'.repeat(64 * 1024 + 1)}</MessageText></QueueMessage>`.length);
  const stringToSign = [method, '', '', length, '', 'application/xml', '', '', '', '', '', '', `x-ms-date:${date}\nx-ms-version:2025-11-05\n/${DEV_ACCOUNT}${path}`].join('\n');
  const signature = createHmac('sha256', Buffer.from(DEV_KEY, 'base64')).update(stringToSign).digest('base64');
  return { ...headers, Authorization: `SharedKey ${DEV_ACCOUNT}:${signature}` };
}
