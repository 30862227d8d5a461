import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as ErrorsModule from '../../../../runtime/shared/errors.js';
import type * as ProtocolModule from '../../../../runtime/shared/protocol.js';
import type { RouteName } from '../../../../runtime/shared/protocol.js';
import type * as ApiModule from '~renderer/lib/api';
import { load } from '../load-renderer.js';

const { createApi, ApiError, errorInfo } = await load<typeof ApiModule>('lib/api');
const { ROUTES } = await load<typeof ProtocolModule>('lib/protocol');
// The catalogue, loaded the same way so the renderer and the test share one copy of the module.
const { ERRORS } = await load<typeof ErrorsModule>('../../runtime/shared/errors');

type FetchArgs = [input: string | URL | Request, init?: RequestInit];

/** A fetch that answers every call with `respond()` and records the calls. */
function fakeFetch(respond: () => Response | Promise<Response>) {
  return vi.fn(async (..._args: FetchArgs) => respond());
}

const json = (body: unknown, status = 200, statusText = 'OK'): Response =>
  new Response(JSON.stringify(body), { status, statusText, headers: { 'Content-Type': 'application/json' } });

const topology = { version: 1, project: null, projectError: null, cores: 2, emulators: [] };
const ok = { ok: true };
const terminal = { id: 't1', title: 'bash', cwd: '/home/me', cols: 80, rows: 24, alive: true, exitCode: null };
const logRecord = { seq: 1, time: 2, instance: 'site', worker: 'w1', pid: 10, stream: 'stdout', text: 'hi' };
const requestRecord = {
  id: 4, time: 2, method: 'GET', url: '/', status: 200, durationMs: 1.5, queueMs: 0, instance: 'site', worker: 'w1', pid: 10,
  retries: 0, error: null, requestHeaders: ['host', 'x'], responseHeaders: [],
};

const debugTarget = {
  worker: '3', instance: 'local', ordinal: 1, generation: 1, pid: 10, mode: 'attach', paused: false, port: 5058,
  inspectorUrl: 'ws://127.0.0.1:5058/x', proxyPath: '/api/debug/cdp/3/k', since: 1,
};

const swapRecord = { environment: 'test', action: 'preview', startedAt: 1, before: { production: null, staging: 'abc' }, result: 'previewing', steps: [{ name: 'warm up', startedAt: 1, endedAt: 2, ok: true }] };
const fabricState = {
  sources: ['cloudbench.json'],
  local: { url: 'http://127.0.0.1:8080/', instances: ['local'], balancer: 'round-robin', workerRoles: [{ name: 'QueueWorker', instances: ['QueueWorker_0'] }] },
  environments: [{ name: 'test', instances: 1, pending: false, slots: [{ name: 'staging', url: 'http://127.0.0.1:9001/', deployment: null, instances: [], settings: {}, balancer: null, workerRoles: [] }] }],
  history: [swapRecord],
};

const loadState = { running: true, settings: { url: 'http://127.0.0.1:8080/', concurrency: 4, rate: 0, durationSec: 10 }, samples: [{ time: 1, requests: 100, failed: 0, p50: 1.5, p99: 4, byInstance: { local: 50, local_1: 50 } }] };

const storageConnection = { source: 'emulator', account: 'devstoreaccount1', tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1', queueEndpoint: 'http://127.0.0.1:10001/devstoreaccount1', unavailable: null };
const storageEntity = { partitionKey: 'a', rowKey: '1', timestamp: '2024-01-01T00:00:00.0000000Z', etag: 'W/"x"', properties: { n: { type: 'Int64', value: '9007199254740993' } } };
const storageMessage = { messageId: 'm1', messageText: 'hi', insertedOn: '2024-01-01T00:00:00.000Z', expiresOn: null, dequeueCount: 1 };

const sbConnection = { source: 'emulator', endpoint: 'sb://127.0.0.1:5672', unavailable: null };
const sbCounts = { active: 1, deadLetter: 0, scheduled: 0 };
const sbMessage = { sequenceNumber: 1, messageId: 'm', enqueuedTime: '2024-01-01T00:00:00.000Z', subject: null, contentType: null, correlationId: null, sessionId: null, body: 'hi', bodyKind: 'text', applicationProperties: { n: 1 }, deliveryCount: 0, state: 'active', scheduledEnqueueTime: null, expiresAt: null, deadLetterReason: null, deadLetterErrorDescription: null, deadLetterSource: null };

interface RouteCase {
  args?: { params?: Record<string, string>; body?: unknown; query?: Record<string, unknown> };
  /** The URL the call must use (parameters encoded, query in order). */
  url: string;
  response: unknown;
}

/** One call per route. A route added to ROUTES without a case here fails 'has a case for every route'. */
const CASES: Record<RouteName, RouteCase> = {
  state: { url: '/api/state', response: topology },
  openProject: { args: { body: { folder: 'C:\\sites\\my app' } }, url: '/api/project/open', response: topology },
  closeProject: { url: '/api/project/close', response: topology },
  recent: { url: '/api/recent', response: { recent: [{ folder: '/srv/a', openedAt: 1 }], samples: [{ name: 'tasklist', folder: '/opt/cloudbench/resources/samples/tasklist', description: 'The task list' }] } },
  recycle: { args: { params: { instance: 'site a/b' } }, url: '/api/instances/site%20a%2Fb/recycle', response: ok },
  restart: { args: { params: { instance: 'site' } }, url: '/api/instances/site/restart', response: ok },
  setWorkerCount: { args: { params: { instance: 'site' }, body: { count: 3 } }, url: '/api/instances/site/workers', response: ok },
  killWorker: { args: { params: { worker: 'site:1#2' } }, url: '/api/workers/site%3A1%232/kill', response: ok },
  logs: {
    args: { query: { worker: 'w 1', stream: 'stderr', text: '', afterSeq: 10, limit: 50 } },
    url: '/api/logs?worker=w+1&stream=stderr&afterSeq=10&limit=50',
    response: { records: [logRecord] },
  },
  requests: { args: { query: { text: '/api?x=1&y', afterId: 3 } }, url: '/api/requests?text=%2Fapi%3Fx%3D1%26y&afterId=3', response: { records: [requestRecord] } },
  terminals: { url: '/api/terminals', response: { terminals: [terminal] } },
  openTerminal: { args: { body: { cols: 80, rows: 24 } }, url: '/api/terminals', response: terminal },
  resizeTerminal: { args: { params: { terminal: 't1' }, body: { cols: 120, rows: 40 } }, url: '/api/terminals/t1/resize', response: ok },
  closeTerminal: { args: { params: { terminal: 't1' } }, url: '/api/terminals/t1', response: ok },
  debugTargets: { url: '/api/debug/targets', response: { targets: [debugTarget] } },
  debugAttach: { args: { params: { worker: '3' } }, url: '/api/debug/workers/3/attach', response: debugTarget },
  debugDetach: { args: { params: { worker: '3' } }, url: '/api/debug/workers/3/detach', response: ok },
  debugStart: { args: { params: { worker: '3' } }, url: '/api/debug/workers/3/start', response: debugTarget },
  debugResume: { args: { params: { worker: '3' } }, url: '/api/debug/workers/3/resume', response: ok },
  debugVsCode: { args: { params: { worker: '3' } }, url: '/api/debug/workers/3/vscode', response: { file: '/app/.vscode/launch.json', name: 'Cloudbench: worker #1', port: 5058 } },
  debugFile: { args: { query: { url: 'file:///app/a b.js.map' } }, url: '/api/debug/file?url=file%3A%2F%2F%2Fapp%2Fa+b.js.map', response: { url: 'file:///app/a b.js.map', text: '{}' } },
  debugJsonList: { url: '/api/debug/json/list', response: [] },
  debugJsonVersion: { url: '/api/debug/json/version', response: { Browser: 'node.js/v20.20.0', 'Protocol-Version': '1.1' } },
  fabric: { url: '/api/fabric', response: fabricState },
  fabricDeploy: { args: { body: { environment: 'test' } }, url: '/api/fabric/deploy', response: fabricState },
  fabricSwap: { args: { body: { environment: 'test', action: 'preview' } }, url: '/api/fabric/swap', response: swapRecord },
  fabricScale: { args: { body: { environment: 'local', instances: 3 } }, url: '/api/fabric/scale', response: fabricState },
  fabricPromote: { args: { body: { from: 'test', to: 'prod' } }, url: '/api/fabric/promote', response: fabricState },
  fabricBalancer: { args: { body: { environment: 'test', slot: 'staging', policy: 'sticky' } }, url: '/api/fabric/balancer', response: fabricState },
  fabricKillInstance: { args: { body: { environment: 'local', instance: 'local_1' } }, url: '/api/fabric/kill-instance', response: fabricState },
  fabricLoad: { url: '/api/fabric/load', response: loadState },
  fabricLoadStart: { args: { body: { environment: 'local', path: '/', concurrency: 4, rate: 0, durationSec: 10 } }, url: '/api/fabric/load', response: loadState },
  fabricLoadStop: { url: '/api/fabric/load/stop', response: loadState },
  storageConnection: { url: '/api/storage/connection', response: storageConnection },
  storageConnect: { args: { body: { connectionString: null } }, url: '/api/storage/connection', response: storageConnection },
  storageTables: { args: { query: { prefix: 'ta', top: 10 } }, url: '/api/storage/tables?prefix=ta&top=10', response: { tables: ['tasks'], continuation: null } },
  storageCreateTable: { args: { body: { name: 'tasks' } }, url: '/api/storage/tables', response: ok },
  storageDeleteTable: { args: { params: { table: 'tasks' } }, url: '/api/storage/tables/tasks', response: ok },
  storageEntities: { args: { params: { table: 'tasks' }, query: { filter: "PartitionKey eq 'a'", top: 2 } }, url: '/api/storage/tables/tasks/entities?filter=PartitionKey+eq+%27a%27&top=2', response: { entities: [storageEntity], continuation: 'next' } },
  storageEntity: { args: { params: { table: 'tasks' }, query: { partitionKey: 'a', rowKey: '1' } }, url: '/api/storage/tables/tasks/entity?partitionKey=a&rowKey=1', response: storageEntity },
  storageWriteEntity: { args: { params: { table: 'tasks' }, body: { entity: storageEntity, mode: 'merge', etag: 'W/"x"' } }, url: '/api/storage/tables/tasks/entity', response: { etag: 'W/"y"' } },
  storageDeleteEntity: { args: { params: { table: 'tasks' }, body: { partitionKey: 'a', rowKey: '1', etag: 'W/"x"' } }, url: '/api/storage/tables/tasks/entity/delete', response: ok },
  storageQueues: { url: '/api/storage/queues', response: { queues: [{ name: 'jobs', approximateMessagesCount: 3 }], continuation: null } },
  storageCreateQueue: { args: { body: { name: 'jobs' } }, url: '/api/storage/queues', response: ok },
  storageDeleteQueue: { args: { params: { queue: 'jobs' } }, url: '/api/storage/queues/jobs', response: ok },
  storagePeek: { args: { params: { queue: 'jobs' }, query: { count: 32 } }, url: '/api/storage/queues/jobs/messages?count=32', response: { messages: [storageMessage] } },
  storageSend: { args: { params: { queue: 'jobs' }, body: { text: 'hi', ttlSeconds: 60, visibilitySeconds: 0 } }, url: '/api/storage/queues/jobs/messages', response: storageMessage },
  storageDequeue: { args: { params: { queue: 'jobs' }, body: { count: 1 } }, url: '/api/storage/queues/jobs/dequeue', response: { messages: [storageMessage] } },
  storageClear: { args: { params: { queue: 'jobs' } }, url: '/api/storage/queues/jobs/messages', response: ok },
  servicebusConnection: { url: '/api/servicebus/connection', response: sbConnection },
  servicebusConnect: { args: { body: { connectionString: null } }, url: '/api/servicebus/connection', response: sbConnection },
  servicebusEntities: { url: '/api/servicebus/entities', response: { queues: [{ name: 'q', path: 'q', requiresSession: false, maxDeliveryCount: 10, counts: sbCounts }], topics: [{ name: 't', scheduled: 0, subscriptions: [{ name: 's', path: 't/Subscriptions/s', requiresSession: false, counts: sbCounts }] }], time: '2024-01-01T00:00:00.000Z' } },
  servicebusCreateQueue: { args: { body: { name: 'q' } }, url: '/api/servicebus/queues', response: ok },
  servicebusDeleteQueue: { args: { params: { queue: 'a/b' } }, url: '/api/servicebus/queues/a%2Fb', response: ok },
  servicebusCreateTopic: { args: { body: { name: 't' } }, url: '/api/servicebus/topics', response: ok },
  servicebusDeleteTopic: { args: { params: { topic: 't' } }, url: '/api/servicebus/topics/t', response: ok },
  servicebusCreateSubscription: { args: { params: { topic: 't' }, body: { name: 's' } }, url: '/api/servicebus/topics/t/subscriptions', response: ok },
  servicebusDeleteSubscription: { args: { params: { topic: 't', subscription: 's' } }, url: '/api/servicebus/topics/t/subscriptions/s', response: ok },
  servicebusRules: { args: { params: { topic: 't', subscription: 's' } }, url: '/api/servicebus/topics/t/subscriptions/s/rules', response: { rules: [{ name: '$Default', filter: { type: 'true' }, action: null }] } },
  servicebusCreateRule: { args: { params: { topic: 't', subscription: 's' }, body: { name: 'r', filter: { type: 'sql', expression: 'n > 1' } } }, url: '/api/servicebus/topics/t/subscriptions/s/rules', response: ok },
  servicebusUpdateRule: { args: { params: { topic: 't', subscription: 's', rule: 'r' }, body: { filter: { type: 'sql', expression: 'n > 2' }, action: "SET sys.label = 'x'" } }, url: '/api/servicebus/topics/t/subscriptions/s/rules/r', response: ok },
  servicebusDeleteRule: { args: { params: { topic: 't', subscription: 's', rule: 'r' } }, url: '/api/servicebus/topics/t/subscriptions/s/rules/r', response: ok },
  servicebusPeek: { args: { query: { entity: 't/Subscriptions/s', count: 5 } }, url: '/api/servicebus/messages?entity=t%2FSubscriptions%2Fs&count=5', response: { messages: [sbMessage] } },
  servicebusSend: { args: { body: { entity: 't', body: 'hi', applicationProperties: { n: 1 } } }, url: '/api/servicebus/messages', response: { sent: true, scheduledSequenceNumber: null } },
  servicebusReceive: { args: { body: { entity: 'q', mode: 'receiveAndDelete' } }, url: '/api/servicebus/receive', response: { messages: [sbMessage] } },
  servicebusDeadLetters: { args: { body: { entity: 'q', action: 'resubmit' } }, url: '/api/servicebus/dead-letters', response: { count: 1, sentTo: 'q' } },
  servicebusPurge: { args: { body: { entity: 'q' } }, url: '/api/servicebus/purge', response: { purged: 3 } },
};

/** Calls a route by name with untyped arguments (the typed surface is checked by this folder's tsconfig). */
function callRoute(api: ReturnType<typeof createApi>, name: RouteName, args?: unknown): Promise<unknown> {
  return (api[name] as (args?: unknown) => Promise<unknown>)(args);
}

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof ApiError>> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as InstanceType<typeof ApiError>;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('createApi routes', () => {
  it('has a case for every route, and a method for every route', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(ROUTES).sort());
    const api = createApi('t', fakeFetch(() => json(ok)));
    for (const name of Object.keys(ROUTES)) expect(typeof api[name as RouteName], name).toBe('function');
  });

  it.each(Object.entries(CASES) as Array<[RouteName, RouteCase]>)('%s: method, path, query and body as the protocol says', async (name, c) => {
    const fetch = fakeFetch(() => json(c.response));
    const result = await callRoute(createApi('tok', fetch), name, c.args);
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init = {}] = fetch.mock.calls[0] as FetchArgs;
    expect(url).toBe(c.url);
    expect(init.method).toBe(ROUTES[name].method);
    const headers = new Headers(init.headers);
    expect(headers.get('authorization')).toBe('Bearer tok');
    expect(headers.get('accept')).toBe('application/json');
    if (c.args?.body !== undefined) {
      expect(JSON.parse(String(init.body))).toEqual(c.args.body);
      expect(headers.get('content-type')).toBe('application/json');
    } else {
      expect(init.body).toBeUndefined();
      expect(headers.get('content-type')).toBeNull();
    }
    expect(init).toMatchObject({ credentials: 'omit', cache: 'no-store' });
    expect(result).toEqual(c.response);
  });

  it('may be called without arguments when the route needs none', async () => {
    const fetch = fakeFetch(() => json({ records: [] }));
    await createApi('t', fetch).logs();
    expect(fetch.mock.calls[0]?.[0]).toBe('/api/logs');
  });

  it('passes the abort signal to fetch', async () => {
    const fetch = fakeFetch(() => json(topology));
    const ctrl = new AbortController();
    await createApi('t', fetch).state({ signal: ctrl.signal });
    expect((fetch.mock.calls[0] as FetchArgs)[1]?.signal).toBe(ctrl.signal);
  });

  it('uses the global fetch by default, called on globalThis (a detached window.fetch throws Illegal invocation)', async () => {
    const fetch = vi.fn(function (this: unknown) {
      if (this !== globalThis) throw new TypeError('Illegal invocation');
      return Promise.resolve(json(topology));
    });
    vi.stubGlobal('fetch', fetch);
    await expect(createApi('t').state()).resolves.toEqual(topology);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe('createApi validation before sending', () => {
  it('refuses a body outside the protocol without sending it', async () => {
    const fetch = fakeFetch(() => json(ok));
    const err = await rejection(callRoute(createApi('t', fetch), 'setWorkerCount', { params: { instance: 'site' }, body: { count: 0 } }));
    expect(err.info.code).toBe('CB_ERR_CONTROL_BAD_REQUEST');
    expect(err.message).toContain('setWorkerCount body');
    expect(err.message).toContain('count');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('refuses a query outside the protocol without sending it', async () => {
    const fetch = fakeFetch(() => json({ records: [] }));
    const err = await rejection(callRoute(createApi('t', fetch), 'logs', { query: { stream: 'stdwhat', limit: 0 } }));
    expect(err.info.code).toBe('CB_ERR_CONTROL_BAD_REQUEST');
    expect(err.message).toContain('logs query');
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('createApi failures', () => {
  const info = { code: 'CB_ERR_PROJECT_NOT_FOUND', status: 404, message: 'No project at /x.', fix: 'Pick a folder that exists.', params: { path: '/x' } };

  it('turns an error body into an ApiError carrying code, message and fix', async () => {
    const err = await rejection(createApi('t', fakeFetch(() => json({ error: info }, 404, 'Not Found'))).openProject({ body: { folder: '/x' } }));
    expect(err.info).toEqual(info);
    expect(err.status).toBe(404);
    expect(err.message).toBe(info.message);
    expect(err.name).toBe('ApiError');
    expect(err).toBeInstanceOf(Error);
    expect(errorInfo(err)).toBe(err.info);
  });

  it('keeps the 401 of a wrong token visible as the status (the page then asks for the URL again)', async () => {
    const unauthorized = { code: 'CB_ERR_CONTROL_UNAUTHORIZED', status: 401, message: 'Unauthorized.', fix: 'Open the URL.', params: {} };
    const err = await rejection(createApi('bad', fakeFetch(() => json({ error: unauthorized }, 401, 'Unauthorized'))).state());
    expect(err.status).toBe(401);
  });

  it('reports an error status without a protocol error body as a bad response, with the HTTP status', async () => {
    for (const res of [
      () => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
      () => json({ message: 'not our shape' }, 500, 'Internal Server Error'),
      () => new Response(null, { status: 503, statusText: 'Service Unavailable' }),
    ]) {
      const err = await rejection(createApi('t', fakeFetch(res)).recycle({ params: { instance: 'site' } }));
      expect(err.info.code).toBe('CB_ERR_UI_BAD_RESPONSE');
      expect(err.status).toBe(res().status);
      expect(err.message).toContain('POST /api/instances/site/recycle');
      expect(err.message).toContain(String(res().status));
    }
  });

  it('reports a successful answer that is not JSON as a bad response', async () => {
    const err = await rejection(createApi('t', fakeFetch(() => new Response('<!doctype html>', { status: 200 }))).state());
    expect(err.info.code).toBe('CB_ERR_UI_BAD_RESPONSE');
    expect(err.message).toContain('GET /api/state');
    expect(err.message).toContain('not JSON');
  });

  it('reports JSON outside the protocol as a bad response naming the field', async () => {
    const err = await rejection(createApi('t', fakeFetch(() => json({ ...topology, cores: 'two' }))).state());
    expect(err.info.code).toBe('CB_ERR_UI_BAD_RESPONSE');
    expect(err.message).toContain('outside the protocol');
    expect(err.message).toContain('at cores');
  });

  it('reports a runtime that cannot be reached, with status 0 (no HTTP answer)', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const err = await rejection(createApi('t', fetch).state());
    expect(err.info.code).toBe('CB_ERR_UI_UNREACHABLE');
    expect(err.status).toBe(0);
    expect(err.message).toContain('GET /api/state');
    expect(err.message).toContain('Failed to fetch');
  });

  it('lets an abort through as the AbortError, so views can tell it from a failure', async () => {
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    const fetch = vi.fn(async () => {
      throw abort;
    });
    await expect(createApi('t', fetch).state()).rejects.toBe(abort);
  });

  it('lets an abort while the answer is being read through as the AbortError too, not as "not JSON"', async () => {
    // Fetch spec: aborting after the headers arrived errors the body, so res.json() rejects with AbortError.
    const abort = new DOMException('The operation was aborted.', 'AbortError');
    const res = json(topology);
    vi.spyOn(res, 'json').mockRejectedValue(abort);
    await expect(createApi('t', fakeFetch(() => res)).state()).rejects.toBe(abort);
  });

  it('shows the catalogue fix for its client-side codes, not a second wording of it', async () => {
    const unreachable = await rejection(createApi('t', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))).state());
    const badResponse = await rejection(createApi('t', fakeFetch(() => new Response('x', { status: 200 }))).state());
    const unexpected = errorInfo(new Error('x'));
    const shown = Object.fromEntries([unreachable.info, badResponse.info, unexpected].map((i) => [i.code, i.fix]));
    const catalogue = Object.fromEntries(Object.keys(shown).map((code) => [code, ERRORS[code as keyof typeof ERRORS].fix]));
    expect(shown).toEqual(catalogue);
  });
});

describe('exportLogs', () => {
  it('downloads the plain-text export of a query', async () => {
    const fetch = fakeFetch(() => new Response('line 1\nline 2', { status: 200, headers: { 'Content-Type': 'text/plain' } }));
    const ctrl = new AbortController();
    const blob = await createApi('tok', fetch).exportLogs({ worker: 'w 1', stream: 'stderr', text: '' }, ctrl.signal);
    expect(await blob.text()).toBe('line 1\nline 2');
    const [url, init = {}] = fetch.mock.calls[0] as FetchArgs;
    expect(url).toBe('/api/logs/export?worker=w+1&stream=stderr');
    expect(init.method).toBe('GET');
    expect(init.signal).toBe(ctrl.signal);
    const headers = new Headers(init.headers);
    expect(headers.get('authorization')).toBe('Bearer tok');
    expect(headers.get('accept')).toBe('text/plain');
  });

  it('turns an error body into an ApiError', async () => {
    const info = { code: 'CB_ERR_CONTROL_BAD_REQUEST', status: 400, message: 'Invalid query.', fix: 'Fix it.', params: {} };
    const err = await rejection(createApi('t', fakeFetch(() => json({ error: info }, 400))).exportLogs({}));
    expect(err.info).toEqual(info);
  });
});

describe('errorInfo', () => {
  it('wraps anything else thrown as CB_ERR_UI_UNEXPECTED with its message', () => {
    expect(errorInfo(new Error('kaboom'))).toMatchObject({ code: 'CB_ERR_UI_UNEXPECTED', status: 0, message: 'kaboom', params: {} });
    expect(errorInfo('plain string')).toMatchObject({ code: 'CB_ERR_UI_UNEXPECTED', message: 'plain string' });
    expect(errorInfo(undefined)).toMatchObject({ code: 'CB_ERR_UI_UNEXPECTED', message: 'undefined' });
  });
});
