// The control API of a real `cloudbench serve`: who may call it (token, Host, Origin), what it rejects, and
// what it does: state, worker commands, logs, requests, projects, terminals, and the live stream.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServerFrameSchema, STREAM_PROTOCOL, TOKEN_PROTOCOL_PREFIX, TopologySchema } from '../../../runtime/shared/protocol.js';
import type { ServerMessage } from '../../../runtime/shared/protocol.js';
import { copyFixture, get, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';
import { ControlClient } from '../../helpers/control.js';

let app: Served;
let base: string;
let token: string;
let control: ControlClient;

beforeAll(async () => {
  app = await serve(copyFixture('apps/echo'), ['--workers', '2'], { CLOUDBENCH_HOME: mkdtempSync(path.join(os.tmpdir(), 'cb-home-')) });
  control = new ControlClient(app.workbenchUrl);
  base = control.base;
  token = control.token;
});
afterAll(async () => {
  await app?.stop();
});

const call = (...args: Parameters<ControlClient['call']>) => control.call(...args);

function stream(options: { token?: string | null; origin?: string } = {}): Promise<{ ws: WebSocket; messages: ServerMessage[]; next(pred: (m: ServerMessage) => boolean, what: string): Promise<ServerMessage> }> {
  const protocols = [STREAM_PROTOCOL, ...(options.token === null ? [] : [TOKEN_PROTOCOL_PREFIX + (options.token ?? token)])];
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/stream`, protocols, options.origin ? { origin: options.origin } : {});
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => {
    const frame = ServerFrameSchema.parse(JSON.parse(data.toString()));
    messages.push(...frame.messages);
  });
  return new Promise((resolve, reject) => {
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        next: (pred, what) => waitFor(() => messages.find(pred), 10_000, what),
      }),
    );
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('who may use the control API', () => {
  it('refuses a request without the token, or with a wrong one, with 401', async () => {
    const none = await call('GET', '/api/state', { auth: false });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('CB_ERR_CONTROL_UNAUTHORIZED');
    expect(none.json.error.message).toContain('no token was sent');
    const wrong = await call('GET', '/api/state', { auth: false, headers: { authorization: `Bearer ${token}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toContain('the token is wrong');
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign or opaque Origin (CSRF) with 403, even with the token', async () => {
    const port = new URL(base).port;
    const host = await call('GET', '/api/state', { headers: { host: `attacker.example:${port}` } });
    expect(host.status).toBe(403);
    expect(host.json.error.code).toBe('CB_ERR_CONTROL_FORBIDDEN');
    const origin = await call('POST', '/api/instances/local/recycle', { headers: { origin: 'http://evil.example' } });
    expect(origin.status).toBe(403);
    expect(origin.json.error.message).toContain('http://evil.example');
    expect((await call('GET', '/api/state', { headers: { origin: 'null' } })).status).toBe(403);
    // The page's own origin is fine; so is localhost.
    expect((await call('GET', '/api/state', { headers: { origin: base } })).status).toBe(200);
    expect((await call('GET', '/api/state', { headers: { host: `localhost:${port}`, origin: `http://localhost:${port}` } })).status).toBe(200);
  });

  it('checks the WebSocket token and origin before the handshake', async () => {
    await expect(stream({ token: null })).rejects.toThrow('HTTP 401');
    await expect(stream({ token: 'wrong' })).rejects.toThrow('HTTP 401');
    await expect(stream({ origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    const s = await stream();
    expect(s.ws.protocol).toBe(STREAM_PROTOCOL);
    await s.next((m) => m.type === 'hello', 'hello');
    s.ws.close();
  });

  it('listens on 127.0.0.1 only', () => {
    expect(new URL(app.workbenchUrl).hostname).toBe('127.0.0.1');
  });
});

describe('bad requests get clear errors', () => {
  it('names the field that is wrong', async () => {
    const r = await call('POST', '/api/instances/local/workers', { body: { count: 'three' } });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('CB_ERR_CONTROL_BAD_REQUEST');
    expect(r.json.error.message).toMatch(/^Invalid request body: count: /);
    const big = await call('POST', '/api/instances/local/workers', { body: { count: 1000 } });
    expect(big.status).toBe(400);
    const notJson = await call('POST', '/api/project/open', { rawBody: '{"folder": ' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toContain('it is not JSON');
  });

  it('answers 404 for unknown paths and instances, 405 for a wrong method', async () => {
    expect((await call('GET', '/api/nope')).status).toBe(404);
    const inst = await call('POST', '/api/instances/nope/recycle');
    expect(inst.status).toBe(404);
    expect(inst.json.error.message).toBe('No instance "nope".');
    const worker = await call('POST', '/api/workers/999999/kill');
    expect(worker.status).toBe(404);
    const method = await call('DELETE', '/api/state');
    expect(method.status).toBe(405);
    expect(method.json.error.message).toBe('DELETE is not allowed on /api/state; use GET.');
  });

  it('answers malformed stream messages with an error message and keeps the socket', async () => {
    const s = await stream();
    s.ws.send('not json');
    const e1 = await s.next((m) => m.type === 'error', 'an error for non-JSON');
    expect(e1.type === 'error' && e1.error.message).toContain('it is not JSON');
    s.ws.send(JSON.stringify({ type: 'subscribe', topics: ['nonsense'] }));
    await waitFor(() => s.messages.filter((m) => m.type === 'error').length === 2, 5000, 'a second error');
    s.ws.send(JSON.stringify({ type: 'subscribe', topics: ['topology'] }));
    await s.next((m) => m.type === 'topology', 'topology after the errors');
    s.ws.close();
  });

  it('never serves a file outside the UI folder', async () => {
    for (const p of ['/%2e%2e/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json']) {
      const r = await call('GET', p);
      expect(r.status, p).toBe(404);
      expect(r.text).not.toContain('"name": "cloudbench"');
    }
  });
});

describe('commands and queries', () => {
  it('describes the project, its instance and its workers', async () => {
    const r = await call('GET', '/api/state');
    expect(r.status).toBe(200);
    const topology = TopologySchema.parse(r.json);
    expect(topology.project?.url).toBe(`${app.url}/`);
    expect(topology.project?.instances[0]?.workers).toHaveLength(2);
    expect(topology.cores).toBeGreaterThan(0);
  });

  it('kills a worker, changes the count and recycles', async () => {
    const before = TopologySchema.parse((await call('GET', '/api/state')).json).project!.instances[0]!;
    const victim = before.workers[0]!;
    expect((await call('POST', `/api/workers/${victim.id}/kill`)).json).toEqual({ ok: true });
    await waitFor(async () => {
      const w = TopologySchema.parse((await call('GET', '/api/state')).json).project!.instances[0]!.workers;
      return w.filter((x) => x.state === 'ready' && x.pid !== victim.pid).length === 2;
    }, 10_000, 'a replacement worker');
    expect((await call('POST', '/api/instances/local/workers', { body: { count: 3 } })).status).toBe(200);
    await waitFor(async () => TopologySchema.parse((await call('GET', '/api/state')).json).project!.instances[0]!.workers.filter((w) => w.state === 'ready').length === 3, 10_000, '3 workers');
    const gen = TopologySchema.parse((await call('GET', '/api/state')).json).project!.instances[0]!.generation;
    expect((await call('POST', '/api/instances/local/recycle')).status).toBe(200);
    await waitFor(async () => TopologySchema.parse((await call('GET', '/api/state')).json).project!.instances[0]!.generation === gen + 1, 10_000, 'the next generation');
    await call('POST', '/api/instances/local/workers', { body: { count: 2 } });
  });

  it('queries logs and requests, and exports logs as text', async () => {
    await get(`${app.url}/stderr?msg=control-api-marker`);
    await waitFor(async () => (await call('GET', '/api/logs?text=control-api-marker')).json.records.length === 1, 5000, 'the log record');
    const logs = (await call('GET', '/api/logs?stream=stderr&text=CONTROL-API')).json.records;
    expect(logs[0]).toMatchObject({ stream: 'stderr', text: 'control-api-marker', instance: 'local' });
    const requests = (await call('GET', '/api/requests?text=control-api-marker')).json.records;
    expect(requests[0]).toMatchObject({ method: 'GET', status: 200, url: '/stderr?msg=control-api-marker' });
    expect(requests[0].requestHeaders).toContain('Host');
    const exported = await call('GET', '/api/logs/export?text=control-api-marker');
    expect(exported.headers['content-disposition']).toContain('attachment');
    expect(exported.text).toMatch(/Z local \d+:\d+ stderr control-api-marker\n$/);
    expect((await call('GET', '/api/logs?limit=0')).status).toBe(400);
  });

  it('streams topology, requests, logs and events live, batched', async () => {
    const s = await stream();
    s.ws.send(JSON.stringify({ type: 'subscribe', topics: ['topology', 'requests', 'logs', 'events', 'metrics'] }));
    await s.next((m) => m.type === 'topology', 'topology');
    await s.next((m) => m.type === 'metrics', 'metrics');
    for (let i = 0; i < 20; i++) await get(`${app.url}/stdout?n=1`);
    await s.next((m) => m.type === 'requests' && m.records.some((r) => r.url === '/stdout?n=1'), 'request records');
    await s.next((m) => m.type === 'logs' && m.records.some((r) => r.text.startsWith('line 0 from')), 'log records');
    // Twenty requests arrive in far fewer messages than twenty.
    const requestMessages = s.messages.filter((m) => m.type === 'requests').length;
    expect(requestMessages).toBeLessThan(20);
    await call('POST', '/api/instances/local/recycle');
    await s.next((m) => m.type === 'event' && m.event.kind === 'recycling', 'the recycling event');
    s.ws.close();
  });

  it('opens a terminal in the project folder with the workers\' environment, and streams it', async () => {
    const opened = await call('POST', '/api/terminals', { body: { cols: 80, rows: 24 } });
    expect(opened.status).toBe(200);
    const id = opened.json.id as string;
    const s = await stream();
    s.ws.send(JSON.stringify({ type: 'terminal.attach', id }));
    s.ws.send(JSON.stringify({ type: 'terminal.input', id, data: 'echo "answer=$((6*7)) $CLOUDBENCH_INSTANCE"; pwd\r' }));
    const out = () => s.messages.filter((m) => m.type === 'terminal.output' && m.id === id).map((m) => (m.type === 'terminal.output' ? m.data : '')).join('');
    await waitFor(() => out().includes('answer=42 local'), 10_000, 'the terminal output');
    expect(out()).toContain(TopologySchema.parse((await call('GET', '/api/state')).json).project!.folder);
    expect((await call('GET', '/api/terminals')).json.terminals.map((t: { id: string }) => t.id)).toContain(id);
    // A second page re-attaches and gets the scrollback first.
    const again = await stream();
    again.ws.send(JSON.stringify({ type: 'terminal.attach', id }));
    const first = await again.next((m) => m.type === 'terminal.output', 'scrollback');
    expect(first.type === 'terminal.output' && first.data).toContain('answer=42');
    expect((await call('DELETE', `/api/terminals/${id}`)).json).toEqual({ ok: true });
    expect((await call('POST', `/api/terminals/${id}/resize`, { body: { cols: 100, rows: 30 } })).status).toBe(404);
    s.ws.close();
    again.ws.close();
  });
});

describe('projects', () => {
  it('reports a malformed web.config with file, line and column, then opens a good folder again', async () => {
    const bad = mkdtempSync(path.join(os.tmpdir(), 'cb-bad-'));
    writeFileSync(path.join(bad, 'server.js'), 'require("http").createServer((q, s) => s.end("x")).listen(process.env.PORT);\n');
    writeFileSync(path.join(bad, 'web.config'), '<configuration>\n  <system.webServer>\n    <iisnode nodeProcessCountPerApplication="x"/>\n</configuration>\n');
    const r = await call('POST', '/api/project/open', { body: { folder: bad } });
    expect(r.status).toBe(500);
    expect(r.json.error.code).toBe('CB_ERR_CONFIG_XML');
    expect(r.json.error.message).toMatch(new RegExp(`^${path.join(bad, 'web.config').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
    const topology = TopologySchema.parse((await call('GET', '/api/state')).json);
    expect(topology.project).toBeNull();
    expect(topology.projectError?.code).toBe('CB_ERR_CONFIG_XML');
    const good = copyFixture('apps/echo');
    const opened = TopologySchema.parse((await call('POST', '/api/project/open', { body: { folder: good } })).json);
    expect(opened.project?.folder).toBe(good);
    expect(opened.projectError).toBeNull();
    const recent = (await call('GET', '/api/recent')).json.recent.map((e: { folder: string }) => e.folder);
    expect(recent[0]).toBe(good);
    await waitFor(async () => (await get(`${opened.project!.url}pid`)).status === 200, 10_000, 'the reopened app');
  });
});
