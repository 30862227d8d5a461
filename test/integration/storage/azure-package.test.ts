// The `azure` npm package, which the project's seed article uses (`azure.createTableService()`), in the two
// shapes users still have: 0.7.19 (2012–2014: its own storage code, x-ms-version 2011-08-18, AtomPub table
// payloads, a queue signature that signs Content-Length 0) and 0.10.6 (what `npm install azure` gives today:
// azure-storage 0.3.3, which drops the account from TableEndpoint's path and sends bare URLs like /Tables).
// Both run in a child process with only the environment Cloudbench gives workers. Then the Atom format and the
// bare-URL rule over raw HTTP, for what those clients do not exercise.
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, DEV_KEY, rawRequest, runWithWorkerEnvironment, startEmulator, uniqueName } from './helpers.js';

let emu: RunningStorageEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/legacy-azure');

async function runFixture(file: string): Promise<any> {
  const { code, out, err } = await runWithWorkerEnvironment(emu, [path.join(FIXTURES, file)]);
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out);
}

describe('the azure package', () => {
  it('0.7.19 (Atom, 2011-08-18): the seed article flow, typed values, ETags, batch, $select, errors, queues', async () => {
    const out = await runFixture('seed-0.7.cjs');
    expect(out.created).toBe(true);
    expect(out.createdAgain).toBe(false);
    expect(out.insertEtag).toMatch(/^W\/"datetime'/);
    expect(out.duplicate).toBe('EntityAlreadyExists');
    expect(out.open).toHaveLength(1);
    const [task] = out.open;
    expect(task).toMatchObject({ name: 'Pick up milk', completed: false, due: '2026-01-02T03:04:05.678Z', n: 42, d: 2.5, whole: 3, big: 4294967296, s: 'a<b & "c"' });
    expect(task.etag).toBe(out.insertEtag);
    expect(out.staleUpdate).toBe('UpdateConditionNotSatisfied');
    expect(out.merged).toEqual({ completed: true, extra: 'x', name: 'Pick up milk' });
    expect(out.batch).toEqual([0, 1, 2, 3, 4]);
    expect(out.selected).toEqual([{ name: 'Done', missing: null }]);
    expect(out.missing).toBe('ResourceNotFound');
    expect(out.listed).toBe(true);
    expect(out.message).toBe('hello <world>');
    expect(out.deleted).toBe('TableNotFound');
  });

  it('0.10.6 (what npm install azure gives): bare URLs with the account taken from the signature', async () => {
    const out = await runFixture('seed-0.10.cjs');
    expect(out).toEqual({ created: true, open: [{ name: 'Pick up milk', big: '9007199254740993' }], batch: 3, message: 'hello' });
  });
});

/** A SharedKeyLite-signed table request; `bare` leaves the account out of the URL (signing `/<account>/<path>`). */
function tableRequest(method: string, resource: string, body: string, headers: Record<string, string>, bare = false) {
  const date = new Date().toUTCString();
  const urlPath = bare ? `/${resource}` : `/${DEV_ACCOUNT}/${resource}`;
  const signed = `${date}\n/${DEV_ACCOUNT}${urlPath.split('?')[0]}`;
  const signature = createHmac('sha256', Buffer.from(DEV_KEY, 'base64')).update(signed, 'utf8').digest('base64');
  return rawRequest(emu.tablesUrl, method, urlPath, body, { 'x-ms-date': date, 'x-ms-version': '2011-08-18', Authorization: `SharedKeyLite ${DEV_ACCOUNT}:${signature}`, ...headers });
}

const ATOM = { Accept: 'application/atom+xml,application/xml', 'Content-Type': 'application/atom+xml' };

function entry(properties: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><entry xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><content type="application/xml"><m:properties>${properties}</m:properties></content></entry>`;
}

describe('Atom over raw HTTP', () => {
  it('creates and lists tables, inserts every EDM type and reads it back as Azure writes it', async () => {
    const table = uniqueName('atom');
    const created = await tableRequest('POST', 'Tables', entry(`<d:TableName>${table}</d:TableName>`), ATOM);
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/atom+xml;charset=utf-8');
    expect(created.body).toContain(`<d:TableName>${table}</d:TableName>`);
    const listed = await tableRequest('GET', 'Tables', '', { Accept: ATOM.Accept });
    expect(listed.body).toMatch(/^<\?xml version="1.0" encoding="utf-8" standalone="yes"\?><feed /);
    expect(listed.body).toContain(`<d:TableName>${table}</d:TableName>`);

    const props =
      '<d:PartitionKey>p</d:PartitionKey><d:RowKey>r&amp;1</d:RowKey><d:Timestamp m:type="Edm.DateTime">2001-01-01T00:00:00Z</d:Timestamp>' +
      '<d:s>x &lt; y</d:s><d:i m:type="Edm.Int32">-7</d:i><d:l m:type="Edm.Int64">9007199254740993</d:l><d:w m:type="Edm.Double">2</d:w>' +
      '<d:inf m:type="Edm.Double">INF</d:inf><d:yes m:type="Edm.Boolean">1</d:yes><d:no m:type="Edm.Boolean">false</d:no>' +
      '<d:g m:type="Edm.Guid">c9da6455-213d-42c9-9a79-3e9149a57833</d:g><d:b m:type="Edm.Binary">AQID</d:b>' +
      '<d:t m:type="Edm.DateTime">2026-01-02T03:04:05.1234567Z</d:t><d:gone m:null="true" />';
    const inserted = await tableRequest('POST', table, entry(props), ATOM);
    expect(inserted.status).toBe(201);
    expect(inserted.headers.etag).toMatch(/^W\/"datetime'/);
    const got = await tableRequest('GET', `${table}(PartitionKey='p',RowKey='r%261')`, '', { Accept: ATOM.Accept });
    expect(got.status).toBe(200);
    expect(got.body).toContain(`m:etag="${got.headers.etag!.replace(/"/g, '&quot;')}"`);
    const body = got.body.slice(got.body.indexOf('<m:properties>'));
    expect(body).toContain('<d:RowKey>r&amp;1</d:RowKey>');
    expect(body).not.toContain('2001-01-01'); // the client's Timestamp is replaced by the server's
    for (const expected of [
      '<d:s>x &lt; y</d:s>', '<d:i m:type="Edm.Int32">-7</d:i>', '<d:l m:type="Edm.Int64">9007199254740993</d:l>',
      '<d:w m:type="Edm.Double">2</d:w>', '<d:inf m:type="Edm.Double">INF</d:inf>', '<d:yes m:type="Edm.Boolean">true</d:yes>',
      '<d:no m:type="Edm.Boolean">false</d:no>', '<d:g m:type="Edm.Guid">c9da6455-213d-42c9-9a79-3e9149a57833</d:g>',
      '<d:b m:type="Edm.Binary">AQID</d:b>', '<d:t m:type="Edm.DateTime">2026-01-02T03:04:05.1234567Z</d:t>',
    ]) {
      expect(body).toContain(expected);
    }
    expect(body).not.toContain('gone');
    // The same entity through JSON keeps the types: Atom and JSON are two views of one store.
    const json = await tableRequest('GET', `${table}(PartitionKey='p',RowKey='r%261')`, '', { Accept: 'application/json;odata=minimalmetadata' });
    expect(JSON.parse(json.body)).toMatchObject({ i: -7, 'l@odata.type': 'Edm.Int64', l: '9007199254740993', w: 2, inf: 'Infinity', yes: true, no: false });
    expect(json.body).toContain('"w":2.0');
  });

  it('pages a query with continuation headers, filters by type and answers a batch in Atom', async () => {
    const table = uniqueName('atompage');
    expect((await tableRequest('POST', 'Tables', entry(`<d:TableName>${table}</d:TableName>`), ATOM)).status).toBe(201);
    const boundary = 'batch_1';
    const changeset = 'changeset_1';
    const parts = [1, 2, 3].map(
      (i) => `--${changeset}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nPOST ${emu.tablesUrl}/${DEV_ACCOUNT}/${table} HTTP/1.1\r\nContent-Type: application/atom+xml;type=entry\r\nContent-ID: ${i}\r\n\r\n${entry(`<d:PartitionKey>p</d:PartitionKey><d:RowKey>${i}</d:RowKey><d:n m:type="Edm.Int32">${i}</d:n>`)}\r\n`,
    );
    const batchBody = `--${boundary}\r\nContent-Type: multipart/mixed; boundary=${changeset}\r\n\r\n${parts.join('')}--${changeset}--\r\n--${boundary}--\r\n`;
    const batch = await tableRequest('POST', '$batch', batchBody, { Accept: ATOM.Accept, 'Content-Type': `multipart/mixed; boundary=${boundary}` });
    expect(batch.status).toBe(202);
    expect(batch.body.match(/HTTP\/1.1 201 Created/g)).toHaveLength(3);
    expect(batch.body).toContain('Content-Type: application/atom+xml;charset=utf-8');
    expect(batch.body).toContain('<d:n m:type="Edm.Int32">2</d:n>');

    const first = await tableRequest('GET', `${table}()?$filter=${encodeURIComponent('n ge 2')}&$top=1`, '', { Accept: ATOM.Accept });
    expect(first.body.match(/<entry /g)).toHaveLength(1);
    expect(first.body).toContain('<d:RowKey>2</d:RowKey>');
    const npk = first.headers['x-ms-continuation-nextpartitionkey'] as string;
    const nrk = first.headers['x-ms-continuation-nextrowkey'] as string;
    expect(npk).toBeTruthy();
    const second = await tableRequest('GET', `${table}()?$filter=${encodeURIComponent('n ge 2')}&$top=1&NextPartitionKey=${encodeURIComponent(npk)}&NextRowKey=${encodeURIComponent(nrk)}`, '', { Accept: ATOM.Accept });
    expect(second.body).toContain('<d:RowKey>3</d:RowKey>');
    expect(second.headers['x-ms-continuation-nextpartitionkey']).toBeUndefined();
    // A 2011 client with no Accept at all still gets Atom: JSON did not exist before 2013-08-15.
    const noAccept = await tableRequest('GET', `${table}()?$filter=${encodeURIComponent("RowKey eq '1'")}`, '', {});
    expect(noAccept.headers['content-type']).toBe('application/atom+xml;charset=utf-8');
  });

  it('refuses bad Atom bodies with Azure codes and says what is wrong', async () => {
    const table = uniqueName('atombad');
    expect((await tableRequest('POST', 'Tables', entry(`<d:TableName>${table}</d:TableName>`), ATOM)).status).toBe(201);
    const broken = await tableRequest('POST', table, '<entry><content>', ATOM);
    expect(broken.status).toBe(400);
    expect(broken.body).toContain('<code>InvalidXmlDocument</code>');
    const feed = await tableRequest('POST', table, '<feed/>', ATOM);
    expect(feed.status).toBe(400);
    expect(feed.body).toContain('must be an Atom &lt;entry&gt;');
    const badInt = await tableRequest('POST', table, entry('<d:PartitionKey>p</d:PartitionKey><d:RowKey>r</d:RowKey><d:n m:type="Edm.Int32">seven</d:n>'), ATOM);
    expect(badInt.status).toBe(400);
    expect(badInt.body).toContain('The value of property &quot;n&quot; is not a valid Edm.Int32');
    const twice = await tableRequest('POST', table, entry('<d:PartitionKey>p</d:PartitionKey><d:RowKey>r</d:RowKey><d:a>1</d:a><d:a>2</d:a>'), ATOM);
    expect(twice.status).toBe(400);
    expect(twice.body).toContain('appears more than once');
    const noName = await tableRequest('POST', 'Tables', entry('<d:Other>x</d:Other>'), ATOM);
    expect(noName.status).toBe(400);
    expect(noName.body).toContain('d:TableName');
  });
});

describe('Atom edge cases', () => {
  it('keeps property names that are JavaScript built-ins, characters XML cannot carry, and reads xsd whitespace', async () => {
    const table = uniqueName('atomedge');
    expect((await tableRequest('POST', 'Tables', entry(`<d:TableName>${table}</d:TableName>`), ATOM)).status).toBe(201);
    const json = { PartitionKey: 'p', RowKey: 'j', constructor: 'c', toString: 't', __proto__x: 'x', text: 'a\r\nb\u0001c' };
    const put = await tableRequest('POST', table, JSON.stringify(json), { Accept: 'application/json;odata=nometadata', 'Content-Type': 'application/json', 'x-ms-version': '2019-02-02' });
    expect(put.status).toBe(201);
    const got = await tableRequest('GET', `${table}(PartitionKey='p',RowKey='j')`, '', { Accept: ATOM.Accept });
    expect(got.status).toBe(200);
    expect(got.body).toContain('<d:constructor>c</d:constructor><d:toString>t</d:toString>');
    expect(got.body).toContain('<d:text>a&#xD;\nb&#x1;c</d:text>');
    const selected = await tableRequest('GET', `${table}()?$select=valueOf,constructor,constructor`, '', { Accept: ATOM.Accept });
    expect(selected.body).toContain('<m:properties><d:valueOf m:null="true" /><d:constructor>c</d:constructor></m:properties>');
    const selectedJson = await tableRequest('GET', `${table}()?$select=valueOf,constructor`, '', { Accept: 'application/json;odata=nometadata', 'x-ms-version': '2019-02-02' });
    expect(JSON.parse(selectedJson.body).value).toEqual([{ valueOf: null, constructor: 'c' }]);

    const fromAtom = entry(
      '<d:PartitionKey>p</d:PartitionKey><d:RowKey>a</d:RowKey><d:constructor>1</d:constructor><d:__proto__>2</d:__proto__>' +
        '<d:n m:type="Edm.Int32" xmlns:type="urn:not-a-type"> 5 </d:n><d:b m:type="Edm.Binary">AQ\n  ID</d:b><d:yes m:type="Edm.Boolean"> 1 </d:yes>',
    );
    expect((await tableRequest('POST', table, fromAtom, ATOM)).status).toBe(201);
    const back = await tableRequest('GET', `${table}(PartitionKey='p',RowKey='a')`, '', { Accept: 'application/json;odata=minimalmetadata', 'x-ms-version': '2019-02-02' });
    expect(JSON.parse(back.body)).toMatchObject({ constructor: '1', ['__proto__']: '2', n: 5, b: 'AQID', yes: true });
    expect(Object.hasOwn(JSON.parse(back.body), '__proto__')).toBe(true);
    const mixed = await tableRequest('POST', table, entry('<d:PartitionKey>p</d:PartitionKey><d:RowKey>m</d:RowKey><d:s>a<b>X</b>c</d:s>'), ATOM);
    expect(mixed.status).toBe(400);
    expect(mixed.body).toContain('holds XML elements');
  });

  it('answers errors in XML to a 2011 client that sent no Accept, as its successes are Atom', async () => {
    const table = uniqueName('atomerr');
    expect((await tableRequest('POST', 'Tables', entry(`<d:TableName>${table}</d:TableName>`), ATOM)).status).toBe(201);
    const missing = await tableRequest('GET', `${table}(PartitionKey='x',RowKey='y')`, '', {});
    expect(missing.status).toBe(404);
    expect(missing.body).toContain('<code>ResourceNotFound</code>');
  });
});

describe('URLs without the account', () => {
  it('serves a signed bare URL for the account that signed it, and refuses an unsigned one with a hint', async () => {
    const table = uniqueName('bare');
    const created = await tableRequest('POST', 'Tables', JSON.stringify({ TableName: table }), { Accept: 'application/json;odata=nometadata', 'Content-Type': 'application/json', 'x-ms-version': '2019-02-02' }, true);
    expect(created.status).toBe(201);
    const listed = await tableRequest('GET', 'Tables', '', { Accept: 'application/json;odata=nometadata', 'x-ms-version': '2019-02-02' }, true);
    expect(JSON.parse(listed.body).value).toContainEqual({ TableName: table });
    const unsigned = await rawRequest(emu.tablesUrl, 'GET', '/Tables', '', { Accept: 'application/json' });
    expect(unsigned.status).toBe(404);
    expect(unsigned.body).toContain('No storage account in the URL');
  });

  it('keeps the clear 404 for a path-style URL with a mistyped account, even when signed', async () => {
    const table = uniqueName('typo');
    expect((await tableRequest('POST', 'Tables', JSON.stringify({ TableName: table }), { 'Content-Type': 'application/json', 'x-ms-version': '2019-02-02' })).status).toBe(201);
    const typo = await tableRequest('GET', `devstoreacount1/${table}()`, '', { Accept: 'application/json', 'x-ms-version': '2019-02-02' }, true);
    expect(typo.status).toBe(404);
    expect(typo.body).toContain('No storage account in the URL \\"/devstoreacount1/');
    const date = new Date().toUTCString();
    const signed = `GET\n\n\n\nx-ms-date:${date}\nx-ms-version:2019-02-02\n/${DEV_ACCOUNT}/devstoreacount1?comp=list`;
    const signature = createHmac('sha256', Buffer.from(DEV_KEY, 'base64')).update(signed, 'utf8').digest('base64');
    const list = await rawRequest(emu.queuesUrl, 'GET', '/devstoreacount1?comp=list', '', { 'x-ms-date': date, 'x-ms-version': '2019-02-02', Authorization: `SharedKeyLite ${DEV_ACCOUNT}:${signature}` });
    expect(list.status).toBe(404);
    expect(list.body).toContain('No storage account in the URL');
  });
});
