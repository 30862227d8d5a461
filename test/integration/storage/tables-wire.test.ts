// Query pages are built by SQLite as finished wire JSON (minimalmetadata, no $select), while point queries,
// nometadata, fullmetadata and $select go through the JS formatter. These tests hold the two paths to the same
// bytes, over raw HTTP (SharedKeyLite), for every EDM type and awkward keys, and check that the $select and
// merge paths still see what was stored.
import { createHmac } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, DEV_KEY, startEmulator, tableCredential, uniqueName } from './helpers.js';

let emu: RunningStorageEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const opts = { allowInsecureConnection: true };

/** A raw, SharedKeyLite-signed GET: the body exactly as the server wrote it. */
async function rawGet(path: string, accept: string): Promise<{ status: number; text: string; headers: Headers }> {
  const date = new Date().toUTCString();
  const signed = `${date}\n/${DEV_ACCOUNT}/${DEV_ACCOUNT}${path.split('?')[0]}`;
  const signature = createHmac('sha256', Buffer.from(DEV_KEY, 'base64')).update(signed, 'utf8').digest('base64');
  const res = await fetch(`${emu.tablesUrl}/${DEV_ACCOUNT}${path}`, {
    headers: { 'x-ms-date': date, 'x-ms-version': '2019-02-02', Accept: accept, Authorization: `SharedKeyLite ${DEV_ACCOUNT}:${signature}` },
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const MINIMAL = 'application/json;odata=minimalmetadata';
const NONE = 'application/json;odata=nometadata';
const FULL = 'application/json;odata=fullmetadata';

/** The elements of `value`, as the exact text the server wrote (split at the top level). */
function valueItems(body: string): string[] {
  const start = body.indexOf('"value":[') + '"value":['.length;
  const items: string[] = [];
  let depth = 0;
  let inString = false;
  let from = start;
  for (let i = start; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) {
        items.push(body.slice(from, i + 1));
        from = i + 2;
      }
    } else if (c === ']' && depth === 0) break;
  }
  return items;
}

async function tableWithEntities(): Promise<{ name: string; client: TableClient }> {
  const name = uniqueName('wire');
  const client = new TableClient(emu.tablesUrl + `/${DEV_ACCOUNT}`, name, tableCredential(), opts);
  await client.createTable();
  await client.createEntity({
    partitionKey: 'p',
    rowKey: "it's \"quoted\" é 中 \u{1F600}",
    s: 'text with "quotes", \\ backslash, \n newline, é, \u{1F600}',
    empty: '',
    i: -42,
    d: 2.5,
    dWhole: { value: '3', type: 'Double' as const },
    dNaN: { value: 'NaN', type: 'Double' as const },
    b: false,
    big: -9223372036854775808n,
    when: { value: '2024-01-31T12:34:56.1234567Z', type: 'DateTime' as const },
    g: { value: 'C9DA6455-213D-42C9-9A79-3E9149A57833', type: 'Guid' as const },
    bin: new Uint8Array([0, 1, 2, 253, 254, 255]),
  });
  await client.createEntity({ partitionKey: 'p', rowKey: 'only-keys' });
  await client.createEntity({ partitionKey: 'q', rowKey: 'r', n: 1 });
  return { name, client };
}

describe('query pages as wire JSON', () => {
  it('lists every EDM type byte for byte as the point query does (minimal metadata; no metadata too)', async () => {
    const { name, client } = await tableWithEntities();
    const keys = [];
    for await (const e of client.listEntities()) keys.push([e.partitionKey as string, e.rowKey as string]);
    expect(keys).toHaveLength(3);
    for (const accept of [MINIMAL, NONE]) {
      const list = await rawGet(`/${name}()`, accept);
      expect(list.status).toBe(200);
      expect(() => JSON.parse(list.text)).not.toThrow();
      const items = valueItems(list.text);
      expect(items).toHaveLength(3);
      for (const [i, [pk, rk]] of keys.entries()) {
        const q = (s: string) => encodeURIComponent(s.replace(/'/g, "''"));
        const point = await rawGet(`/${name}(PartitionKey='${q(pk)}',RowKey='${q(rk)}')`, accept);
        expect(point.status).toBe(200);
        const element = accept === NONE ? point.text : `{${point.text.slice(point.text.indexOf(',') + 1)}`;
        expect(items[i]).toBe(element);
        if (accept === MINIMAL) expect(JSON.parse(items[i] as string)['odata.etag']).toBe(point.headers.get('etag'));
      }
    }
  });

  it('gives the SDK the same typed values from a listing as from a point read', async () => {
    const { client } = await tableWithEntities();
    for await (const listed of client.listEntities<any>()) {
      const { 'odata.metadata': _metadata, ...point } = await client.getEntity<any>(listed.partitionKey, listed.rowKey);
      expect(listed).toEqual(point);
    }
    const raw = await client.getEntity<any>('p', "it's \"quoted\" é 中 \u{1F600}", { disableTypeConversion: true });
    expect(raw.big).toEqual({ value: '-9223372036854775808', type: 'Int64' });
    expect(raw.bin).toEqual({ value: Buffer.from([0, 1, 2, 253, 254, 255]).toString('base64'), type: 'Binary' });
  });

  it('keeps fullmetadata and $select on the formatter, with the same values', async () => {
    const { name } = await tableWithEntities();
    const full = JSON.parse((await rawGet(`/${name}()`, FULL)).text);
    const minimal = JSON.parse((await rawGet(`/${name}()`, MINIMAL)).text);
    expect(full.value).toHaveLength(3);
    for (const [i, item] of full.value.entries()) {
      for (const [k, v] of Object.entries(minimal.value[i])) expect(item[k]).toEqual(v);
      expect(item['odata.type']).toBe(`${DEV_ACCOUNT}.${name}`);
    }
    const selected = JSON.parse((await rawGet(`/${name}()?$select=big,s,missing`, MINIMAL)).text);
    expect(Object.keys(selected.value[0]).sort()).toEqual(['big', 'big@odata.type', 'missing', 'odata.etag', 's']);
    expect(selected.value[0].big).toBe('-9223372036854775808');
    expect(selected.value[0].missing).toBeNull();
    const none = JSON.parse((await rawGet(`/${name}()?$select=n`, NONE)).text);
    expect(none.value.map((v: any) => v.n)).toEqual([null, null, 1]);
    // A whole Double keeps its `.0` on every path, or a client cannot tell it from an Int32.
    for (const path of [`/${name}()`, `/${name}()?$select=dWhole`]) {
      for (const accept of [MINIMAL, NONE, FULL]) expect((await rawGet(path, accept)).text).toContain('"dWhole":3.0');
    }
  });

  it('lists what a merge stored: new properties, changed types, dropped annotations', async () => {
    const { name, client } = await tableWithEntities();
    await client.updateEntity({ partitionKey: 'q', rowKey: 'r', n: { value: '5', type: 'Int64' }, added: 'x' }, 'Merge');
    let page = JSON.parse((await rawGet(`/${name}()?$filter=PartitionKey%20eq%20'q'`, NONE)).text);
    expect(page.value[0]).toMatchObject({ n: '5', added: 'x' });
    page = JSON.parse((await rawGet(`/${name}()?$filter=PartitionKey%20eq%20'q'`, MINIMAL)).text);
    expect(page.value[0]['n@odata.type']).toBe('Edm.Int64');
    await client.updateEntity({ partitionKey: 'q', rowKey: 'r', n: 7 }, 'Merge');
    page = JSON.parse((await rawGet(`/${name}()?$filter=PartitionKey%20eq%20'q'`, MINIMAL)).text);
    expect(page.value[0].n).toBe(7);
    expect(page.value[0]).not.toHaveProperty('n@odata.type');
    expect(page.value[0].added).toBe('x');
    const listed = [];
    for await (const e of client.listEntities<any>({ queryOptions: { filter: 'n eq 7' } })) listed.push(e);
    expect(listed.map((e) => e.rowKey)).toEqual(['r']);
  });

  it('pages with continuation headers and an empty last page shape', async () => {
    const { name } = await tableWithEntities();
    const first = await rawGet(`/${name}()?$top=2`, NONE);
    expect(valueItems(first.text)).toHaveLength(2);
    const npk = first.headers.get('x-ms-continuation-nextpartitionkey');
    const nrk = first.headers.get('x-ms-continuation-nextrowkey');
    expect(npk && nrk).toBeTruthy();
    const second = await rawGet(`/${name}()?$top=2&NextPartitionKey=${npk}&NextRowKey=${nrk}`, NONE);
    expect(JSON.parse(second.text).value).toEqual([{ PartitionKey: 'q', RowKey: 'r', Timestamp: expect.any(String), n: 1 }]);
    expect(second.headers.get('x-ms-continuation-nextpartitionkey')).toBeNull();
    const empty = await rawGet(`/${name}()?$filter=PartitionKey%20eq%20'none'`, MINIMAL);
    expect(JSON.parse(empty.text).value).toEqual([]);
  });

  it('evaluates a comparison on a missing property as false, also under not and or', async () => {
    const { client } = await tableWithEntities();
    const keys = async (filter: string) => {
      const out = [];
      for await (const e of client.listEntities({ queryOptions: { filter } })) out.push(e.rowKey);
      return out;
    };
    expect(await keys('n eq 1')).toEqual(['r']);
    expect(await keys('not (n eq 1)')).toEqual(["it's \"quoted\" é 中 \u{1F600}", 'only-keys']);
    expect(await keys('not (n eq 1 or i eq -42)')).toEqual(['only-keys']);
    expect(await keys("s ge 'a' and b eq false and d lt 3.0")).toEqual(["it's \"quoted\" é 中 \u{1F600}"]);
    expect(await keys('big lt 0L')).toEqual(["it's \"quoted\" é 中 \u{1F600}"]);
    expect(await keys("g eq guid'c9da6455-213d-42c9-9a79-3e9149a57833'")).toEqual(["it's \"quoted\" é 中 \u{1F600}"]);
  });
});
