// Debug from start (a worker restarted with --inspect-brk stops before the app's first line) and attaching
// without the worker hook (SIGUSR1, the port read from the worker's stderr).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, get, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';
import { control, debuggerSession, evaluate, workers } from './debug-helpers.js';
import type { Control } from './debug-helpers.js';

let app: Served;
let c: Control;
let noHook: Served;
let n: Control;

beforeAll(async () => {
  [app, noHook] = await Promise.all([
    serve(copyFixture('apps/debuggee'), ['--workers', '2']),
    // Without the hook, Node opens its inspector on --inspect-port (9229 unless told): ask for any free port.
    serve(copyFixture('apps/debuggee'), ['--workers', '1', '--no-hook'], { IISNODE_NODEPROCESSCOMMANDLINE: `${process.execPath} --inspect-port=127.0.0.1:0` }),
  ]);
  c = control(app);
  n = control(noHook);
}, 30_000);
afterAll(async () => {
  await Promise.all([app?.stop(), noHook?.stop()]);
});

describe('debug from start', () => {
  it('restarts the worker stopped before its first line; the other worker serves meanwhile', async () => {
    const [w, other] = await workers(c);
    const target = (await c.call('POST', `/api/debug/workers/${w!.id}/start`)).body;
    expect(target).toMatchObject({ mode: 'start', ordinal: w!.ordinal });
    expect(target.worker).not.toBe(w!.id);
    expect(target.pid).not.toBe(w!.pid);
    expect(target.inspectorUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    // Waiting for a debugger: not ready, and requests go to the other worker.
    expect((await workers(c)).find((x) => x.id === target.worker)?.state).toBe('starting');
    for (let i = 0; i < 3; i++) expect((await get(`${app.url}/`)).text).toMatch(new RegExp(`pid=${other!.pid}$`));

    const cdp = await debuggerSession(c, target.proxyPath);
    await cdp.send('Debugger.setBreakpointByUrl', { urlRegex: 'server\\.js$', lineNumber: 13 });
    const first = cdp.next('Debugger.paused');
    await cdp.send('Runtime.runIfWaitingForDebugger');
    const p = await first;
    expect(p.reason).toBe('Break on start');
    await cdp.send('Debugger.resume');
    await waitFor(async () => (await workers(c)).find((x) => x.id === target.worker)?.state === 'ready', 10_000, 'the debugged worker to listen');

    // Its requests stop at the breakpoint set before it started.
    const stopped = cdp.next('Debugger.paused', 15_000);
    let done = false;
    stopped.then(() => (done = true), () => undefined);
    const replies: Array<Promise<{ text: string }>> = [];
    for (let i = 0; i < 4 && !done; i++) {
      replies.push(get(`${app.url}/`));
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(await evaluate(cdp, await stopped, 'process.pid')).toBe(target.pid);
    await cdp.send('Debugger.resume');
    expect((await Promise.all(replies)).some((r) => r.text.endsWith(`pid=${target.pid}`))).toBe(true);
    cdp.close();
    expect((await c.call('POST', `/api/debug/workers/${target.worker}/detach`)).status).toBe(200);
    expect((await c.call('GET', '/api/debug/targets')).body.targets).toEqual([]);
  });
});

describe('without the hook', () => {
  it('attaches with SIGUSR1 and finds the port on stderr; detach closes it', async () => {
    const [w] = await workers(n);
    const res = await n.call('POST', `/api/debug/workers/${w!.id}/attach`);
    expect(res.status).toBe(200);
    const target = res.body;
    expect(target.inspectorUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
    const cdp = await debuggerSession(n, target.proxyPath);
    const r = await cdp.send('Runtime.evaluate', { expression: 'process.pid', returnByValue: true });
    expect((r.result as { value: number }).value).toBe(w!.pid);
    expect((await n.call('POST', `/api/debug/workers/${w!.id}/detach`)).status).toBe(200);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${target.port}/json/version`).then(() => false, () => true)), 5000, 'the inspector port to close');
    expect((await get(`${noHook.url}/`)).status).toBe(200);
  });
});
