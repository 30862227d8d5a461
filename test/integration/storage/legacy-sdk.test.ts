// The legacy azure-storage package (what the project's seed article uses): tables with TableQuery and
// TableBatch, queues, and `azure.createTableService()` with no arguments in a child process that has only the
// environment Cloudbench gives workers.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStorageEmulator } from '../../../runtime/emulators/storage/index.js';
import { runWithWorkerEnvironment, startEmulator, uniqueName } from './helpers.js';

const require = createRequire(import.meta.url);
const azure = require('azure-storage');

let emu: RunningStorageEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.close());

/** Promisifies a callback-style call. */
function call<T>(fn: (cb: (error: any, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((error, result) => (error ? reject(error) : resolve(result))));
}

describe('azure-storage (legacy)', () => {
  it('tables: create, insert, batch, point query, TableQuery with paging, merge, delete', async () => {
    const ts = azure.createTableService(emu.connectionString());
    const name = uniqueName('legacy');
    expect((await call<any>((cb) => ts.createTableIfNotExists(name, cb))).created).toBe(true);
    expect((await call<any>((cb) => ts.createTableIfNotExists(name, cb))).created).toBe(false);
    const gen = azure.TableUtilities.entityGenerator;
    await call((cb) => ts.insertEntity(name, { PartitionKey: gen.String('p'), RowKey: gen.String('1'), n: gen.Int32(1), big: gen.Int64('9007199254740993'), when: gen.DateTime(new Date(Date.UTC(2020, 0, 2))) }, cb));
    const batch = new azure.TableBatch();
    for (let i = 2; i <= 6; i++) batch.insertEntity({ PartitionKey: gen.String('p'), RowKey: gen.String(String(i)), n: gen.Int32(i) });
    const results = await call<any[]>((cb) => ts.executeBatch(name, batch, cb));
    expect(results.map((r) => r.response.statusCode)).toEqual([204, 204, 204, 204, 204]);
    const one = await call<any>((cb) => ts.retrieveEntity(name, 'p', '1', cb));
    expect(one.big._).toBe('9007199254740993');
    expect(one.when._.toISOString()).toBe('2020-01-02T00:00:00.000Z');
    const query = new azure.TableQuery().where('n ge ?', 2).top(2);
    const first = await call<any>((cb) => ts.queryEntities(name, query, null, cb));
    expect(first.entries.map((e: any) => e.RowKey._)).toEqual(['2', '3']);
    const second = await call<any>((cb) => ts.queryEntities(name, query, first.continuationToken, cb));
    expect(second.entries.map((e: any) => e.RowKey._)).toEqual(['4', '5']);
    await call((cb) => ts.mergeEntity(name, { PartitionKey: gen.String('p'), RowKey: gen.String('1'), extra: gen.String('x') }, cb));
    const merged = await call<any>((cb) => ts.retrieveEntity(name, 'p', '1', cb));
    expect([merged.extra._, merged.n._]).toEqual(['x', 1]);
    await call((cb) => ts.deleteEntity(name, { PartitionKey: gen.String('p'), RowKey: gen.String('1') }, cb));
    const missing: any = await call((cb) => ts.retrieveEntity(name, 'p', '1', cb)).catch((e: any) => e);
    expect(missing.statusCode).toBe(404);
    const dup = new azure.TableBatch();
    dup.insertEntity({ PartitionKey: gen.String('p'), RowKey: gen.String('new') });
    dup.insertEntity({ PartitionKey: gen.String('p'), RowKey: gen.String('2') });
    const failed: any = await call((cb) => ts.executeBatch(name, dup, cb)).catch((e: any) => e);
    expect(failed.code ?? failed.message).toMatch(/EntityAlreadyExists|already exists/);
    const gone: any = await call((cb) => ts.retrieveEntity(name, 'p', 'new', cb)).catch((e: any) => e);
    expect(gone.statusCode).toBe(404);
    await call((cb) => ts.deleteTable(name, cb));
  });

  it('queues: create, send, get, update, delete, peek, metadata', async () => {
    const qs = azure.createQueueService(emu.connectionString());
    const name = uniqueName('legacyq');
    await call((cb) => qs.createQueueIfNotExists(name, cb));
    await call((cb) => qs.createMessage(name, 'legacy message', cb));
    const peeked = await call<any[]>((cb) => qs.peekMessages(name, cb));
    expect(peeked[0].messageText).toBe('legacy message');
    const [msg] = await call<any[]>((cb) => qs.getMessages(name, cb));
    expect(msg.dequeueCount).toBe(1);
    const updated = await call<any>((cb) => qs.updateMessage(name, msg.messageId, msg.popReceipt, 0, { messageText: 'again' }, cb));
    const [again] = await call<any[]>((cb) => qs.getMessages(name, cb));
    expect(again.messageText).toBe('again');
    expect(updated.popReceipt).toBeDefined();
    await call((cb) => qs.deleteMessage(name, again.messageId, again.popReceipt, cb));
    await call((cb) => qs.setQueueMetadata(name, { team: 'x' }, cb));
    const meta = await call<any>((cb) => qs.getQueueMetadata(name, cb));
    expect(meta.metadata.team).toBe('x');
    expect(meta.approximateMessageCount).toBe(0);
    await call((cb) => qs.deleteQueue(name, cb));
  });

  it("runs the seed article's createTableService() unchanged with only the workers' environment", async () => {
    const script = `
      const azure = require('azure-storage');
      const tableService = azure.createTableService();
      tableService.createTableIfNotExists('tasktable', (error, result) => {
        if (error) { console.error(error.message); process.exit(1); }
        const task = { PartitionKey: { _: 'hometasks' }, RowKey: { _: '1' }, description: { _: 'take out the trash' } };
        tableService.insertOrReplaceEntity('tasktable', task, (e2) => {
          if (e2) { console.error(e2.message); process.exit(1); }
          tableService.retrieveEntity('tasktable', 'hometasks', '1', (e3, entity) => {
            if (e3) { console.error(e3.message); process.exit(1); }
            console.log(JSON.stringify({ created: result.created, description: entity.description._ }));
          });
        });
      });`;
    const { code, out, err } = await runWithWorkerEnvironment(emu, ['-e', script]);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ created: true, description: 'take out the trash' });
  });
});
