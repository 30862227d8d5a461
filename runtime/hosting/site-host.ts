// Hosts one project folder the way iisnode on Azure does: front end → instance (queue, dispatch) → workers,
// with log capture, file watching for auto-update, and sampled stats. This is the runtime API the control
// API and the CLI use; it knows nothing of either.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import { LogCapture } from '../logs/log-capture.js';
import { LogStore } from '../logs/log-store.js';
import { loadProject } from '../project/load-project.js';
import type { ProjectModel } from '../project/load-project.js';
import { splitCommandLine } from '../workers/command-line.js';
import { StatsSampler } from '../workers/stats.js';
import { watchFiles } from '../workers/watch.js';
import type { Watcher } from '../workers/watch.js';
import { WorkerGroup } from '../workers/worker-group.js';
import type { WorkerSpec } from '../workers/worker.js';
import type { GroupState } from '../workers/worker-group.js';
import type { WorkerState } from '../workers/worker-state.js';
import { startFrontEnd } from './front-end.js';
import type { FrontEnd } from './front-end.js';
import { Instance } from './instance.js';
import { createSitePipeline } from './site-pipeline.js';
import { SiteRouter } from './site-router.js';
import type { RequestDecorations } from './site-router.js';
import type { InstanceOptions, RequestRecord } from './instance.js';

export interface SiteHostOptions {
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 8080 */
  readonly port?: number;
  /** Overrides nodeProcessCountPerApplication; 0 = one per logical core. */
  readonly workers?: number;
  /** Requests that may wait for a worker. @default 1000 */
  readonly queueLength?: number;
  /** How long a request may wait for a worker. @default 30000 */
  readonly queueTimeoutMs?: number;
  /** "pipe" (PORT is a socket path, as iisnode) or "tcp" (PORT is a number). @default "pipe" */
  readonly workerPort?: 'pipe' | 'tcp';
  /** Preload the worker hook. @default true */
  readonly hook?: boolean;
  /** Name of the instance in logs and pages. @default "local" */
  readonly instanceName?: string;
  /** After SIGTERM, how long a worker may take to exit before SIGKILL. @default 5000 */
  readonly killTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface WorkerView {
  readonly id: string;
  readonly ordinal: number;
  readonly generation: number;
  readonly pid: number | undefined;
  readonly state: WorkerState;
  readonly cpu: number | undefined;
  readonly rss: number | undefined;
  readonly active: number;
  readonly total: number;
  readonly startedAt: number;
  readonly exitCode: number | null | undefined;
}

export interface SiteSnapshot {
  readonly url: string;
  readonly folder: string;
  readonly entry: string;
  readonly instance: string;
  readonly state: GroupState;
  readonly generation: number;
  readonly workerCount: number;
  readonly queued: number;
  readonly workers: WorkerView[];
  readonly lastExitCodes: Readonly<Record<number, number | null>>;
}

/** What happens to the site, for the CLI and (later) the control API's event stream. */
export interface SiteEventMap {
  /** `reason` says why when it is not a file change (configuration, the app's recycle signal, a command). */
  recycling: [info: { generation: number; files: string[]; reason?: string }];
  serving: [info: { generation: number }];
  'worker.exited': [info: { id: string; ordinal: number; pid: number | undefined; code: number | null; signal: string | null; expected: boolean }];
  failed: [info: { message: string }];
}

const HEADERS_KEPT = 200;
const NO_HEADERS: readonly string[] = Object.freeze([]);

const HOOK = fileURLToPath(new URL('../workers/hook.cjs', import.meta.url));

export class SiteHost {
  readonly events = new EventEmitter<SiteEventMap>();
  /** Room for a burst of 10,000 lines a second for 10 s and then some. */
  readonly logs = new LogStore({ capacity: 200_000 });
  readonly requests: RequestRecord[] = [];
  readonly #requestListeners = new Set<(r: RequestRecord) => void>();
  readonly capture: LogCapture;
  readonly group: WorkerGroup;
  readonly instance: Instance;
  readonly #stats: StatsSampler;
  readonly #socketDir: string;
  readonly #lastExit = new Map<number, number | null>();
  #frontEnd: FrontEnd | undefined;
  #watcher: Watcher | undefined;
  #stopping: Promise<void> | undefined;

  #project: ProjectModel;
  readonly #router: SiteRouter;
  #configWatcher: Watcher | undefined;
  /** iisnode's recycleSignalEnabled: workers write `recycle` to IISNODE_CONTROL_PIPE to ask for a recycle. */
  readonly #controlPipe: string;
  #controlServer: net.Server | undefined;
  /** Why the last edit of web.config / iisnode.yml could not be applied (the previous settings stay). */
  configError: CloudbenchError | undefined;

  constructor(
    project: ProjectModel,
    readonly options: SiteHostOptions = {},
  ) {
    this.#project = project;
    const s = project.settings;
    const name = options.instanceName ?? 'local';
    this.#socketDir = mkdtempSync(path.join(os.tmpdir(), 'cb-'));
    this.#controlPipe = process.platform === 'win32' ? `\\\\.\\pipe\\cloudbench-control-${path.basename(this.#socketDir)}` : path.join(this.#socketDir, 'control.sock');
    this.capture = new LogCapture(this.logs, {
      enabled: s.loggingEnabled,
      directory: path.resolve(project.appRoot, s.logDirectory),
      maxLogFileSizeInKB: s.maxLogFileSizeInKB,
      maxTotalLogFileSizeInKB: s.maxTotalLogFileSizeInKB,
      maxLogFiles: s.maxLogFiles,
    });
    this.group = new WorkerGroup({
      instance: name,
      count: workerCount(project, options),
      portMode: options.workerPort ?? 'pipe',
      socketDir: this.#socketDir,
      gracefulShutdownTimeoutMs: s.gracefulShutdownTimeout,
      killTimeoutMs: options.killTimeoutMs ?? 5000,
      spec: workerSpec(project, name, options, this.#controlPipe),
    });
    this.group.on('spawned', (worker, child) => {
      const meta = { instance: name, worker: worker.id, pid: child.pid ?? 0 };
      if (child.stdout) this.capture.attach(child.stdout, { ...meta, stream: 'stdout' });
      if (child.stderr) this.capture.attach(child.stderr, { ...meta, stream: 'stderr' });
    });
    this.group.on('state', (state) => {
      if (state === 'failed') this.events.emit('failed', { message: this.group.failure?.exit.error?.message ?? this.group.failure?.worker.startError?.message ?? 'the workers keep exiting at start-up' });
    });
    let servingGeneration = 0;
    this.group.on('routable', () => {
      const ready = this.group.routable[0];
      if (ready && ready.generation !== servingGeneration) {
        servingGeneration = ready.generation;
        this.events.emit('serving', { generation: ready.generation });
      }
    });
    this.group.on('exited', (worker, exit) => {
      this.events.emit('worker.exited', { id: worker.id, ordinal: worker.ordinal, pid: worker.pid, code: exit.code, signal: exit.signal, expected: exit.expected });
      if (worker.pid !== undefined) {
        this.#lastExit.set(worker.ordinal, exit.code);
        // Keep a crashed worker's stderr around long enough for its error pages.
        const pid = worker.pid;
        setTimeout(() => this.capture.forget(pid), 60_000).unref();
      }
    });
    this.instance = new Instance({
      name,
      group: this.group,
      queueLength: options.queueLength ?? 1000,
      queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
      maxReplayBodyBytes: 64 * 1024,
      stderrTail: (pid) => this.capture.stderrTail(pid),
      onRequest: (r) => this.#onRequest(r),
      ...instanceSettings(project),
    });
    this.#router = new SiteRouter(this.instance, createSitePipeline(project.appRoot, project.webConfig), project.webConfig?.mimeMap ?? {});
    this.#router.decorations = decorations(project);
    this.#router.logs = logUrl(project);
    this.#stats = new StatsSampler(() => this.group.workers.map((w) => w.pid).filter((p): p is number => p !== undefined));
  }

  get url(): string {
    return this.#frontEnd?.url ?? '';
  }

  /** Starts workers and the listener; resolves when the listener is bound (workers may still be starting). */
  async start(): Promise<void> {
    await this.#listenForRecycleSignals();
    this.group.start();
    try {
      this.#frontEnd = await startFrontEnd(this.#router, {
        host: this.options.host ?? '127.0.0.1',
        port: this.options.port ?? 8080,
        maxHeaderSize: this.project.settings.maxRequestBufferSize,
      });
    } catch (err) {
      await this.group.stop(0);
      throw err;
    }
    this.#watch();
    this.#configWatcher = watchFiles({ root: this.project.folder, watchedFiles: configFiles(this.project), keepWebConfig: true, onChange: () => void this.reload() });
    this.#stats.start();
  }

  /**
   * The control channel of recycleSignalEnabled. Unlike iisnode's one-shot pipe (MicrosoftDocs/azure-docs#29631)
   * it takes any number of clients and messages, and it recycles the app's workers, not a whole IIS process.
   * It listens whether or not the setting is on, so turning it on in web.config works without a restart.
   */
  #listenForRecycleSignals(): Promise<void> {
    const server = net.createServer((socket) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        if (/recycle/i.test(text) && this.#project.settings.recycleSignalEnabled) {
          text = '';
          this.recycle([], 'the app asked for a recycle (IISNODE_CONTROL_PIPE)');
        }
        if (text.length > 1024) text = text.slice(-16);
      });
      socket.on('error', () => socket.destroy());
    });
    this.#controlServer = server;
    server.unref();
    return new Promise((resolve) => {
      server.once('error', () => resolve());
      server.listen(this.#controlPipe, () => resolve());
    });
  }

  get project(): ProjectModel {
    return this.#project;
  }

  #watch(): void {
    // iisnode.yml is in the default watchedFiles; its changes are the config watcher's (reload, then recycle).
    const yml = path.basename(this.#project.settings.configOverrides).toLowerCase();
    this.#watcher = watchFiles({
      root: this.#project.appRoot,
      watchedFiles: this.#project.settings.watchedFiles,
      onChange: (files) => {
        const code = files.filter((f) => f.toLowerCase() !== yml);
        if (code.length > 0) this.recycle(code);
      },
    });
  }

  /**
   * web.config or iisnode.yml changed: read the project again and recycle with the new settings. A broken file
   * keeps the previous settings running and is reported (CLI, workbench, and a page to local callers) until fixed.
   */
  async reload(): Promise<void> {
    let next: ProjectModel;
    try {
      next = loadProject(this.#project.folder, this.options.env ?? process.env);
    } catch (err) {
      this.configError = isCloudbenchError(err) ? err : cbError('CB_ERR_CONFIG_VALUE', { option: 'web.config', value: '', expected: String(err) });
      this.#router.configError = this.configError;
      this.events.emit('failed', { message: `the configuration cannot be applied: ${this.configError.message}` });
      return;
    }
    const name = this.instance.options.name;
    this.configError = undefined;
    this.#router.configError = undefined;
    const watchedChanged = next.settings.watchedFiles !== this.#project.settings.watchedFiles || next.appRoot !== this.#project.appRoot;
    this.#project = next;
    this.group.reconfigure({ spec: workerSpec(next, name, this.options, this.#controlPipe), gracefulShutdownTimeoutMs: next.settings.gracefulShutdownTimeout });
    this.instance.reconfigure(instanceSettings(next));
    this.#router.reconfigure(createSitePipeline(next.appRoot, next.webConfig), next.webConfig?.mimeMap ?? {});
    this.#router.decorations = decorations(next);
    this.#router.logs = logUrl(next);
    if (watchedChanged) {
      await this.#watcher?.close();
      this.#watch();
    }
    const count = workerCount(next, this.options);
    if (count !== this.group.count) this.group.setCount(count);
    this.recycle([], 'the configuration changed');
  }

  /** Resolves when every worker of the current generation is ready (or the group failed). */
  whenReady(): Promise<GroupState> {
    return new Promise((resolve) => {
      const check = (): void => {
        const g = this.group;
        if (g.state === 'failed' || g.state === 'stopped' || (g.state === 'running' && g.routable.length === g.count && !g.recycling)) {
          g.off('routable', check);
          g.off('state', check);
          resolve(g.state);
        }
      };
      this.group.on('routable', check);
      this.group.on('state', check);
      check();
    });
  }

  /** The watcher's initial scan is done: file changes from now on recycle. */
  async watching(): Promise<void> {
    await this.#watcher?.ready;
  }

  /** Start a new generation of workers (a watched file changed, or the user asked). */
  recycle(files: string[] = [], reason?: string): void {
    this.group.recycle();
    this.events.emit('recycling', { generation: this.group.generation, files, ...(reason === undefined ? {} : { reason }) });
  }

  /** Stop every worker now and start a new generation (no draining). */
  restart(): void {
    this.group.restart();
    this.events.emit('recycling', { generation: this.group.generation, files: [] });
  }

  killWorker(id: string): boolean {
    return this.group.kill(id);
  }

  setWorkerCount(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw cbError('CB_ERR_CONFIG_VALUE', { option: 'workers', value: n, expected: 'a whole number of at least 1' });
    this.group.setCount(n);
  }

  subscribeRequests(listener: (r: RequestRecord) => void): () => void {
    this.#requestListeners.add(listener);
    return () => this.#requestListeners.delete(listener);
  }

  snapshot(): SiteSnapshot {
    const g = this.group;
    return {
      url: this.url,
      folder: this.project.folder,
      entry: this.project.entry.script,
      instance: this.instance.options.name,
      state: g.state,
      generation: g.generation,
      workerCount: g.count,
      queued: this.instance.queued,
      workers: g.workers.map((w) => {
        const sample = w.pid === undefined ? undefined : this.#stats.samples.get(w.pid);
        return { id: w.id, ordinal: w.ordinal, generation: w.generation, pid: w.pid, state: w.state, cpu: sample?.cpu, rss: sample?.rss, active: w.active, total: w.total, startedAt: w.startedAt, exitCode: w.exitInfo?.code };
      }),
      lastExitCodes: Object.fromEntries(this.#lastExit),
    };
  }

  /** Stop accepting, let in-flight requests finish for up to drainMs, stop the workers, flush logs. */
  stop(drainMs = 2000): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stats.stop();
      await this.#watcher?.close();
      await this.#configWatcher?.close();
      this.#controlServer?.close();
      const closing = this.#frontEnd?.close();
      await this.group.stop(drainMs);
      this.instance.close();
      await closing;
      await this.capture.close();
      rmSync(this.#socketDir, { recursive: true, force: true });
    })();
    return this.#stopping;
  }

  #onRequest(r: RequestRecord): void {
    const list = this.requests;
    list.push(r);
    // Headers stay on the newest records only: kept on all 10,000, their strings outlive the young
    // generation and every scavenge copies them (measured: ~8 µs more front-end CPU per request).
    const old = list[list.length - 1 - HEADERS_KEPT];
    if (old !== undefined && old.requestHeaders.length > 0) {
      old.requestHeaders = NO_HEADERS;
      old.responseHeaders = NO_HEADERS;
    }
    if (list.length > 10_000) list.splice(0, list.length - 5_000);
    for (const l of this.#requestListeners) l(r);
  }
}

function workerCount(project: ProjectModel, options: SiteHostOptions): number {
  const requested = options.workers ?? project.settings.nodeProcessCountPerApplication;
  return requested === 0 ? os.availableParallelism() : requested;
}

function workerSpec(project: ProjectModel, instance: string, options: SiteHostOptions, controlPipe: string): WorkerSpec {
  const s = project.settings;
  const [command, ...commandArgs] = splitCommandLine(s.nodeProcessCommandLine);
  if (command === undefined) throw cbError('CB_ERR_CONFIG_VALUE', { option: 'nodeProcessCommandLine', value: s.nodeProcessCommandLine, expected: 'a command such as node' });
  const hook = options.hook ?? true;
  return {
    command,
    args: [...commandArgs, ...(hook ? ['--require', HOOK] : []), ...project.entry.nodeArgs, project.entry.script, ...project.entry.scriptArgs],
    cwd: project.appRoot,
    env: { ...workerEnvironment(project, instance, options.env ?? process.env), ...(s.recycleSignalEnabled ? { IISNODE_CONTROL_PIPE: controlPipe } : {}) },
    startTimeoutMs: Math.max(1000, s.maxNamedPipeConnectionRetry * s.namedPipeConnectionRetryDelay),
  };
}

/** The instance options that come from the iisnode settings (and so change when the config does). */
function instanceSettings(project: ProjectModel): Pick<InstanceOptions, 'maxConcurrentRequestsPerProcess' | 'enableXFF' | 'devErrorsEnabled' | 'pooledConnectionAgeMs' | 'maxHeadSize' | 'iisnodeErrors'> {
  const s = project.settings;
  return {
    iisnodeErrors: project.webConfig !== undefined,
    maxConcurrentRequestsPerProcess: s.maxConcurrentRequestsPerProcess,
    enableXFF: s.enableXFF,
    devErrorsEnabled: s.devErrorsEnabled,
    pooledConnectionAgeMs: s.maxNamedPipePooledConnectionAge,
    maxHeadSize: s.maxRequestBufferSize,
  };
}

function decorations(project: ProjectModel): RequestDecorations {
  const s = project.settings;
  return {
    promoteServerVars: s.promoteServerVars.split(',').map((v) => v.trim()).filter((v) => v !== ''),
    debugHeader: s.debugHeaderEnabled,
    nodeCommand: s.nodeProcessCommandLine,
  };
}

/** The log folder as a URL path when it lies inside the site folder (iisnode's `<app>/iisnode/`). */
function logUrl(project: ProjectModel): { urlPath: string; directory: string } | undefined {
  const directory = path.resolve(project.appRoot, project.settings.logDirectory);
  const rel = path.relative(project.appRoot, directory);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return { urlPath: `/${rel.split(path.sep).join('/')}/`, directory };
}

/** web.config and the iisnode.yml it names, as a watchedFiles list relative to the project folder. */
function configFiles(project: ProjectModel): string {
  const yml = path.relative(project.folder, path.join(project.appRoot, project.settings.configOverrides)).split(path.sep).join('/');
  return `web.config;${yml}`;
}

/** What a worker sees: the user's environment, overridden (not appended, unlike iisnode) by ours. */
export function workerEnvironment(project: ProjectModel, instance: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...project.appSettings };
  const nodeEnv = project.settings.node_env;
  if (nodeEnv !== '' && nodeEnv.toLowerCase() !== '%node_env%') env.NODE_ENV = nodeEnv;
  // Apps test for IISNODE_VERSION to know they run under iisnode; they do here too.
  env.IISNODE_VERSION = '0.2.27';
  env.CLOUDBENCH_WORKER = '1';
  env.CLOUDBENCH_INSTANCE = instance;
  if (process.platform === 'win32' && env.NODE_PENDING_PIPE_INSTANCES === undefined) env.NODE_PENDING_PIPE_INSTANCES = '5000';
  return env;
}
