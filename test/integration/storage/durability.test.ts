// An acknowledged write survives kill -9: the emulator runs in a child process (from dist/, as the CLI will)
// on a data folder; entities and messages are written, each acknowledged, then the process is SIGKILLed at
// once and a new one on the same folder must return every one of them.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, describe, expect, it } from 'vitest';
import type * as StorageIndex from '../../../runtime/emulators/storage/index.js';

type StorageModule = typeof StorageIndex;

const ENTRY = fileURLToPath(new URL('../../../dist/runtime/emulators/storage/index.js', import.meta.url));
const SCRIPT = `
  const { startStorageEmulator } = await import(${JSON.stringify(ENTRY)});
  const emu = await startStorageEmulator({ dataDir: process.argv[1], tablesPort: 0, queuesPort: 0 });
  process.stdout.write(JSON.stringify({ cs: emu.connectionString() }) + '\\n');
  setInterval(() => {}, 1000);
`;

const children: ChildProcess[] = [];

function startChild(dataDir: string): Promise<{ child: ChildProcess; cs: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, cs: (JSON.parse(line) as { cs: string }).cs });
    });
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A fresh data folder with an emulator child on it, and a table and a queue called `name` created there. */
async function freshEmulator(name: string) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-storage-'));
  const first = await startChild(dataDir);
  const table = TableClient.fromConnectionString(first.cs, name, { allowInsecureConnection: true });
  await table.createTable();
  const queue = new QueueClient(first.cs, name);
  await queue.create();
  return { dataDir, first, table, queue };
}

async function killHard(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
}

describe('durability', () => {
  it('keeps every acknowledged entity and message across kill -9', async () => {
    const { dataDir, first, table, queue } = await freshEmulator('durable');
    const N = 200;
    for (let i = 0; i < N; i++) await table.createEntity({ partitionKey: 'p', rowKey: String(i).padStart(4, '0'), i });
    const batch: any[] = [];
    for (let i = 0; i < 100; i++) batch.push(['create', { partitionKey: 'b', rowKey: String(i) }]);
    await table.submitTransaction(batch);
    for (let i = 0; i < 50; i++) await queue.sendMessage(`m${i}`);
    await killHard(first.child);

    const second = await startChild(dataDir);
    const table2 = TableClient.fromConnectionString(second.cs, 'durable', { allowInsecureConnection: true });
    let count = 0;
    for await (const e of table2.listEntities<any>()) {
      if (e.partitionKey === 'p') expect(e.i).toBe(Number(e.rowKey));
      count++;
    }
    expect(count).toBe(N + 100);
    const props = await new QueueClient(second.cs, 'durable').getProperties();
    expect(props.approximateMessagesCount).toBe(50);
    second.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write of concurrent clients (one group commit per event-loop turn) across kill -9', async () => {
    const { dataDir, first, table, queue } = await freshEmulator('grouped');
    // 16 in flight: the emulator handles several requests per turn and answers them after one commit.
    const acknowledged: string[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < 400) {
        const i = next++;
        await table.createEntity({ partitionKey: 'g', rowKey: String(i).padStart(4, '0'), i });
        await queue.sendMessage(`g${i}`);
        acknowledged.push(String(i).padStart(4, '0'));
      }
    }));
    await killHard(first.child);

    const second = await startChild(dataDir);
    const keys: string[] = [];
    for await (const e of TableClient.fromConnectionString(second.cs, 'grouped', { allowInsecureConnection: true }).listEntities<any>()) keys.push(e.rowKey as string);
    expect(keys.sort()).toEqual(acknowledged.sort());
    expect((await new QueueClient(second.cs, 'grouped').getProperties()).approximateMessagesCount).toBe(400);
    second.child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets one emulator process at a time use a data folder, and takes over the lock of a killed one', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-storage-'));
    const first = await startChild(dataDir);
    const { startStorageEmulator } = (await import(ENTRY)) as StorageModule;
    await expect(startStorageEmulator({ dataDir, tablesPort: 0, queuesPort: 0 })).rejects.toMatchObject({
      code: 'CB_ERR_EMULATORS_DATA_DIR',
      message: expect.stringContaining(`another emulator (process ${first.child.pid}) is using it`),
    });
    await killHard(first.child);
    const here = await startStorageEmulator({ dataDir, tablesPort: 0, queuesPort: 0 });
    await expect(startStorageEmulator({ dataDir, tablesPort: 0, queuesPort: 0 })).rejects.toMatchObject({ message: expect.stringContaining('another emulator in this process') });
    await here.close();
    expect(fs.existsSync(path.join(dataDir, 'storage.lock'))).toBe(false);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
