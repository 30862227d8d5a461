// Persistence: an emulator in a child process with a data folder is sent messages, killed with SIGKILL,
// It runs the built emulator (dist/, from `npx tsc -b`, which `npm test` does first).
// and restarted on the same folder; the messages, entities and sequence numbers are still there.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, expect, it } from 'vitest';
import { startServiceBusEmulator } from '../../../runtime/emulators/servicebus/index.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'cb-sb-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('keeps acknowledged messages across kill -9', async () => {
  const script = `
    import { startServiceBusEmulator } from ${JSON.stringify(path.resolve('dist/runtime/emulators/servicebus/index.js'))};
    const e = await startServiceBusEmulator({ dataDir: ${JSON.stringify(dataDir)}, amqpPort: 0, httpPort: 0 });
    e.engine.registry.createQueue('durable');
    console.log(JSON.stringify({ cs: e.connectionString() }));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const cs = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { cs: string }).cs));
    child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  const client = new ServiceBusClient(cs, { retryOptions: { maxRetries: 0 } });
  await client.createSender('durable').sendMessages([{ body: 'one' }, { body: 'two' }, { body: 'three' }]);
  const r = client.createReceiver('durable');
  const [first] = await r.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  await r.completeMessage(first!);
  await client.close().catch(() => undefined);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  const again = await startServiceBusEmulator({ dataDir, amqpPort: 0, httpPort: 0 });
  try {
    expect(again.engine.counts('durable').activeMessageCount).toBe(2);
    const c2 = new ServiceBusClient(again.connectionString(), { retryOptions: { maxRetries: 0 } });
    const r2 = c2.createReceiver('durable', { receiveMode: 'receiveAndDelete' });
    const got = await r2.receiveMessages(5, { maxWaitTimeInMs: 500 });
    expect(got.map((m) => [m.body, m.sequenceNumber?.toNumber()])).toEqual([['two', 2], ['three', 3]]);
    await c2.createSender('durable').sendMessages({ body: 'four' });
    expect((await r2.receiveMessages(1, { maxWaitTimeInMs: 2000 }))[0]?.sequenceNumber?.toNumber()).toBe(4);
    await c2.close();
  } finally {
    await again.close();
  }
});
