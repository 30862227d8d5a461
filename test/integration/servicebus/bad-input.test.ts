// Bad input never takes the broker down: garbage and truncated frames on the AMQP port, an oversize
// message (amqp:link:message-size-exceeded over AMQP, 413 over HTTP), unknown entities (404), and the
// emulator keeps serving the SDK afterwards.
import net from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServiceBusEmulator } from '../../../runtime/emulators/servicebus/index.js';
import { sdkClient, startEmulator } from './helpers.js';

const require = createRequire(import.meta.url);
let emulator: RunningServiceBusEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.engine.registry.createQueue('q');
});

afterAll(async () => {
  await emulator?.close();
});

function rawSend(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(emulator.amqpPort, '127.0.0.1', () => s.write(bytes));
    s.on('data', () => undefined);
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    setTimeout(() => {
      s.destroy();
      resolve();
    }, 300);
  });
}

async function stillServes(): Promise<void> {
  const client = sdkClient(emulator);
  await client.createSender('q').sendMessages({ body: 'alive' });
  const r = client.createReceiver('q', { receiveMode: 'receiveAndDelete' });
  expect((await r.receiveMessages(1, { maxWaitTimeInMs: 2000 }))[0]?.body).toBe('alive');
  await client.close();
}

describe('malformed AMQP', () => {
  it('survives garbage, a wrong protocol header, and a frame with a bogus performative', async () => {
    await rawSend(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await rawSend(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x09, 0x01, 0x00, 0x00]));
    // A valid header, then a frame whose size says 16 and whose body is not a described performative.
    await rawSend(Buffer.concat([Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x00, 0x01, 0x00, 0x00]), Buffer.from([0, 0, 0, 16, 2, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])]));
    await rawSend(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0x03, 0x01, 0x00, 0x00, 0, 0, 0, 9, 2, 1, 0, 0, 0xee]));
    await stillServes();
  });
});

describe('oversize messages', () => {
  it('refuses a message over 256 KB with amqp:link:message-size-exceeded', async () => {
    const rhea = require('rhea') as any;
    const container = rhea.create_container();
    const condition = await new Promise<string>((resolve, reject) => {
      const conn = container.connect({ host: '127.0.0.1', port: emulator.amqpPort, reconnect: false });
      const sender = conn.open_sender('q');
      sender.once('sendable', () => sender.send({ body: rhea.message.data_section(Buffer.alloc(300 * 1024)) }));
      sender.on('rejected', (ctx: any) => {
        resolve(ctx.delivery.remote_state.error.condition);
        conn.close();
      });
      sender.on('accepted', () => reject(new Error('accepted an oversize message')));
    });
    expect(condition).toBe('amqp:link:message-size-exceeded');
    await stillServes();
  });

  it('answers 413 over HTTP', async () => {
    const azure = require('azure-sb') as any;
    const sb = azure.createServiceBusService(emulator.environment().AZURE_SERVICEBUS_CONNECTION_STRING);
    const err = await new Promise<any>((resolve) => sb.sendQueueMessage('q', 'x'.repeat(300 * 1024), resolve));
    expect(err?.statusCode).toBe(413);
    const missing = await new Promise<any>((resolve) => sb.sendQueueMessage('nope', 'x', resolve));
    expect(missing?.statusCode).toBe(404);
    await stillServes();
  });
});
