// Engine semantics, run against every store implementation (STYLE.md Part 2 §8): ordering, locks and
// their expiry on a fake clock, MaxDeliveryCount, TTL, deferral, scheduling, sessions, and a restart on the
// same store that keeps messages, sequence numbers and session state.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ServiceBusEngine } from '../../../../runtime/emulators/servicebus/engine/engine.js';
import { MemoryServiceBusStore } from '../../../../runtime/emulators/servicebus/engine/memory-store.js';
import { acceptSession, getSessionState, setSessionState } from '../../../../runtime/emulators/servicebus/engine/session-ops.js';
import { SqliteServiceBusStore } from '../../../../runtime/emulators/servicebus/engine/sqlite-store.js';
import type { ServiceBusStore } from '../../../../runtime/emulators/servicebus/engine/store.js';
import type { MessageInput } from '../../../../runtime/emulators/servicebus/engine/types.js';

const STORES: [string, () => ServiceBusStore][] = [
  ['memory', () => new MemoryServiceBusStore()],
  ['sqlite', () => new SqliteServiceBusStore(path.join(mkdtempSync(path.join(tmpdir(), 'cb-sbe-')), 'servicebus.sqlite'))],
];

const msg = (text: string, extra: Partial<MessageInput> = {}): MessageInput => ({
  body: { kind: 'data', bytes: Buffer.from(text) }, applicationProperties: { when: new Date(5), bin: Buffer.from([1]) }, size: text.length, ...extra,
});
const bodies = (ds: { message: { body: { bytes: Buffer } } }[]): string[] => ds.map((d) => d.message.body.bytes.toString());

describe.each(STORES)('engine on the %s store', (_name, makeStore) => {
  function setup(): { engine: ServiceBusEngine; clock: { now: number }; store: ServiceBusStore } {
    const store = makeStore();
    const clock = { now: 1_000_000 };
    return { engine: new ServiceBusEngine({ store, now: () => clock.now }), clock, store };
  }

  it('delivers in order, returns an expired lock and dead-letters past MaxDeliveryCount', () => {
    const { engine, clock } = setup();
    engine.registry.createQueue('q', { lockDurationMs: 1000, maxDeliveryCount: 2 });
    engine.send('q', [msg('a'), msg('b')]);
    const r = engine.receivable('q');
    const [a] = r.receive({ max: 1, mode: 'peekLock' });
    expect(bodies([a!])).toEqual(['a']);
    clock.now += 1001;
    engine.timers.runDue();
    const again = r.receive({ max: 2, mode: 'peekLock' });
    expect(bodies(again)).toEqual(['a', 'b']);
    expect(again[0]?.deliveryCount).toBe(1);
    r.abandon(again[0]!.lockToken!);
    expect(engine.counts('q')).toMatchObject({ activeMessageCount: 1, deadLetterMessageCount: 1 });
    const [peeked] = r.dlq.values();
    expect(peeked?.applicationProperties.DeadLetterReason).toBe('MaxDeliveryCountExceeded');
    expect(engine.resubmit('q/$DeadLetterQueue', [peeked!.sequenceNumber])).toBe(1);
    expect(engine.counts('q')).toMatchObject({ activeMessageCount: 2, deadLetterMessageCount: 0 });
    const [back] = r.receive({ max: 1, mode: 'receiveAndDelete' });
    expect(bodies([back!])).toEqual(['a']);
    expect(back?.message.applicationProperties.DeadLetterReason).toBeUndefined();
    expect(() => r.complete('00000000-0000-0000-0000-000000000000')).toThrow(/lock supplied is invalid/);
    engine.send('q', [msg('c'), msg('d')]);
    const [locked] = r.receive({ max: 1, mode: 'peekLock' });
    // 'b' and 'c' are locked, so only 'd' goes; locked messages stay until settled.
    expect(engine.purge('q')).toBe(1);
    expect(engine.counts('q').activeMessageCount).toBe(2);
    r.complete(locked!.lockToken!);
    engine.close();
  });

  it('drops or dead-letters expired messages and activates scheduled ones on time', () => {
    const { engine, clock } = setup();
    engine.registry.createQueue('q', { deadLetteringOnMessageExpiration: true });
    engine.send('q', [msg('ttl', { timeToLive: 100 }), msg('later', { scheduledEnqueueTime: clock.now + 500 })]);
    clock.now += 200;
    engine.timers.runDue();
    expect(engine.counts('q')).toMatchObject({ activeMessageCount: 0, scheduledMessageCount: 1, deadLetterMessageCount: 1 });
    clock.now += 400;
    engine.timers.runDue();
    expect(bodies(engine.receivable('q').receive({ max: 5, mode: 'receiveAndDelete' }))).toEqual(['later']);
    engine.close();
  });

  it('keeps messages, sequence numbers, deferred state and session state across a restart', () => {
    const { engine, store, clock } = setup();
    engine.registry.createQueue('q');
    engine.registry.createQueue('s', { requiresSession: true });
    engine.send('q', [msg('1'), msg('2'), msg('3')]);
    engine.send('s', [msg('x', { sessionId: 'A' })]);
    const r = engine.receivable('q');
    const [first] = r.receive({ max: 1, mode: 'peekLock' });
    r.defer(first!.lockToken!);
    const session = acceptSession(engine.receivable('s'), engine.context, 'A', 'me')!;
    setSessionState(engine.receivable('s'), engine.context, session.id, Buffer.from('st'));
    engine.timers.close();
    const reopened = new ServiceBusEngine({ store, now: () => clock.now });
    const r2 = reopened.receivable('q');
    expect(bodies(r2.receive({ max: 5, mode: 'receiveAndDelete' }))).toEqual(['2', '3']);
    expect(bodies(r2.receiveDeferred([1], 'receiveAndDelete'))).toEqual(['1']);
    reopened.send('q', [msg('4')]);
    const [four] = r2.receive({ max: 1, mode: 'receiveAndDelete' });
    expect(four?.message.sequenceNumber).toBe(4);
    expect(four?.message.applicationProperties.when).toEqual(new Date(5));
    expect(Buffer.isBuffer(four?.message.applicationProperties.bin)).toBe(true);
    const s2 = reopened.receivable('s');
    const again = acceptSession(s2, reopened.context, 'A', 'other')!;
    expect(getSessionState(s2, reopened.context, again.id)?.toString()).toBe('st');
    expect(bodies(s2.receive({ max: 5, mode: 'receiveAndDelete', session: again }))).toEqual(['x']);
    reopened.close();
  });

  it('costs the same to receive from a deep queue (indexes, not scans)', () => {
    const { engine } = setup();
    engine.registry.createQueue('deep');
    const batch = Array.from({ length: 1000 }, (_, i) => msg(String(i)));
    for (let i = 0; i < 20; i++) engine.send('deep', batch);
    const r = engine.receivable('deep');
    const t0 = performance.now();
    for (let i = 0; i < 500; i++) r.complete(r.receive({ max: 1, mode: 'peekLock' })[0]!.lockToken!);
    const perOp = (performance.now() - t0) / 500;
    expect(perOp).toBeLessThan(2);
    engine.close();
  });
});
