// Importing Microsoft's emulator Config.json: the sample from its repository loads as is; mistakes are
// reported as CB_ERR_SERVICEBUS_CONFIG with file:line:column.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importConfigFile } from '../../../../runtime/emulators/servicebus/config/import-config.js';
import { ServiceBusEngine } from '../../../../runtime/emulators/servicebus/engine/engine.js';
import { MemoryServiceBusStore } from '../../../../runtime/emulators/servicebus/engine/memory-store.js';
import { isCloudbenchError } from '../../../../runtime/shared/errors.js';

const SAMPLE = path.resolve('test/fixtures/servicebus/config.json');
const dir = mkdtempSync(path.join(tmpdir(), 'cb-sbcfg-'));

function importText(text: string): unknown {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, text);
  try {
    importConfigFile(new ServiceBusEngine({ store: new MemoryServiceBusStore() }), file);
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('Config.json import', () => {
  it('loads the sample of Microsoft\'s emulator with its properties and rules', () => {
    const engine = new ServiceBusEngine({ store: new MemoryServiceBusStore() });
    importConfigFile(engine, SAMPLE);
    const q = engine.registry.queue('queue.1');
    expect(q.properties.lockDurationMs).toBe(60_000);
    expect(q.properties.maxDeliveryCount).toBe(3);
    expect(q.properties.defaultMessageTimeToLiveMs).toBe(3_600_000);
    expect(engine.registry.rules('topic.1', 'subscription.1').map((r) => r.name)).toEqual(['app-prop-filter-1', 'sql-filter-1']);
    // Importing again (a restart on the same data) updates instead of failing.
    importConfigFile(engine, SAMPLE);
    engine.close();
  });

  it.each([
    ['{ "UserConfig": { "Namespaces": [ { "Name": "x", "Queuez": [] } ] } }', 1, 50, /unknown key "Queuez"/],
    ['{ "UserConfig": {\n  "Namespaces": [ { "Name": "x", "Queues": [ { "Name": "q", "Properties": { "LockDuration": "1 minute" } } ] } ] } }', 2, 93, /not an ISO 8601 duration/],
    ['{ "UserConfig": { "Namespaces": [ { "Name": "x", "Queues": [ { "Name": "q", "Properties": { "MaxDeliveryCount": "3" } } ] } ] } }', 1, 113, /must be an integer/],
    ['{ "UserConfig": ', 1, 17, /invalid JSON/],
    ['{ "UserConfig": { "Namespaces": [ { "Name": "x", "Topics": [ { "Name": "t", "Subscriptions": [ { "Name": "s", "Rules": [ { "Name": "r", "Properties": { "FilterType": "Sql", "SqlFilter": { "SqlExpression": "a = = 1" } } } ] } ] } ] } ] } }', 1, 211, /SQL syntax error/],
    ['{ "UserConfig": { "Namespaces": [ { "Name": "x", "Queues": [ { "Name": "-bad-" } ] } ] } }', 1, 72, /invalid/],
  ])('reports %s at line %i, column %i (the offending token)', (text, line, column, detail) => {
    const err = importText(text);
    expect(isCloudbenchError(err, 'CB_ERR_SERVICEBUS_CONFIG')).toBe(true);
    const e = err as { params: Record<string, unknown>; message: string };
    expect(e.message).toMatch(detail);
    expect([e.params.line, e.params.column]).toEqual([line, column]);
  });

  it('names a file it cannot read', () => {
    const engine = new ServiceBusEngine({ store: new MemoryServiceBusStore() });
    let err: unknown;
    try {
      importConfigFile(engine, path.join(dir, 'missing.json'));
    } catch (e) {
      err = e;
    }
    expect(isCloudbenchError(err, 'CB_ERR_SERVICEBUS_CONFIG_READ')).toBe(true);
  });
});
