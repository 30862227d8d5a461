// Read-ahead of query pages: after serving a page to a client that is paging (its request carried a
// continuation), the emulator computes the next page before it is asked. These tests write between the pages
// and check that the client still sees exactly what a fresh query would show: a page computed ahead is never
// served once the table has changed.
import { setTimeout as sleep } from 'node:timers/promises';
import { TableClient, TableServiceClient } from '@azure/data-tables';
import type { TableEntityResult } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { DEV_ACCOUNT, codeOf, failure, startEmulator, tableCredential, uniqueName } from './helpers.js';

let emu: RunningStorageEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

const opts = { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } };

async function seededTable(count: number): Promise<TableClient> {
  const name = uniqueName('ahead');
  await new TableServiceClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, tableCredential(), opts).createTable(name);
  const client = new TableClient(`${emu.tablesUrl}/${DEV_ACCOUNT}`, name, tableCredential(), opts);
  const ops = Array.from({ length: count }, (_, i) => ['create', { partitionKey: 'p', rowKey: String(i).padStart(2, '0'), n: i }] as ['create', { partitionKey: string; rowKey: string; n: number }]);
  await client.submitTransaction(ops);
  return client;
}

type Row = TableEntityResult<{ n: number }>;
const keysAndN = (page: Row[]) => page.map((e) => `${e.rowKey}=${e.n}`);

describe('query read-ahead', () => {
  it('serves pages that include writes made after the page before was sent', async () => {
    const client = await seededTable(30);
    const pages = client.listEntities<{ n: number }>().byPage({ maxPageSize: 5 });
    expect(keysAndN((await pages.next()).value as Row[])).toEqual(['00=0', '01=1', '02=2', '03=3', '04=4']);
    // The second request carries a continuation: the third page is computed ahead after it.
    expect(keysAndN((await pages.next()).value as Row[])).toEqual(['05=5', '06=6', '07=7', '08=8', '09=9']);
    await sleep(50);
    await client.upsertEntity({ partitionKey: 'p', rowKey: '11', n: 111 }, 'Replace');
    await client.createEntity({ partitionKey: 'p', rowKey: '10a', n: -1 });
    await client.deleteEntity('p', '12');
    expect(keysAndN((await pages.next()).value as Row[])).toEqual(['10=10', '10a=-1', '11=111', '13=13', '14=14']);
    // Untouched since: the page computed ahead is the right one, and the walk ends where it should.
    await sleep(50);
    const rest: string[] = [];
    for (let r = await pages.next(); !r.done; r = await pages.next()) rest.push(...keysAndN(r.value as Row[]));
    expect(rest).toEqual(Array.from({ length: 15 }, (_, i) => `${i + 15}=${i + 15}`));
  });

  it('keeps a filter and its paging exact across a merge that changes which rows match', async () => {
    const client = await seededTable(40);
    const pages = client.listEntities<{ n: number }>({ queryOptions: { filter: 'n ge 10' } }).byPage({ maxPageSize: 4 });
    expect(keysAndN((await pages.next()).value as Row[])).toEqual(['10=10', '11=11', '12=12', '13=13']);
    expect(keysAndN((await pages.next()).value as Row[])).toEqual(['14=14', '15=15', '16=16', '17=17']);
    await sleep(50);
    await client.updateEntity({ partitionKey: 'p', rowKey: '18', n: 0 }, 'Merge');
    expect(keysAndN((await pages.next()).value as Row[])).toEqual(['19=19', '20=20', '21=21', '22=22']);
  });

  it('answers TableNotFound, not a page computed ahead, once the table is deleted', async () => {
    const client = await seededTable(12);
    const pages = client.listEntities().byPage({ maxPageSize: 3 });
    await pages.next();
    await pages.next();
    await sleep(50);
    await client.deleteTable();
    expect(codeOf(await failure(pages.next()))).toBe('TableNotFound');
  });

  it('gives the same pages as a walk with no pause and as one big page', async () => {
    const client = await seededTable(100);
    const all: string[] = [];
    for await (const page of client.listEntities<{ n: number }>().byPage({ maxPageSize: 7 })) {
      all.push(...keysAndN(page as Row[]));
      await sleep(1);
    }
    const fast: string[] = [];
    for await (const page of client.listEntities<{ n: number }>().byPage({ maxPageSize: 7 })) fast.push(...keysAndN(page as Row[]));
    const whole: string[] = [];
    for await (const page of client.listEntities<{ n: number }>().byPage({ maxPageSize: 1000 })) whole.push(...keysAndN(page as Row[]));
    expect(all).toEqual(whole);
    expect(fast).toEqual(whole);
    expect(whole).toHaveLength(100);
  });
});
