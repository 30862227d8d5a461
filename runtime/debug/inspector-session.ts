// One worker with its inspector open: the inspector's URL, the key of its proxy URL, and the runtime's own
// CDP session on it. That monitoring session enables the Debugger domain only to hear Debugger.paused and
// Debugger.resumed: V8 tells every session with the domain enabled when the process stops, whoever set the
// breakpoint (our panel, chrome://inspect or VS Code on the raw port). The paused flag goes to the worker
// group, which takes the worker out of routing until it resumes.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DebugTarget } from '../shared/protocol.js';
import { DEBUG_CDP_PREFIX } from '../shared/protocol.js';
import { createDebug } from '../logs/debug.js';
import type { Worker } from '../workers/worker.js';
import type { WorkerGroup } from '../workers/worker-group.js';
import { CdpConnection } from './cdp-connection.js';
import { ipcRequest } from './worker-ipc.js';
import { portOf } from './stderr-url.js';

const debug = createDebug('cloudbench:debug');

export interface InspectorSessionOptions {
  readonly worker: Worker;
  readonly group: WorkerGroup;
  readonly instance: string;
  readonly url: string;
  readonly mode: DebugTarget['mode'];
  /** The worker runs the hook, which closes the inspector on request. */
  readonly hook: boolean;
}

export interface InspectorSessionEventMap {
  changed: [];
  closed: [];
}

/** A proxied client connection, closed when the session ends. */
export interface ProxiedClient {
  close(): void;
  /** Resolves once its connection to the inspector is closed. */
  readonly closed: Promise<void>;
}

export class InspectorSession extends EventEmitter<InspectorSessionEventMap> {
  /** The last segment of the proxy URL: unguessable (192 bits), new on every attach, dead after detach. */
  readonly key = randomBytes(24).toString('base64url');
  readonly since = Date.now();
  readonly port: number;
  paused = false;
  readonly #clients = new Set<ProxiedClient>();
  #closed = false;
  /** close() is under way: it disposes the session itself once the worker's inspector is closed. */
  #closing = false;

  private constructor(
    readonly options: InspectorSessionOptions,
    private readonly monitor: CdpConnection,
  ) {
    super();
    this.port = portOf(options.url);
    monitor.on('event', (e) => {
      if (e.method === 'Debugger.paused') this.#setPaused(true);
      else if (e.method === 'Debugger.resumed') this.#setPaused(false);
    });
    // The inspector went away on its own (the app closed it, or the worker exited).
    monitor.on('close', () => {
      if (!this.#closing) this.#dispose();
    });
    options.worker.once('exit', () => this.#dispose());
  }

  static async open(options: InspectorSessionOptions): Promise<InspectorSession> {
    const monitor = await CdpConnection.connect(options.url);
    const session = new InspectorSession(options, monitor);
    await monitor.send('Debugger.enable').catch(() => undefined);
    return session;
  }

  get worker(): Worker {
    return this.options.worker;
  }

  get closed(): boolean {
    return this.#closed;
  }

  target(): DebugTarget {
    const w = this.options.worker;
    return {
      worker: w.id,
      instance: this.options.instance,
      ordinal: w.ordinal,
      generation: w.generation,
      ...(w.pid === undefined ? {} : { pid: w.pid }),
      mode: this.options.mode,
      paused: this.paused,
      port: this.port,
      inspectorUrl: this.options.url,
      proxyPath: `${DEBUG_CDP_PREFIX}${encodeURIComponent(w.id)}/${this.key}`,
      since: this.since,
    };
  }

  /** Registers a proxied client; the returned function unregisters it. */
  addClient(client: ProxiedClient): () => void {
    this.#clients.add(client);
    return () => {
      this.#clients.delete(client);
      // The last debugger went away while the worker was stopped: nobody could resume it but us.
      if (this.#clients.size === 0 && this.paused && !this.#closed) void this.resume();
    };
  }

  /** Continues a paused worker (also one waiting for a debugger after --inspect-brk). */
  async resume(): Promise<void> {
    await this.monitor.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
    if (this.paused) await this.monitor.send('Debugger.resume').catch(() => undefined);
  }

  /** Detach: debuggers are disconnected, the worker runs on, and its inspector port closes. */
  async close(): Promise<void> {
    if (this.#closed || this.#closing) return;
    this.#closing = true;
    const clientsClosed = [...this.#clients].map((c) => c.closed);
    for (const c of [...this.#clients]) c.close();
    const m = this.monitor;
    // Resume first, and disable our Debugger domain so that a worker still waiting after --inspect-brk
    // starts without stopping on its first line.
    if (this.paused) await m.send('Debugger.resume').catch(() => undefined);
    await m.send('Debugger.disable').catch(() => undefined);
    await m.send('Runtime.runIfWaitingForDebugger').catch(() => undefined);
    const child = this.options.worker.child;
    if (this.options.hook && child?.connected) {
      // Every inspector connection goes first, then the worker closes its inspector: inspector.close() with a
      // session still connected blocks the worker until it disconnects, and on Node 20 a close racing a
      // session's disconnect crashed the worker (SIGSEGV) after a few attach/detach cycles.
      await m.closeAndWait(1000);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(clientsClosed), new Promise((r) => (timer = setTimeout(r, 1000)))]);
      clearTimeout(timer);
      await ipcRequest(child, { type: 'cloudbench:inspector.close' }, ['cloudbench:inspector.closed'], 3000).catch((err: unknown) => debug('worker %s: closing the inspector: %s', this.options.worker.label, String(err)));
    } else {
      // Without the hook the process closes its own inspector; the reply never comes (the socket closes).
      void m.send('Runtime.evaluate', { expression: 'process._debugEnd && process._debugEnd()' }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
    m.close();
    this.#dispose();
  }

  #setPaused(paused: boolean): void {
    if (this.paused === paused || this.#closed) return;
    this.paused = paused;
    debug('worker %s %s', this.options.worker.label, paused ? 'paused' : 'resumed');
    this.options.group.setPaused(this.options.worker, paused);
    this.emit('changed');
  }

  #dispose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of [...this.#clients]) c.close();
    this.#clients.clear();
    if (!this.monitor.closed) this.monitor.close();
    this.paused = false;
    this.options.group.setPaused(this.options.worker, false);
    this.emit('closed');
  }
}
