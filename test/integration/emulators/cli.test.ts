// The emulators as users start them: beside the app with `cloudbench serve` (in a process of their own,
// connection settings in the workers' environment, listed in the workbench) and alone with
// `cloudbench emulators`.
import { spawn } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, childPids, copyFixture, get, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

const ANY_PORTS = ['--in-memory', '--tables-port', '0', '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'];

describe('cloudbench serve with the emulators', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serve(copyFixture('apps/seed-article'), ANY_PORTS);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('prints where each emulator listens', () => {
    expect(app.output()).toMatch(/tables emulator at http:\/\/127\.0\.0\.1:\d+/);
    expect(app.output()).toMatch(/queues emulator at http:\/\/127\.0\.0\.1:\d+/);
    expect(app.output()).toMatch(/servicebus emulator at amqp:\/\/127\.0\.0\.1:\d+/);
  });

  it("runs the seed article's legacy table code unchanged: azure.createTableService() from the environment", async () => {
    expect((await get(`${app.url}/table`)).text).toBe('table ok');
  });

  it("runs the seed article's legacy Service Bus code unchanged: topic, subscription, send, receive", async () => {
    expect((await get(`${app.url}/topic`)).text).toBe('received Hello world!');
  });

  it('runs it with the azure package itself: 0.7.19 of the seed\'s era (Atom) and 0.10.6 from npm today', async () => {
    expect((await get(`${app.url}/azure-0.7/table`)).text).toBe('table ok: Pick up milk');
    expect((await get(`${app.url}/azure-0.7/topic`)).text).toBe('received Hello from 2013');
    expect((await get(`${app.url}/azure/table`)).text).toBe('table ok');
  });

  it('lists the emulators in the workbench state, and runs them in a process of their own', async () => {
    const { origin, hash } = new URL(app.workbenchUrl);
    const token = new URLSearchParams(hash.slice(1)).get('token');
    const state = await fetch(`${origin}/api/state`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<any>);
    expect(state.emulators.map((e: any) => `${e.name}:${e.state}`)).toEqual(['tables:running', 'queues:running', 'servicebus:running']);
    // The CLI's children: the emulators process and the worker.
    expect(childPids(app.proc.pid as number).length).toBeGreaterThanOrEqual(2);
  });
});

describe('cloudbench emulators', () => {
  it('refuses a busy port with the option to change, and starts nothing else', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const proc = spawn(process.execPath, [CLI, 'emulators', '--in-memory', '--tables-port', String(port), '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (out += c));
    const code = await new Promise((resolve) => proc.on('exit', resolve));
    blocker.close();
    expect(code).toBe(1);
    expect(out).toContain('CB_ERR_EMULATORS_PORT_IN_USE');
    expect(out).toContain(`127.0.0.1:${port}`);
    expect(out).toContain('--tables-port');
  });

  it('serves until Ctrl-C with the connection strings printed, and leaves nothing behind', async () => {
    const proc = spawn(process.execPath, [CLI, 'emulators', '--in-memory', '--tables-port', '0', '--queues-port', '0', '--servicebus-port', '0', '--servicebus-http-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_PATH: `${ROOT}node_modules` },
    });
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (out += c));
    await waitFor(() => out.includes('ready'), 15_000, 'the emulators to be ready');
    expect(out).toMatch(/storage connection string: DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;/);
    expect(out).toMatch(/service bus connection string: Endpoint=sb:\/\/127\.0\.0\.1:\d+/);
    const tables = /tables emulator at (http:\/\/\S+)/.exec(out)![1] as string;
    expect((await fetch(tables)).status).toBeGreaterThanOrEqual(400); // answering (an unauthenticated request is refused)
    proc.kill('SIGINT');
    expect(await new Promise((resolve) => proc.on('exit', resolve))).toBe(0);
  });

  it('--strict-api-version: the storage emulators refuse an x-ms-version Azure never released', async () => {
    const proc = spawn(process.execPath, [CLI, 'emulators', '--strict-api-version', ...ANY_PORTS], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (c) => (out += c));
    proc.stderr.on('data', (c) => (out += c));
    try {
      await waitFor(() => out.includes('ready'), 15_000, 'the emulators to be ready');
      const queues = /queues emulator at (http:\/\/\S+)/.exec(out)![1] as string;
      const refused = await fetch(`${queues}/devstoreaccount1?comp=list`, { headers: { 'x-ms-version': '2099-01-01' } });
      expect(refused.status).toBe(400);
      expect(refused.headers.get('x-ms-error-code')).toBe('InvalidHeaderValue');
      // A real version gets past the check (to authentication, which this unsigned request fails).
      const real = await fetch(`${queues}/devstoreaccount1?comp=list`, { headers: { 'x-ms-version': '2025-11-05' } });
      expect(real.headers.get('x-ms-error-code')).not.toBe('InvalidHeaderValue');
    } finally {
      proc.kill('SIGINT');
      await new Promise((resolve) => proc.on('exit', resolve));
    }
  });
});
