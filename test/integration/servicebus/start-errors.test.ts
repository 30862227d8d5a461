// Start-up errors are coded: a busy port names the option to change, an unusable data folder says so,
// and a Config.json is imported at start-up (the sample of Microsoft's emulator).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';
import { startEmulator } from './helpers.js';

it('reports a busy AMQP or HTTP port with the option to change', async () => {
  const first = await startEmulator();
  try {
    const amqp = await startEmulator({ amqpPort: first.amqpPort }).catch((e: unknown) => e);
    expect(isCloudbenchError(amqp, 'CB_ERR_EMULATORS_PORT_IN_USE')).toBe(true);
    expect((amqp as { params: Record<string, unknown> }).params.option).toBe('--servicebus-port');
    const http = await startEmulator({ httpPort: first.httpPort }).catch((e: unknown) => e);
    expect((http as { params: Record<string, unknown> }).params.option).toBe('--servicebus-http-port');
  } finally {
    await first.close();
  }
});

it('reports a data folder it cannot use', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cb-sbd-')), 'not-a-folder');
  writeFileSync(file, 'x');
  const err = await startEmulator({ inMemory: false, dataDir: file }).catch((e: unknown) => e);
  expect(isCloudbenchError(err, 'CB_ERR_EMULATORS_DATA_DIR')).toBe(true);
});

it('imports a Config.json at start-up', async () => {
  const e = await startEmulator({ configFile: path.resolve('test/fixtures/servicebus/config.json') });
  try {
    expect(e.engine.registry.queue('queue.1').properties.maxDeliveryCount).toBe(3);
    expect(e.engine.registry.subscription('topic.1', 'subscription.1').rules.size).toBe(2);
  } finally {
    await e.close();
  }
});
