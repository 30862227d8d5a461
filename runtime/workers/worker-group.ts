// The workers of one role instance: N slots of the current generation, crash replacement with the crash
// policy, recycling by generation (start the new generation, switch when it is ready, drain the old one) and
// live changes of the worker count. Routing itself lives in hosting/; this class only says which workers
// may be routed to (`routable`) and emits 'routable' whenever that set changes.
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { createDebug } from '../logs/debug.js';
import { DEFAULT_CRASH_POLICY, decideAfterExit } from './crash-policy.js';
import type { CrashPolicy } from './crash-policy.js';
import { Worker } from './worker.js';
import type { Spawner, WorkerAddress, WorkerExit, WorkerSpec } from './worker.js';

const debug = createDebug('cloudbench:workers');

export type GroupState = 'starting' | 'running' | 'failed' | 'stopped';

export interface WorkerGroupOptions {
  /** Name used in logs and error pages, e.g. "local/web/0". */
  readonly instance: string;
  readonly count: number;
  /** The command line of a worker; PORT and identity variables are added per worker. */
  readonly spec: WorkerSpec;
  readonly portMode: 'pipe' | 'tcp';
  /** Folder for Unix socket files (unused on Windows, where PORT is a named pipe). */
  readonly socketDir: string;
  /** How long a replaced or removed worker may take to finish its in-flight requests. */
  readonly gracefulShutdownTimeoutMs: number;
  /** How long a worker may take to exit after SIGTERM before it is killed. */
  readonly killTimeoutMs: number;
  readonly crashPolicy?: CrashPolicy;
  readonly spawner?: Spawner;
}

export interface GroupFailure {
  readonly worker: Worker;
  readonly exit: WorkerExit;
  readonly unstableExits: number;
}

export interface WorkerGroupEventMap {
  spawned: [worker: Worker, child: ChildProcess];
  routable: [];
  state: [state: GroupState];
  exited: [worker: Worker, exit: WorkerExit];
}

interface Slot {
  readonly ordinal: number;
  readonly generation: number;
  worker: Worker | undefined;
  unstableExits: number;
  failed: boolean;
  restartTimer: NodeJS.Timeout | undefined;
  /** Node flags for the next process of this slot only (the debugger's --inspect-brk), and who waits for it. */
  respawn?: { readonly nodeArgs: readonly string[]; readonly started: (worker: Worker) => void };
}

let nextWorkerId = 1;
const runId = randomUUID().slice(0, 8);

export class WorkerGroup extends EventEmitter<WorkerGroupEventMap> {
  state: GroupState = 'starting';
  generation = 0;
  /** Ready workers of the current generation, in slot order. */
  routable: Worker[] = [];
  /** Why the group is failed (the last crash of the crash loop). */
  failure: GroupFailure | undefined;

  #current: Slot[] = [];
  #pending: Slot[] | undefined;
  readonly #draining = new Set<Worker>();
  #count: number;
  readonly #policy: CrashPolicy;

  constructor(private options: WorkerGroupOptions) {
    super();
    this.#count = options.count;
    this.#policy = options.crashPolicy ?? DEFAULT_CRASH_POLICY;
  }

  /** New settings for workers started from now on (the next recycle applies them to all). */
  reconfigure(patch: Partial<Pick<WorkerGroupOptions, 'spec' | 'gracefulShutdownTimeoutMs'>>): void {
    this.options = { ...this.options, ...patch };
  }

  /** A new generation is starting and will take over when ready. */
  get recycling(): boolean {
    return this.#pending !== undefined;
  }

  get count(): number {
    return this.#count;
  }

  /** Every live worker: current, starting next generation, and draining ones. */
  get workers(): Worker[] {
    const all = [...this.#current, ...(this.#pending ?? [])].map((s) => s.worker).filter((w): w is Worker => w !== undefined);
    return [...all, ...this.#draining];
  }

  start(): void {
    this.generation = 1;
    this.#current = this.#makeSlots(1, this.#count, 1);
    for (const slot of this.#current) this.#spawn(slot);
  }

  /** Start a new generation; it takes over once all its workers are ready. Many calls in a row start over. */
  recycle(): void {
    if (this.state === 'stopped') return;
    if (this.#pending) for (const slot of this.#pending) this.#retire(slot, 0);
    this.generation++;
    debug('%s: recycling to generation %d', this.options.instance, this.generation);
    this.#pending = this.#makeSlots(1, this.#count, this.generation);
    for (const slot of this.#pending) this.#spawn(slot);
  }

  /** Restart at once: every worker is stopped now (in-flight requests are cut) and a new generation starts;
   * requests wait in the queue meanwhile. Unlike recycle(), nothing drains. */
  restart(): void {
    if (this.state === 'stopped') return;
    for (const slot of [...this.#current, ...(this.#pending ?? [])]) this.#retire(slot, 0);
    this.#pending = undefined;
    this.generation++;
    debug('%s: restarting as generation %d', this.options.instance, this.generation);
    this.#current = this.#makeSlots(1, this.#count, this.generation);
    for (const slot of this.#current) this.#spawn(slot);
    this.#refresh();
  }

  /** Change the number of workers live: new slots start, the highest slots drain and stop. */
  setCount(count: number): void {
    if (count < 1 || this.state === 'stopped') return;
    const before = this.#count;
    this.#count = count;
    for (const slots of [this.#current, this.#pending]) {
      if (!slots) continue;
      const generation = slots === this.#current ? this.#generationOf(this.#current) : this.generation;
      if (count > before) {
        const added = this.#makeSlots(before + 1, count - before, generation);
        slots.push(...added);
        for (const slot of added) this.#spawn(slot);
      } else {
        for (const slot of slots.splice(count)) this.#retire(slot, this.options.gracefulShutdownTimeoutMs);
      }
    }
    this.#refresh();
  }

  /** Kill one worker as a crash would: it is replaced at once. */
  kill(workerId: string): boolean {
    const worker = this.workers.find((w) => w.id === workerId);
    if (!worker) return false;
    void worker.kill(false);
    return true;
  }

  /**
   * Replace one worker at once by a process started with extra node flags (the debugger's `--inspect-brk`),
   * in the same slot. Such a process may wait for a debugger before listening, so it has no start timeout.
   * Resolves with the new worker, or undefined when the worker is not one of a live slot.
   */
  respawn(workerId: string, nodeArgs: readonly string[]): Promise<Worker | undefined> {
    const slot = [...this.#current, ...(this.#pending ?? [])].find((s) => s.worker?.id === workerId);
    const worker = slot?.worker;
    if (!slot || !worker || this.state === 'stopped') return Promise.resolve(undefined);
    return new Promise((resolve) => {
      slot.respawn = { nodeArgs, started: resolve };
      void worker.kill(true);
    });
  }

  /** The debugger paused or resumed a worker: routing skips paused workers, and may pump the queue now. */
  setPaused(worker: Worker, paused: boolean): void {
    if (worker.paused === paused) return;
    worker.paused = paused;
    this.emit('routable');
  }

  /** Stop everything: drain in-flight requests for up to drainMs, then SIGTERM, then SIGKILL. */
  async stop(drainMs: number): Promise<void> {
    if (this.state === 'stopped') return;
    this.#setState('stopped');
    const slots = [...this.#current, ...(this.#pending ?? [])];
    this.#current = [];
    this.#pending = undefined;
    for (const slot of slots) this.#retire(slot, drainMs);
    this.#refresh();
    await Promise.all([...this.#draining].map((w) => w.exited));
  }

  #makeSlots(firstOrdinal: number, n: number, generation: number): Slot[] {
    return Array.from({ length: n }, (_, i) => ({ ordinal: firstOrdinal + i, generation, worker: undefined, unstableExits: 0, failed: false, restartTimer: undefined }));
  }

  #generationOf(slots: Slot[]): number {
    return slots[0]?.generation ?? this.generation;
  }

  #spawn(slot: Slot): void {
    slot.restartTimer = undefined;
    const respawn = slot.respawn;
    slot.respawn = undefined;
    void this.#address().then((address) => {
      if (this.state === 'stopped' || !this.#isLive(slot)) return;
      const worker = new Worker({ id: String(nextWorkerId++), ordinal: slot.ordinal, generation: slot.generation }, address, this.options.spawner);
      slot.worker = worker;
      worker.on('spawned', (child) => this.emit('spawned', worker, child));
      worker.on('ready', () => this.#onReady(slot));
      worker.on('exit', (exit) => this.#onExit(slot, worker, exit));
      const portValue = address.kind === 'pipe' ? address.path : String(address.port);
      const spec = this.options.spec;
      worker.start({
        ...spec,
        ...(respawn ? { args: [...respawn.nodeArgs, ...spec.args], startTimeoutMs: 2 ** 31 - 1 } : {}),
        env: { ...spec.env, PORT: portValue, CLOUDBENCH_WORKER_ID: worker.id, CLOUDBENCH_WORKER_ORDINAL: String(slot.ordinal), CLOUDBENCH_GENERATION: String(slot.generation) },
      });
      respawn?.started(worker);
    });
  }

  async #address(): Promise<WorkerAddress> {
    if (this.options.portMode === 'tcp') return { kind: 'tcp', host: '127.0.0.1', port: await freePort() };
    const name = `${runId}-${nextWorkerId}-${Math.random().toString(36).slice(2, 8)}`;
    if (process.platform === 'win32') return { kind: 'pipe', path: `\\\\.\\pipe\\cloudbench-${name}` };
    return { kind: 'pipe', path: path.join(this.options.socketDir, `${name}.sock`) };
  }

  #isLive(slot: Slot): boolean {
    return this.#current.includes(slot) || (this.#pending?.includes(slot) ?? false);
  }

  #onReady(slot: Slot): void {
    if (this.#pending?.includes(slot)) {
      if (this.#pending.every((s) => s.failed || s.worker?.state === 'ready') && this.#pending.some((s) => !s.failed)) this.#switch();
      return;
    }
    this.#refresh();
  }

  #onExit(slot: Slot, worker: Worker, exit: WorkerExit): void {
    this.#draining.delete(worker);
    this.emit('exited', worker, exit);
    if (slot.worker !== worker || !this.#isLive(slot) || this.state === 'stopped') {
      this.#refresh();
      return;
    }
    slot.worker = undefined;
    if (slot.respawn) {
      this.#spawn(slot);
      this.#refresh();
      return;
    }
    const unstableBefore = worker.readyAt === 0 ? slot.unstableExits : 0;
    // A worker that never became ready counts as unstable however long it took to fail.
    const decision = decideAfterExit(unstableBefore, worker.readyAt === 0 ? 0 : exit.uptimeMs, this.#policy);
    slot.unstableExits = decision.unstableExits;
    if (decision.action === 'restart') {
      debug('%s: worker %s exited; restarting in %d ms', this.options.instance, worker.label, decision.delayMs);
      slot.restartTimer = setTimeout(() => this.#spawn(slot), decision.delayMs);
    } else {
      debug('%s: slot %d failed after %d unstable exits', this.options.instance, slot.ordinal, decision.unstableExits);
      slot.failed = true;
      this.failure = { worker, exit, unstableExits: decision.unstableExits };
      if (this.#pending?.includes(slot) && this.#pending.every((s) => s.failed || s.worker?.state === 'ready')) this.#switch();
    }
    this.#refresh();
  }

  /** The new generation takes the traffic; the old one drains, then stops. */
  #switch(): void {
    const old = this.#current;
    this.#current = this.#pending ?? [];
    this.#pending = undefined;
    debug('%s: generation %d takes over', this.options.instance, this.generation);
    for (const slot of old) this.#retire(slot, this.options.gracefulShutdownTimeoutMs);
    this.#refresh();
  }

  /** Take a slot out of service: its worker drains (up to drainMs) and stops. */
  #retire(slot: Slot, drainMs: number): void {
    clearTimeout(slot.restartTimer);
    slot.failed = true;
    const worker = slot.worker;
    if (!worker || worker.state === 'exited') return;
    this.#draining.add(worker);
    worker.drain();
    void worker.whenIdle(drainMs).then(() => worker.stop(this.options.killTimeoutMs));
  }

  #refresh(): void {
    const routable = this.#current.map((s) => s.worker).filter((w): w is Worker => w !== undefined && w.state === 'ready');
    const changed = routable.length !== this.routable.length || routable.some((w, i) => w !== this.routable[i]);
    this.routable = routable;
    if (this.state !== 'stopped') {
      if (routable.length > 0) this.#setState('running');
      else if (this.#current.length > 0 && this.#current.every((s) => s.failed)) this.#setState('failed');
      else if (this.state !== 'failed' || this.#current.some((s) => !s.failed)) this.#setState('starting');
    }
    if (changed) this.emit('routable');
  }

  #setState(state: GroupState): void {
    if (this.state === state) return;
    if (state !== 'failed') this.failure = state === 'running' ? undefined : this.failure;
    this.state = state;
    this.emit('state', state);
  }
}

/** A TCP port that is free right now on 127.0.0.1 (for apps that need PORT to be a number). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
