// iisnode's debugger URLs, answered with the workbench's debugger instead of node-inspector (iisnode.md
// §2.11): `/<script>/debug/` attaches to the app's first worker and points at the workbench, `?brk` debugs
// it from start, `?kill` ends debugging with iisnode's own messages. The router only lets callers on this
// machine reach this.
//
// Threat: the page is served on the app's origin, where the app's own scripts (or an injected one) could
// read it. It therefore never contains the control token: it links to the workbench, which asks for the
// URL the CLI printed when the tab has no token yet.
import { escapeHtml } from '../hosting/error-page.js';
import type { DebugUrlAnswer, DebugUrlHandler } from '../hosting/site-router.js';
import type { DebugTarget } from '../shared/protocol.js';
import type { DebugManager } from './debug-manager.js';

export const KILLED = 'The debugger and debugee processes have been killed.';
export const NOT_RUNNING = 'The debugger for the application is not running.';

export function createDebugUrlHandler(manager: DebugManager, workbenchOrigin: () => string): DebugUrlHandler {
  return async (command, group) => {
    if (command === 'kill') {
      const ended = await manager.detachAll();
      return text(ended.length > 0 ? KILLED : NOT_RUNNING);
    }
    const worker = group.routable[0] ?? group.workers.find((w) => w.state === 'starting' || w.state === 'ready');
    if (!worker) return { status: 503, contentType: 'text/plain; charset=utf-8', body: 'The application has no running worker to debug yet; try again in a moment.' };
    const attached = manager.session(worker.id);
    const target = command === 'brk' ? await manager.debugFromStart(worker.id) : attached ? attached.target() : await manager.attach(worker.id);
    return page(target, workbenchOrigin(), command);
  };
}

function text(body: string): DebugUrlAnswer {
  return { status: 200, contentType: 'text/plain; charset=utf-8', body };
}

/** A small page pointing at the workbench's Debugger view for the attached worker (no token in it). */
export function page(target: DebugTarget, origin: string, command: 'attach' | 'brk'): DebugUrlAnswer {
  const link = `${origin}/#/debugger?worker=${encodeURIComponent(target.worker)}`;
  const what = command === 'brk' ? 'restarted, stopped before its first line,' : 'attached';
  const body = `<!doctype html><meta charset="utf-8"><title>Debugging worker #${target.ordinal}</title>
<h1>Debugging worker #${target.ordinal}</h1>
<p>Worker #${target.ordinal} (pid ${target.pid ?? '–'}) is ${what} with its inspector on 127.0.0.1:${target.port}.</p>
<p><a href="${escapeHtml(link)}">Open the workbench's Debugger view</a> (if it asks for a token, open the workbench URL that <code>cloudbench serve</code> printed first).</p>
<p>Chrome: <code>chrome://inspect</code> → Configure… → <code>127.0.0.1:${target.port}</code>. <a href="?kill">End debugging</a>.</p>
`;
  return { status: 200, contentType: 'text/html; charset=utf-8', body };
}
