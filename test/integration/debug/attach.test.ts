// Attach to a running worker over the real inspector, through the control API's CDP proxy: breakpoints hit
// by real requests, variables, conditions, stepping; a paused worker out of rotation while the other serves;
// attach and detach twice; and what is refused.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdpConnection } from '../../../runtime/debug/cdp-connection.js';
import { copyFixture, get, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';
import { control, debuggerSession, evaluate, pausedLine, workers } from './debug-helpers.js';
import type { Control } from './debug-helpers.js';

let app: Served;
let c: Control;

beforeAll(async () => {
  app = await serve(copyFixture('apps/debuggee'), ['--workers', '2']);
  c = control(app);
}, 30_000);
afterAll(async () => {
  await app?.stop();
});

const BREAK_LINE = 13; // 0-based: `const count = hits;`, line 14 of server.js

describe('attach', () => {
  it('stops a real request at a breakpoint by file and line, reads a variable, steps, and resumes', async () => {
    const [w] = await workers(c);
    const target = (await c.call('POST', `/api/debug/workers/${w!.id}/attach`)).body;
    expect(target).toMatchObject({ worker: w!.id, pid: w!.pid, mode: 'attach', paused: false });
    expect(target.inspectorUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    const cdp = await debuggerSession(c, target.proxyPath);
    const bp = await cdp.send('Debugger.setBreakpointByUrl', { urlRegex: 'server\\.js$', lineNumber: BREAK_LINE });
    expect((bp.locations as unknown[]).length).toBe(1);

    // Requests alternate between the workers; keep asking until one stops in the attached worker.
    const paused = cdp.next('Debugger.paused', 15_000);
    const replies: Array<Promise<{ text: string }>> = [];
    let stopped: Record<string, unknown> | undefined;
    paused.then((p) => (stopped = p), () => undefined);
    for (let i = 0; i < 4 && !stopped; i++) {
      replies.push(get(`${app.url}/`));
      await new Promise((r) => setTimeout(r, 150));
    }
    const p = await paused;
    expect(pausedLine(p)).toBe(BREAK_LINE);
    expect(p.hitBreakpoints).toEqual([bp.breakpointId]);
    const hits = await evaluate(cdp, p, 'hits');
    expect(typeof hits).toBe('number');
    expect((await c.call('GET', '/api/debug/targets')).body.targets[0]).toMatchObject({ worker: w!.id, paused: true });

    // Step over: the next line; step into: the helper function.
    const afterOver = cdp.next('Debugger.paused');
    await cdp.send('Debugger.stepOver');
    expect(pausedLine(await afterOver)).toBe(BREAK_LINE + 1);
    const afterInto = cdp.next('Debugger.paused');
    await cdp.send('Debugger.stepInto');
    const inside = await afterInto;
    expect(pausedLine(inside)).toBe(7);
    expect(await evaluate(cdp, inside, 'count')).toBe(hits);
    const afterOut = cdp.next('Debugger.paused');
    await cdp.send('Debugger.stepOut');
    // Back in the request handler, after the call.
    const out = await afterOut;
    expect(pausedLine(out)).toBeGreaterThanOrEqual(BREAK_LINE + 1);
    expect(await evaluate(cdp, out, 'typeof req')).toBe('object');

    await cdp.send('Debugger.removeBreakpoint', { breakpointId: bp.breakpointId });
    await cdp.send('Debugger.resume');
    const bodies = (await Promise.all(replies)).map((r) => r.text);
    expect(bodies).toContain(`hits=${hits} pid=${w!.pid}`);
    cdp.close();
    await c.call('POST', `/api/debug/workers/${w!.id}/detach`);
  });

  it('stops only when a conditional breakpoint holds', async () => {
    const [w] = await workers(c);
    const target = (await c.call('POST', `/api/debug/workers/${w!.id}/attach`)).body;
    const cdp = await debuggerSession(c, target.proxyPath);
    const paused = cdp.next('Debugger.paused', 15_000);
    let stopped = false;
    paused.then(() => (stopped = true), () => undefined);
    // The condition is evaluated in the paused frame (here on the request's URL).
    const marker = Date.now();
    await cdp.send('Debugger.setBreakpointByUrl', { urlRegex: 'server\\.js$', lineNumber: BREAK_LINE + 1, condition: `req.url === '/stop-${marker}'` });
    // Other URLs pass through without stopping.
    for (let i = 0; i < 4; i++) expect((await get(`${app.url}/go`)).status).toBe(200);
    expect(stopped).toBe(false);
    const replies: Array<Promise<{ text: string }>> = [];
    for (let i = 0; i < 4 && !stopped; i++) {
      replies.push(get(`${app.url}/stop-${marker}`));
      await new Promise((r) => setTimeout(r, 150));
    }
    const p = await paused;
    expect(await evaluate(cdp, p, 'req.url')).toBe(`/stop-${marker}`);
    await cdp.send('Debugger.resume');
    for (const r of await Promise.all(replies)) expect(r.text).toMatch(/^hits=\d+ pid=\d+$/);
    cdp.close();
    await c.call('POST', `/api/debug/workers/${w!.id}/detach`);
  });

  it('routes no new request to a paused worker while the other one serves, then takes it back', async () => {
    const [a, b] = await workers(c);
    const target = (await c.call('POST', `/api/debug/workers/${a!.id}/attach`)).body;
    const cdp = await debuggerSession(c, target.proxyPath);
    const bp = await cdp.send('Debugger.setBreakpointByUrl', { urlRegex: 'server\\.js$', lineNumber: BREAK_LINE });
    const paused = cdp.next('Debugger.paused', 15_000);
    let stopped = false;
    paused.then(() => (stopped = true), () => undefined);
    const held: Array<Promise<{ text: string }>> = [];
    for (let i = 0; i < 4 && !stopped; i++) {
      held.push(get(`${app.url}/`));
      await new Promise((r) => setTimeout(r, 150));
    }
    await paused;
    await cdp.send('Debugger.removeBreakpoint', { breakpointId: bp.breakpointId });
    // Paused: the state says so, and ten requests all go to the other worker.
    const view = await workers(c);
    expect(view.find((x) => x.id === a!.id)).toBeDefined();
    expect((await c.call('GET', '/api/debug/targets')).body.targets.find((t: any) => t.worker === a!.id).paused).toBe(true);
    const during = await Promise.all(Array.from({ length: 10 }, () => get(`${app.url}/`)));
    for (const r of during) {
      expect(r.status).toBe(200);
      expect(r.text).toMatch(new RegExp(`pid=${b!.pid}$`));
    }
    await cdp.send('Debugger.resume');
    await Promise.all(held);
    // Resumed (the workbench hears it on its own session, a moment later): both workers answer again.
    await expect.poll(async () => (await c.call('GET', '/api/debug/targets')).body.targets.find((t: any) => t.worker === a!.id).paused).toBe(false);
    const after = await Promise.all(Array.from({ length: 6 }, () => get(`${app.url}/`)));
    const pids = new Set(after.map((r) => /pid=(\d+)/.exec(r.text)?.[1]));
    expect(pids).toEqual(new Set([String(a!.pid), String(b!.pid)]));
    cdp.close();
    await c.call('POST', `/api/debug/workers/${a!.id}/detach`);
  });

  it('attaches and detaches twice on the same worker; a detached key is refused', async () => {
    const [w] = await workers(c);
    const keys: string[] = [];
    for (let round = 0; round < 2; round++) {
      const attached = await c.call('POST', `/api/debug/workers/${w!.id}/attach`);
      expect(attached.status, `${JSON.stringify(attached.body)}\n${app.output().slice(-2000)}`).toBe(200);
      const target = attached.body;
      keys.push(target.proxyPath);
      const cdp = await debuggerSession(c, target.proxyPath);
      const r = await cdp.send('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
      expect((r.result as { value: number }).value).toBe(w!.pid);
      expect((await c.call('POST', `/api/debug/workers/${w!.id}/detach`)).status).toBe(200);
      if (!cdp.closed) await new Promise<void>((res) => cdp.once('close', () => res()));
      // The inspector port is closed again.
      await expect(connect(target.port)).rejects.toThrow();
      await expect(CdpConnection.connect(`ws://${new URL(c.origin).host}${target.proxyPath}`)).rejects.toThrow(/403/);
    }
    expect(keys[0]).not.toBe(keys[1]);
    // Still the same process, still serving.
    expect((await workers(c)).find((x) => x.id === w!.id)?.pid).toBe(w!.pid);
    expect((await get(`${app.url}/`)).status).toBe(200);
    expect((await c.call('POST', `/api/debug/workers/${w!.id}/detach`)).body.error.code).toBe('CB_ERR_DEBUG_NOT_ATTACHED');
  });
});

describe('security', () => {
  it('opens inspector ports on the loopback interface only', async () => {
    const [w] = await workers(c);
    const target = (await c.call('POST', `/api/debug/workers/${w!.id}/attach`)).body;
    const listening = readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f[3] === '0A');
    const mine = listening.filter((f) => Number.parseInt((f[1] as string).split(':')[1] as string, 16) === target.port);
    expect(mine.length).toBe(1);
    expect((mine[0] as string[])[1]).toBe(`0100007F:${target.port.toString(16).toUpperCase().padStart(4, '0')}`);
    const external = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) await expect(connect(target.port, external.address)).rejects.toThrow();
    await c.call('POST', `/api/debug/workers/${w!.id}/detach`);
  });

  it('refuses the target list and the proxy without the token or key', async () => {
    const [w] = await workers(c);
    const target = (await c.call('POST', `/api/debug/workers/${w!.id}/attach`)).body;
    for (const path of ['/api/debug/targets', '/api/debug/json/list', '/api/debug/json/version']) {
      expect((await c.call('GET', path, { token: null })).status).toBe(401);
      expect((await c.call('GET', path, { token: 'wrong' })).status).toBe(401);
    }
    expect((await c.call('POST', `/api/debug/workers/${w!.id}/attach`, { token: null })).status).toBe(401);
    const host = new URL(c.origin).host;
    const wrongKey = target.proxyPath.replace(/[^/]+$/, 'A'.repeat(32));
    await expect(CdpConnection.connect(`ws://${host}${wrongKey}`)).rejects.toThrow(/403/);
    await expect(CdpConnection.connect(`ws://${host}/api/debug/cdp/${w!.id}`)).rejects.toThrow(/403/);
    await expect(CdpConnection.connect(`ws://${host}${target.proxyPath}`, { headers: { Origin: 'http://evil.example' } })).rejects.toThrow(/403/);
    await expect(CdpConnection.connect(`ws://${host}${target.proxyPath}`, { headers: { Host: 'evil.example' } })).rejects.toThrow(/403/);
    // With the token: a /json/list entry whose WebSocket is the proxy, usable as DevTools would use it.
    const list = (await c.call('GET', '/api/debug/json/list')).body;
    expect(list).toHaveLength(1);
    expect(list[0].webSocketDebuggerUrl).toBe(`ws://${host}${target.proxyPath}`);
    expect(list[0].devtoolsFrontendUrl).toBe(`devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=${host}${target.proxyPath}`);
    const version = (await c.call('GET', '/api/debug/json/version')).body;
    expect(version).toEqual({ Browser: `node.js/${process.version}`, 'Protocol-Version': '1.1' });
    const cdp = await CdpConnection.connect(list[0].webSocketDebuggerUrl, { headers: { Origin: 'devtools://devtools' } });
    expect(((await cdp.send('Runtime.evaluate', { expression: '1+1', returnByValue: true })).result as { value: number }).value).toBe(2);
    cdp.close();
    await c.call('POST', `/api/debug/workers/${w!.id}/detach`);
  });
});

function connect(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    s.setTimeout(1000, () => {
      s.destroy();
      reject(new Error('timeout'));
    });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}
