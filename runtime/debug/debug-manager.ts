// The debugger's runtime side: which workers have their inspector open, opening it (the hook's IPC message,
// SIGUSR1 without the hook, or a restart with --inspect-brk for "debug from start"), closing it, and the
// target list. One per control server; it looks workers up in whatever project is open.
//
// Threat: an open inspector runs any JavaScript it is sent, as the worker's user. It therefore only ever
// listens on 127.0.0.1, only while the user asked for it (attach → detach), and everything that reaches it
// through the workbench goes through the token-protected control API or a proxy URL whose key is handed
// out by that API only (cdp-proxy.ts). The raw inspector port is as reachable to local processes as any
// `node --inspect` port (Node's own /json/list is unauthenticated); docs/debugging.md says so.
import { EventEmitter } from 'node:events';
import { cbError } from '../shared/errors.js';
import type { DebugTarget } from '../shared/protocol.js';
import { createDebug } from '../logs/debug.js';
import type { Worker } from '../workers/worker.js';
import type { WorkerGroup } from '../workers/worker-group.js';
import { choosePort, parsePortRange } from './inspector-port.js';
import { InspectorSession } from './inspector-session.js';
import { nextAnnouncement } from './stderr-url.js';
import { ipcRequest } from './worker-ipc.js';

const debug = createDebug('cloudbench:debug');
const OPEN_TIMEOUT_MS = 5000;

/** A worker of the open project, with the group that runs it and its instance's name. */
export interface DebuggableWorker {
  readonly worker: Worker;
  readonly group: WorkerGroup;
  readonly instance: string;
}

export interface DebugManagerOptions {
  /** The workers of the open project (none when no project is open). */
  readonly workers: () => Iterable<DebuggableWorker>;
  /** Whether workers run the hook (`--no-hook` turns it off). */
  readonly hook: () => boolean;
  /** iisnode's debuggerPortRange of the open project. @default "5058-6058" */
  readonly portRange?: () => string;
}

export interface DebugManagerEventMap {
  /** A worker was attached or detached, paused or resumed. */
  changed: [];
}

export class DebugManager extends EventEmitter<DebugManagerEventMap> {
  readonly #sessions = new Map<string, InspectorSession>();
  readonly #opening = new Map<string, Promise<InspectorSession>>();

  constructor(private readonly options: DebugManagerOptions) {
    super();
  }

  targets(): DebugTarget[] {
    return [...this.#sessions.values()].map((s) => s.target());
  }

  session(workerId: string): InspectorSession | undefined {
    return this.#sessions.get(workerId);
  }

  /** Opens the inspector of a running worker without restarting it; resolves with its target. */
  async attach(workerId: string): Promise<DebugTarget> {
    const existing = this.#sessions.get(workerId);
    if (existing) return existing.target();
    const found = this.#find(workerId);
    if (found.worker.state !== 'ready' && found.worker.state !== 'starting') throw cbError('CB_ERR_DEBUG_WORKER_STATE', { worker: workerId, state: found.worker.state });
    return (await this.#open(workerId, () => this.#openInspector(found).then((url) => this.#start(found, url, 'attach')))).target();
  }

  /** Restarts a worker with --inspect-brk: it stops before the app's first line until a debugger runs it. */
  async debugFromStart(workerId: string): Promise<DebugTarget> {
    const found = this.#find(workerId);
    await this.#sessions.get(workerId)?.close();
    const port = await choosePort(parsePortRange(this.options.portRange?.() ?? ''), found.worker.ordinal, this.#ports());
    const worker = await found.group.respawn(workerId, [`--inspect-brk=127.0.0.1:${port}`]);
    if (!worker) throw cbError('CB_ERR_DEBUG_WORKER_STATE', { worker: workerId, state: found.worker.state });
    const stderr = worker.child?.stderr;
    if (!stderr) throw cbError('CB_ERR_DEBUG_OPEN_FAILED', { worker: worker.id, pid: worker.pid ?? '-', detail: 'the process has no stderr to announce its inspector on' });
    const announced = await nextAnnouncement(stderr, 10_000);
    if ('failed' in announced) throw cbError('CB_ERR_DEBUG_OPEN_FAILED', { worker: worker.id, pid: worker.pid ?? '-', detail: announced.failed });
    const next = { ...found, worker };
    return (await this.#open(worker.id, () => this.#start(next, announced.url, 'start'))).target();
  }

  async detach(workerId: string): Promise<void> {
    const session = this.#sessions.get(workerId);
    if (!session) throw cbError('CB_ERR_DEBUG_NOT_ATTACHED', { worker: workerId });
    await session.close();
  }

  /** Detaches every worker (iisnode's `?kill`); resolves with how many were attached. */
  async detachAll(): Promise<InspectorSession[]> {
    const sessions = [...this.#sessions.values()];
    await Promise.all(sessions.map((s) => s.close()));
    return sessions;
  }

  async resume(workerId: string): Promise<void> {
    const session = this.#sessions.get(workerId);
    if (!session) throw cbError('CB_ERR_DEBUG_NOT_ATTACHED', { worker: workerId });
    await session.resume();
  }

  async close(): Promise<void> {
    await this.detachAll();
  }

  /** A worker of the open project by id, or CB_ERR_CONTROL_NOT_FOUND. */
  #find(workerId: string): DebuggableWorker {
    for (const w of this.options.workers()) if (w.worker.id === workerId) return w;
    throw cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'worker', name: workerId });
  }

  #ports(): Set<number> {
    return new Set([...this.#sessions.values()].map((s) => s.port));
  }

  /** One opening at a time per worker: two clicks attach once. */
  async #open(workerId: string, open: () => Promise<InspectorSession>): Promise<InspectorSession> {
    const pending = this.#opening.get(workerId);
    if (pending) return pending;
    const opening = open().finally(() => this.#opening.delete(workerId));
    this.#opening.set(workerId, opening);
    return opening;
  }

  async #start(found: DebuggableWorker, url: string, mode: DebugTarget['mode']): Promise<InspectorSession> {
    let session: InspectorSession;
    try {
      session = await InspectorSession.open({ ...found, url, mode, hook: this.options.hook() });
    } catch (err) {
      throw cbError('CB_ERR_DEBUG_OPEN_FAILED', { worker: found.worker.id, pid: found.worker.pid ?? '-', detail: `cannot connect to ${url}: ${(err as Error).message}` }, err);
    }
    const id = found.worker.id;
    this.#sessions.set(id, session);
    session.on('changed', () => this.emit('changed'));
    session.once('closed', () => {
      if (this.#sessions.get(id) === session) this.#sessions.delete(id);
      debug('worker %s detached', found.worker.label);
      this.emit('changed');
    });
    debug('worker %s attached (%s) at %s', found.worker.label, mode, url);
    this.emit('changed');
    return session;
  }

  /** Opens the inspector in a running worker and returns its ws:// URL. */
  async #openInspector(found: DebuggableWorker): Promise<string> {
    const { worker } = found;
    const child = worker.child;
    const fail = (detail: string): Error => cbError('CB_ERR_DEBUG_OPEN_FAILED', { worker: worker.id, pid: worker.pid ?? '-', detail });
    if (!child || worker.pid === undefined) throw fail('the process is not running');
    if (this.options.hook() && child.connected) {
      const port = await choosePort(parsePortRange(this.options.portRange?.() ?? ''), worker.ordinal, this.#ports());
      const reply = await ipcRequest(child, { type: 'cloudbench:inspector.open', port }, ['cloudbench:inspector.opened', 'cloudbench:inspector.failed'], OPEN_TIMEOUT_MS).catch((err: Error) => {
        throw fail(err.message);
      });
      if (reply.type === 'cloudbench:inspector.opened' && typeof reply.url === 'string') return reply.url;
      throw fail(String(reply.error ?? 'the hook could not open it'));
    }
    if (process.platform === 'win32') throw cbError('CB_ERR_DEBUG_UNSUPPORTED', { worker: worker.id, detail: 'the worker runs without the hook, and Windows has no SIGUSR1' });
    // Without the hook: SIGUSR1 makes Node open its inspector (on --inspect-port, 9229 by default), and it
    // says where on stderr.
    const stderr = child.stderr;
    if (!stderr) throw fail('the process has no stderr to announce its inspector on');
    const announced = nextAnnouncement(stderr, OPEN_TIMEOUT_MS);
    process.kill(worker.pid, 'SIGUSR1');
    const a = await announced;
    if ('failed' in a) throw fail(a.failed);
    return a.url;
  }
}
