// Helpers of the debugger's integration tests: the control API with the printed token, and CDP sessions
// through the runtime's proxy.
import { CdpConnection } from '../../../runtime/debug/cdp-connection.js';
import type { Served } from '../../helpers/serve.js';

export interface Control {
  readonly origin: string;
  readonly token: string;
  call(method: string, path: string, options?: { token?: string | null; body?: unknown }): Promise<{ status: number; body: any }>;
}

export function control(app: Served): Control {
  const u = new URL(app.workbenchUrl);
  const token = new URLSearchParams(u.hash.slice(1)).get('token') as string;
  const origin = u.origin;
  return {
    origin,
    token,
    async call(method, path, options = {}) {
      const t = options.token === undefined ? token : options.token;
      const res = await fetch(origin + path, {
        method,
        headers: { ...(t === null ? {} : { Authorization: `Bearer ${t}` }), ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await res.text();
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Not JSON: keep the text.
      }
      return { status: res.status, body };
    },
  };
}

/** The workers of the open project as the API shows them. */
export async function workers(c: Control): Promise<Array<{ id: string; pid: number; state: string; ordinal: number }>> {
  const state = (await c.call('GET', '/api/state')).body;
  return state.project.instances.flatMap((i: any) => i.workers);
}

/** A CDP session through the proxy, with Runtime and Debugger enabled. */
export async function debuggerSession(c: Control, proxyPath: string): Promise<CdpConnection> {
  const cdp = await CdpConnection.connect(`ws://${new URL(c.origin).host}${proxyPath}`);
  await cdp.send('Runtime.enable');
  await cdp.send('Debugger.enable');
  return cdp;
}

/** The value of an expression in the top frame of a pause. */
export async function evaluate(cdp: CdpConnection, paused: Record<string, unknown>, expression: string): Promise<unknown> {
  const frame = (paused.callFrames as Array<{ callFrameId: string }>)[0] as { callFrameId: string };
  const r = await cdp.send('Debugger.evaluateOnCallFrame', { callFrameId: frame.callFrameId, expression, returnByValue: true });
  return (r.result as { value: unknown }).value;
}

/** 0-based line of the top frame. */
export function pausedLine(paused: Record<string, unknown>): number {
  return ((paused.callFrames as Array<{ location: { lineNumber: number } }>)[0] as { location: { lineNumber: number } }).location.lineNumber;
}
