// The Service Bus explorer's routes on a real `cloudbench serve` with its emulators (a child process) on free
// ports, through the control API with the token: connection (the key never echoed), entity CRUD, send + peek +
// receive in both modes, dead-letter then resubmit, purge counts, rules CRUD with a bad SQL filter, counts.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SbEntitiesSchema, SbMessagesSchema } from '../../../runtime/shared/protocol.js';
import { copyFixture, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';
import { ControlClient } from '../../helpers/control.js';

const EMULATOR_KEY = 'SAS_KEY_VALUE';

let app: Served;
let control: ControlClient;

const call = (...args: Parameters<ControlClient['call']>) => control.call(...args);

const ok = (...args: Parameters<ControlClient['ok']>) => control.ok(...args);

async function entities() {
  return SbEntitiesSchema.parse(await ok('GET', '/api/servicebus/entities'));
}
async function countsOf(entityPath: string) {
  const e = await entities();
  const all = [...e.queues, ...e.topics.flatMap((t) => t.subscriptions)];
  return all.find((x) => x.path === entityPath)?.counts;
}
async function peek(entity: string, deadLetter = false) {
  return SbMessagesSchema.parse(await ok('GET', `/api/servicebus/messages?entity=${encodeURIComponent(entity)}${deadLetter ? '&deadLetter=true' : ''}`)).messages;
}

beforeAll(async () => {
  app = await serve(copyFixture('apps/echo'), ['--workers', '1', '--in-memory', '--tables-port', '0', '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'], {
    CLOUDBENCH_HOME: mkdtempSync(path.join(os.tmpdir(), 'cb-home-')),
  });
  control = new ControlClient(app.workbenchUrl);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

describe('connection', () => {
  it('needs the token', async () => {
    const r = await call('GET', '/api/servicebus/entities', { auth: false });
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('CB_ERR_CONTROL_UNAUTHORIZED');
  });

  it('starts on the local emulator and shows its endpoint, never its key', async () => {
    const r = await call('GET', '/api/servicebus/connection');
    expect(r.json).toMatchObject({ source: 'emulator', unavailable: null });
    expect(r.json.endpoint).toMatch(/^sb:\/\/127\.0\.0\.1:\d+$/);
    expect(r.text).not.toContain(EMULATOR_KEY);
  });

  it('refuses a connection string that does not parse or does not answer, and keeps the emulator', async () => {
    const r1 = await call('POST', '/api/servicebus/connection', { body: { connectionString: 'nonsense' } });
    expect(r1.status).toBe(400);
    expect(r1.json.error.code).toBe('CB_ERR_SERVICEBUS_CONNECTION_STRING');
    const r2 = await call('POST', '/api/servicebus/connection', { body: { connectionString: 'Endpoint=sb://127.0.0.1:1/;SharedAccessKeyName=k;SharedAccessKey=secret-key-xyz' } });
    expect(r2.status).toBe(400);
    expect(r2.json.error.code).toBe('CB_ERR_SERVICEBUS_CONNECTION_STRING');
    expect(r2.text).not.toContain('secret-key-xyz');
    expect((await ok('GET', '/api/servicebus/connection')).source).toBe('emulator');
  }, 60_000);
});

describe('entities', () => {
  it('creates, lists and deletes queues, topics and subscriptions', async () => {
    await ok('POST', '/api/servicebus/queues', { name: 'crud-q', maxDeliveryCount: 3 });
    await ok('POST', '/api/servicebus/topics', { name: 'crud-t' });
    await ok('POST', '/api/servicebus/topics/crud-t/subscriptions', { name: 's1' });
    const dup = await call('POST', '/api/servicebus/queues', { body: { name: 'crud-q' } });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('CB_ERR_SERVICEBUS_CONFLICT');
    const e = await entities();
    expect(e.queues.find((q) => q.name === 'crud-q')).toMatchObject({ path: 'crud-q', maxDeliveryCount: 3, counts: { active: 0, deadLetter: 0, scheduled: 0 } });
    expect(e.topics.find((t) => t.name === 'crud-t')?.subscriptions.map((s) => s.path)).toEqual(['crud-t/Subscriptions/s1']);
    await ok('DELETE', '/api/servicebus/topics/crud-t/subscriptions/s1');
    await ok('DELETE', '/api/servicebus/topics/crud-t');
    await ok('DELETE', '/api/servicebus/queues/crud-q');
    const gone = await call('DELETE', '/api/servicebus/queues/crud-q');
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('CB_ERR_SERVICEBUS_NOT_FOUND');
    const after = await entities();
    expect(after.queues.some((q) => q.name === 'crud-q')).toBe(false);
    expect(after.topics.some((t) => t.name === 'crud-t')).toBe(false);
  }, 30_000);
});

describe('messages', () => {
  it('sends, peeks, counts and receives in both modes', async () => {
    await ok('POST', '/api/servicebus/queues', { name: 'msg-q' });
    await ok('POST', '/api/servicebus/messages', { entity: 'msg-q', body: 'hello', subject: 'greeting', applicationProperties: { colour: 'red', n: 7, flag: true } });
    await ok('POST', '/api/servicebus/messages', { entity: 'msg-q', body: '{"a":1}', bodyKind: 'json' });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = await ok('POST', '/api/servicebus/messages', { entity: 'msg-q', body: 'later', scheduledEnqueueTime: later });
    expect(scheduled.scheduledSequenceNumber).toEqual(expect.any(Number));
    expect(await countsOf('msg-q')).toEqual({ active: 2, deadLetter: 0, scheduled: 1 });

    const peeked = await peek('msg-q');
    expect(peeked.map((m) => m.state)).toEqual(['active', 'active', 'scheduled']);
    expect(peeked[0]).toMatchObject({ body: 'hello', bodyKind: 'text', subject: 'greeting', applicationProperties: { colour: 'red', n: 7, flag: true } });
    expect(peeked[0]?.sequenceNumber).toEqual(expect.any(Number));
    expect(peeked[0]?.enqueuedTime).toMatch(/^\d{4}-/);
    expect(peeked[1]).toMatchObject({ body: '{"a":1}', bodyKind: 'json', contentType: 'application/json' });

    // A second look shows the same messages (the SDK's peek cursor is per connection and entity), and pages.
    expect((await peek('msg-q')).map((m) => m.sequenceNumber)).toEqual(peeked.map((m) => m.sequenceNumber));
    const page2 = SbMessagesSchema.parse(await ok('GET', `/api/servicebus/messages?entity=msg-q&count=5&fromSequenceNumber=${peeked[0]!.sequenceNumber + 1}`)).messages;
    expect(page2.map((m) => m.sequenceNumber)).toEqual(peeked.slice(1).map((m) => m.sequenceNumber));

    const r1 = await ok('POST', '/api/servicebus/receive', { entity: 'msg-q', mode: 'receiveAndDelete' });
    expect(r1.messages.map((m: { body: string }) => m.body)).toEqual(['hello']);
    const r2 = await ok('POST', '/api/servicebus/receive', { entity: 'msg-q' });
    expect(r2.messages.map((m: { body: string }) => m.body)).toEqual(['{"a":1}']);
    expect(await countsOf('msg-q')).toEqual({ active: 0, deadLetter: 0, scheduled: 1 });
    const none = await ok('POST', '/api/servicebus/receive', { entity: 'msg-q', waitMs: 200 });
    expect(none.messages).toEqual([]);

    const missing = await call('POST', '/api/servicebus/messages', { body: { entity: 'no-such-queue', body: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('CB_ERR_SERVICEBUS_NOT_FOUND');
  }, 60_000);

  it('dead-letters with a reason, then resubmits the copy with its properties', async () => {
    await ok('POST', '/api/servicebus/queues', { name: 'dlq-q' });
    await ok('POST', '/api/servicebus/messages', { entity: 'dlq-q', body: 'poison', subject: 's', correlationId: 'c-1', applicationProperties: { tenant: 'acme' } });
    await ok('POST', '/api/servicebus/messages', { entity: 'dlq-q', body: 'other' });
    const dead = await ok('POST', '/api/servicebus/receive', { entity: 'dlq-q', count: 2, settle: 'deadLetter', deadLetterReason: 'Bad', deadLetterErrorDescription: 'cannot parse' });
    expect(dead.messages).toHaveLength(2);
    expect(await countsOf('dlq-q')).toEqual({ active: 0, deadLetter: 2, scheduled: 0 });
    const dl = await peek('dlq-q', true);
    expect(dl[0]).toMatchObject({ body: 'poison', deadLetterReason: 'Bad', deadLetterErrorDescription: 'cannot parse' });

    // Only the first one goes back; the other stays in the DLQ.
    const res = await ok('POST', '/api/servicebus/dead-letters', { entity: 'dlq-q', action: 'resubmit', sequenceNumbers: [dl[0]!.sequenceNumber] });
    expect(res).toEqual({ count: 1, sentTo: 'dlq-q' });
    expect(await countsOf('dlq-q')).toEqual({ active: 1, deadLetter: 1, scheduled: 0 });
    const [copy] = await peek('dlq-q');
    expect(copy).toMatchObject({ body: 'poison', subject: 's', correlationId: 'c-1', applicationProperties: { tenant: 'acme' }, deadLetterReason: null });
    expect(copy!.applicationProperties).not.toHaveProperty('DeadLetterReason');

    const del = await ok('POST', '/api/servicebus/dead-letters', { entity: 'dlq-q', action: 'delete' });
    expect(del).toEqual({ count: 1, sentTo: null });
    expect(await countsOf('dlq-q')).toEqual({ active: 1, deadLetter: 0, scheduled: 0 });
  }, 60_000);

  it('receives from a session-enabled queue (the next session, or a named one) and peeks it', async () => {
    await ok('POST', '/api/servicebus/queues', { name: 'sess-q', requiresSession: true });
    expect((await entities()).queues.find((q) => q.name === 'sess-q')?.requiresSession).toBe(true);
    await ok('POST', '/api/servicebus/messages', { entity: 'sess-q', body: 'a1', sessionId: 'a' });
    await ok('POST', '/api/servicebus/messages', { entity: 'sess-q', body: 'b1', sessionId: 'b' });
    expect((await peek('sess-q')).map((m) => m.sessionId).sort()).toEqual(['a', 'b']);
    const named = await ok('POST', '/api/servicebus/receive', { entity: 'sess-q', sessionId: 'b' });
    expect(named.messages.map((m: { body: string }) => m.body)).toEqual(['b1']);
    const next = await ok('POST', '/api/servicebus/receive', { entity: 'sess-q' });
    expect(next.messages.map((m: { body: string }) => m.body)).toEqual(['a1']);
    const started = Date.now();
    const none = await ok('POST', '/api/servicebus/receive', { entity: 'sess-q', waitMs: 500 });
    expect(none.messages).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);

  it('purges in batches and says how many', async () => {
    await ok('POST', '/api/servicebus/queues', { name: 'purge-q' });
    for (let i = 0; i < 30; i++) await ok('POST', '/api/servicebus/messages', { entity: 'purge-q', body: `m${i}` });
    expect((await countsOf('purge-q'))?.active).toBe(30);
    expect(await ok('POST', '/api/servicebus/purge', { entity: 'purge-q' })).toEqual({ purged: 30 });
    expect(await countsOf('purge-q')).toEqual({ active: 0, deadLetter: 0, scheduled: 0 });
    expect(await ok('POST', '/api/servicebus/purge', { entity: 'purge-q', deadLetter: true })).toEqual({ purged: 0 });
  }, 60_000);
});

describe('rules', () => {
  it('lists, creates and deletes SQL and correlation rules, and filters with them', async () => {
    await ok('POST', '/api/servicebus/topics', { name: 'rules-t' });
    await ok('POST', '/api/servicebus/topics/rules-t/subscriptions', { name: 'high' });
    const base = '/api/servicebus/topics/rules-t/subscriptions/high/rules';
    expect((await ok('GET', base)).rules).toEqual([{ name: '$Default', filter: { type: 'true' }, action: null }]);

    await ok('POST', base, { name: 'big', filter: { type: 'sql', expression: 'n > 5' }, action: "SET sys.label = 'big'" });
    await ok('POST', base, { name: 'corr', filter: { type: 'correlation', correlationId: 'x', applicationProperties: { kind: 'k' } } });
    await ok('DELETE', `${base}/$Default`);
    const rules = (await ok('GET', base)).rules;
    expect(rules).toEqual([
      { name: 'big', filter: { type: 'sql', expression: 'n > 5' }, action: "SET sys.label = 'big'" },
      { name: 'corr', filter: { type: 'correlation', correlationId: 'x', applicationProperties: { kind: 'k' } }, action: null },
    ]);

    await ok('POST', '/api/servicebus/messages', { entity: 'rules-t', body: 'small', applicationProperties: { n: 1 } });
    await ok('POST', '/api/servicebus/messages', { entity: 'rules-t', body: 'large', applicationProperties: { n: 9 } });
    await waitFor(async () => (await countsOf('rules-t/Subscriptions/high'))?.active === 1, 5000, 'the filtered message');
    const [m] = await peek('rules-t/Subscriptions/high');
    expect(m).toMatchObject({ body: 'large', subject: 'big' });

    // A subscription's dead letters, looked at twice; the resubmitted copy goes to the topic.
    await ok('POST', '/api/servicebus/receive', { entity: 'rules-t/Subscriptions/high', settle: 'deadLetter', deadLetterReason: 'R' });
    for (let i = 0; i < 2; i++) expect((await peek('rules-t/Subscriptions/high', true)).map((x) => x.deadLetterReason)).toEqual(['R']);
    expect(await ok('POST', '/api/servicebus/dead-letters', { entity: 'rules-t/Subscriptions/high', action: 'resubmit' })).toEqual({ count: 1, sentTo: 'rules-t' });
    await waitFor(async () => (await countsOf('rules-t/Subscriptions/high'))?.active === 1, 5000, 'the resubmitted message');

    const bad = await call('POST', base, { body: { name: 'bad', filter: { type: 'sql', expression: 'n >>> 5' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('CB_ERR_SERVICEBUS_BAD_REQUEST');
    expect(bad.json.error.message).toMatch(/SQL syntax error at line 1, column 4/);

    // Edited in place: a new filter and action, then no action; a bad filter or an unknown rule is refused.
    await ok('PUT', `${base}/corr`, { filter: { type: 'sql', expression: "sys.label = 'x'" }, action: 'SET n = 0' });
    expect((await ok('GET', base)).rules.find((r: { name: string }) => r.name === 'corr')).toEqual({ name: 'corr', filter: { type: 'sql', expression: "sys.label = 'x'" }, action: 'SET n = 0' });
    await ok('PUT', `${base}/corr`, { filter: { type: 'correlation', subject: 'y' } });
    expect((await ok('GET', base)).rules.find((r: { name: string }) => r.name === 'corr')).toEqual({ name: 'corr', filter: { type: 'correlation', subject: 'y' }, action: null });
    const badEdit = await call('PUT', `${base}/corr`, { body: { filter: { type: 'sql', expression: 'n >>> 5' } } });
    expect(badEdit.status).toBe(400);
    expect(badEdit.json.error.message).toMatch(/SQL syntax error at line 1, column 4/);
    expect((await call('PUT', `${base}/nope`, { body: { filter: { type: 'true' } } })).status).toBe(404);

    await ok('DELETE', `${base}/corr`);
    expect((await ok('GET', base)).rules.map((r: { name: string }) => r.name)).toEqual(['big']);
    const gone = await call('DELETE', `${base}/corr`);
    expect(gone.status).toBe(404);
  }, 60_000);
});

describe('without emulators', () => {
  it('says why there is nothing to explore, and refuses with 503 until a connection string is pasted', async () => {
    const bare = await serve(copyFixture('apps/echo'), ['--workers', '1'], { CLOUDBENCH_HOME: mkdtempSync(path.join(os.tmpdir(), 'cb-home-')) });
    try {
      const bareControl = new ControlClient(bare.workbenchUrl);
      const get = (p: string) => bareControl.call('GET', p);
      expect((await get('/api/servicebus/connection')).json).toEqual({ source: 'emulator', endpoint: null, unavailable: 'the emulators are off (--no-emulators)' });
      const r = await get('/api/servicebus/entities');
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('CB_ERR_SERVICEBUS_NOT_CONNECTED');
    } finally {
      await bare.stop();
    }
  }, 60_000);
});
