// One role instance: what one Azure VM ran for a web role under iisnode. Its worker processes (WorkerGroup),
// dispatch and queue (Instance), the IIS-side pipeline (SiteRouter), log capture and stats. A SiteHost runs
// one or more of them behind a load balancer; each has its own socket folder and control pipe.
import { unpackedPath } from '../shared/asar.js';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventEmitter } from 'node:events';
import { cbError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import { LogCapture } from '../logs/log-capture.js';
import type { LogStore } from '../logs/log-store.js';
import type { ProjectModel } from '../project/load-project.js';
import { splitCommandLine } from '../workers/command-line.js';
import { StatsSampler } from '../workers/stats.js';
import { WorkerGroup } from '../workers/worker-group.js';
import type { GroupState } from '../workers/worker-group.js';
import type { WorkerSpec } from '../workers/worker.js';
import type { WorkerState } from '../workers/worker-state.js';
import { Instance } from './instance.js';
import { ServiceRuntime } from './service-runtime.js';
import type { StatusReport } from './service-runtime.js';
import type { InstanceOptions, RequestRecord } from './instance.js';
import { createSitePipeline } from './site-pipeline.js';
import { SiteRouter } from './site-router.js';
import type { RequestDecorations } from './site-router.js';

/** Words the app may write to its control pipe (any framing: iisnode's apps wrote `recycle` alone). */
const CONTROL_WORD = /recycle|busy|ready/i;

// Workers run the user's node, which cannot read inside Electron's app.asar: the packaged app unpacks the
// hook next to it (build/electron-builder.cjs asarUnpack).
const HOOK = unpackedPath(fileURLToPath(new URL('../workers/hook.cjs', import.meta.url)));

export interface RoleInstanceOptions {
  readonly name: string;
  /** Overrides nodeProcessCountPerApplication; 0 = one per logical core. */
  readonly workers?: number;
  readonly queueLength?: number;
  readonly queueTimeoutMs?: number;
  readonly workerPort?: 'pipe' | 'tcp';
  readonly hook?: boolean;
  readonly killTimeoutMs?: number;
  /** The environment workers start from (the user's, plus identity and slot settings). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * A worker role: runs this script (absolute path) as a background process per worker, with no PORT to
   * listen on and no requests; it is ready once started and restarted when it crashes.
   */
  readonly background?: { readonly script: string };
  /**
   * The role environment `azure.RoleEnvironment` reads (service-runtime.ts): the deployment, the role's name
   * and settings; the instance id is this instance's name.
   */
  readonly roleEnvironment?: { readonly deploymentId: string; readonly roleName: string; readonly settings: Readonly<Record<string, string>> };
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

export interface InstanceSnapshot {
  readonly instance: string;
  readonly state: GroupState;
  /** The app asked to be taken out of rotation (`busy` on IISNODE_CONTROL_PIPE). */
  readonly busy: boolean;
  readonly generation: number;
  readonly workerCount: number;
  readonly queued: number;
  readonly workers: WorkerView[];
  readonly lastExitCodes: Readonly<Record<number, number | null>>;
}

/** What happens to a site's instances; `instance` names the one concerned. */
export interface SiteEventMap {
  /** `reason` says why when it is not a file change (configuration, the app's recycle signal, a command). */
  recycling: [info: { instance: string; generation: number; files: string[]; reason?: string }];
  serving: [info: { instance: string; generation: number }];
  'worker.exited': [info: { instance: string; id: string; ordinal: number; pid: number | undefined; code: number | null; signal: string | null; expected: boolean }];
  failed: [info: { instance?: string; message: string }];
  /** Something the user should know that does not stop the app (a part of the platform it cannot have). */
  warning: [info: { instance: string; message: string }];
  /** Instances joined or left the load balancer, or one was replaced. */
  instances: [];
  /** An instance failed its health probe enough times to leave the rotation, or passed it again. */
  probe: [info: { instance: string; failing: boolean; detail: string }];
}

export class RoleInstance {
  readonly group: WorkerGroup;
  readonly instance: Instance;
  readonly router: SiteRouter;
  readonly capture: LogCapture;
  readonly #stats: StatsSampler;
  readonly #socketDir: string;
  readonly #controlPipe: string;
  readonly #lastExit = new Map<number, number | null>();
  #controlServer: net.Server | undefined;
  readonly #serviceRuntime: ServiceRuntime | undefined;
  #project: ProjectModel;
  /** The workers' environment (options.env, then setEnvironment's). */
  #env: NodeJS.ProcessEnv;
  #stopping: Promise<void> | undefined;
  /** Set by the app through RoleEnvironment.setStatus: keep me out of the balancer for now. */
  busy = false;
  /** When a Busy status set with an expiration lapses. */
  #busyTimer: NodeJS.Timeout | undefined;
  /** Failing the site's health probe (set by its HealthProber through the balancer member). */
  probeFailing = false;

  constructor(
    project: ProjectModel,
    readonly options: RoleInstanceOptions,
    logs: LogStore,
    private readonly events: EventEmitter<SiteEventMap>,
    onRequest: (r: RequestRecord) => void,
  ) {
    this.#project = project;
    this.#env = options.env;
    const s = project.settings;
    const name = options.name;
    this.#socketDir = mkdtempSync(path.join(os.tmpdir(), 'cb-'));
    this.#controlPipe = process.platform === 'win32' ? `\\\\.\\pipe\\cloudbench-control-${path.basename(this.#socketDir)}` : path.join(this.#socketDir, 'control.sock');
    const roleEnvironment = options.roleEnvironment;
    this.#serviceRuntime = roleEnvironment === undefined ? undefined : new ServiceRuntime(this.#socketDir, { ...roleEnvironment, instanceId: name }, (report) => this.#onReportedStatus(report));
    this.capture = new LogCapture(logs, {
      enabled: s.loggingEnabled,
      directory: path.resolve(project.appRoot, s.logDirectory),
      maxLogFileSizeInKB: s.maxLogFileSizeInKB,
      maxTotalLogFileSizeInKB: s.maxTotalLogFileSizeInKB,
      maxLogFiles: s.maxLogFiles,
      // iisnode's CRLF line ends and index.html, for projects that ran on iisnode (tests 105, 110).
      iisnodeConventions: project.webConfig !== undefined,
    });
    this.group = new WorkerGroup({
      instance: name,
      count: workerCount(project, options),
      portMode: options.workerPort ?? 'pipe',
      socketDir: this.#socketDir,
      gracefulShutdownTimeoutMs: s.gracefulShutdownTimeout,
      killTimeoutMs: options.killTimeoutMs ?? 5000,
      spec: this.#spec(project),
    });
    this.#wireGroup();
    this.instance = new Instance({
      name,
      group: this.group,
      queueLength: options.queueLength ?? 1000,
      queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
      maxReplayBodyBytes: 64 * 1024,
      stderrTail: (pid) => this.capture.stderrTail(pid),
      onRequest,
      ...instanceSettings(project),
    });
    this.router = new SiteRouter(this.instance, createSitePipeline(project.appRoot, project.webConfig, debugUrlSettings(project)), project.webConfig?.mimeMap ?? {});
    this.router.decorations = decorations(project);
    this.router.logs = logUrl(project);
    this.#stats = new StatsSampler(() => this.group.workers.map((w) => w.pid).filter((p): p is number => p !== undefined));
  }

  get name(): string {
    return this.options.name;
  }

  /** In the balancer's rotation: running with a ready worker, and not reporting busy. */
  get healthy(): boolean {
    return !this.busy && this.#stopping === undefined && this.group.state !== 'failed' && this.group.routable.length > 0;
  }

  /** Not in rotation but should take requests itself (starting: its queue; failed: its error page). */
  get accepting(): boolean {
    return !this.busy && this.#stopping === undefined;
  }

  async start(): Promise<void> {
    await this.#listenForControl();
    try {
      await this.#serviceRuntime?.start();
    } catch (error) {
      // The app runs without RoleEnvironment rather than not at all (the client answers that it is not available).
      this.events.emit('warning', { instance: this.name, message: `RoleEnvironment is not available in this instance: its service runtime (WaRuntimeEndpoint) could not start: ${(error as Error).message}` });
    }
    this.group.start();
    this.#stats.start();
  }

  /** Applies a re-read configuration (workers recycle with it). */
  reconfigure(next: ProjectModel): void {
    this.#project = next;
    this.group.reconfigure({ spec: this.#spec(next), gracefulShutdownTimeoutMs: next.settings.gracefulShutdownTimeout });
    this.instance.reconfigure(instanceSettings(next));
    this.router.reconfigure(createSitePipeline(next.appRoot, next.webConfig, debugUrlSettings(next)), next.webConfig?.mimeMap ?? {});
    this.router.decorations = decorations(next);
    this.router.logs = logUrl(next);
    const count = workerCount(next, this.options);
    if (count !== this.group.count) this.group.setCount(count);
  }

  set configError(error: CloudbenchError | undefined) {
    this.router.configError = error;
  }

  recycle(files: string[] = [], reason?: string): void {
    this.group.recycle();
    this.events.emit('recycling', { instance: this.name, generation: this.group.generation, files, ...(reason === undefined ? {} : { reason }) });
  }

  restart(): void {
    this.group.restart();
    this.events.emit('recycling', { instance: this.name, generation: this.group.generation, files: [] });
  }

  /** Resolves when every worker of the current generation is ready (or the group failed or stopped). */
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

  snapshot(): InstanceSnapshot {
    const g = this.group;
    return {
      instance: this.name,
      state: g.state,
      busy: this.busy,
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

  /** Let in-flight requests finish for up to drainMs, stop the workers, flush logs. */
  stop(drainMs = 2000): Promise<void> {
    this.#stopping ??= (async () => {
      this.#stats.stop();
      this.#controlServer?.close();
      // The runtime closes after the drain: requests in flight may still read settings (reports are ignored now).
      await this.group.stop(drainMs);
      await this.#serviceRuntime?.close();
      clearTimeout(this.#busyTimer);
      this.instance.close();
      this.router.close();
      await this.capture.close();
      rmSync(this.#socketDir, { recursive: true, force: true });
    })();
    return this.#stopping;
  }

  #wireGroup(): void {
    const name = this.name;
    this.group.on('spawned', (worker, child) => {
      const meta = { instance: name, worker: worker.id, pid: child.pid ?? 0 };
      if (child.stdout) this.capture.attach(child.stdout, { ...meta, stream: 'stdout' });
      if (child.stderr) this.capture.attach(child.stderr, { ...meta, stream: 'stderr' });
    });
    this.group.on('state', (state) => {
      if (state === 'failed') this.events.emit('failed', { instance: name, message: this.group.failure?.exit.error?.message ?? this.group.failure?.worker.startError?.message ?? 'the workers keep exiting at start-up' });
      this.events.emit('instances');
    });
    let servingGeneration = 0;
    this.group.on('routable', () => {
      this.events.emit('instances');
      const ready = this.group.routable[0];
      if (ready && ready.generation !== servingGeneration) {
        servingGeneration = ready.generation;
        this.events.emit('serving', { instance: name, generation: ready.generation });
      }
    });
    this.group.on('exited', (worker, exit) => {
      this.events.emit('instances');
      this.events.emit('worker.exited', { instance: name, id: worker.id, ordinal: worker.ordinal, pid: worker.pid, code: exit.code, signal: exit.signal, expected: exit.expected });
      if (worker.pid !== undefined) {
        this.#lastExit.set(worker.ordinal, exit.code);
        // Keep a crashed worker's stderr around long enough for its error pages.
        const pid = worker.pid;
        setTimeout(() => this.capture.forget(pid), 60_000).unref();
      }
    });
  }

  /**
   * The instance's control channel (IISNODE_CONTROL_PIPE). `recycle` is iisnode's recycleSignalEnabled; unlike
   * iisnode's one-shot pipe (MicrosoftDocs/azure-docs#29631) it takes any number of clients and messages and
   * recycles this instance's workers, not a whole IIS process. `busy` / `ready` (on CLOUDBENCH_CONTROL_PIPE, the
   * same pipe) take the instance out of the load balancer and back (Azure's role instance status check). It listens whether or not recycling is on, so
   * turning it on in web.config works without a restart.
   */
  #listenForControl(): Promise<void> {
    const server = net.createServer((socket) => {
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
        for (let m = CONTROL_WORD.exec(text); m !== null; m = CONTROL_WORD.exec(text)) {
          text = text.slice(m.index + m[0].length);
          const word = m[0].toLowerCase();
          if (word === 'recycle') {
            if (this.#project.settings.recycleSignalEnabled) this.recycle([], 'the app asked for a recycle (IISNODE_CONTROL_PIPE)');
          } else {
            clearTimeout(this.#busyTimer);
            this.#setBusy(word === 'busy');
          }
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

  /**
   * What the app reported through RoleEnvironment: Busy leaves the balancer (until its expiration, as on Azure),
   * Started/Release rejoin, Recycle recycles (the new workers start as Started).
   */
  #onReportedStatus({ status, expiresAt }: StatusReport): void {
    if (this.#stopping !== undefined) return;
    clearTimeout(this.#busyTimer);
    this.#busyTimer = undefined;
    if (status === 'Recycle') {
      this.#setBusy(false);
      this.recycle([], 'the app asked for a recycle (RoleEnvironment.requestRecycle)');
      return;
    }
    // The client repeats its last status after every settings change, with the expiration it had: a lapsed one
    // leaves the instance as it is rather than busy for a moment.
    const ms = expiresAt === undefined ? Infinity : expiresAt - Date.now();
    this.#setBusy(status === 'Busy' && ms > 0);
    // Timers hold up to 2^31-1 ms (about 24.8 days); a lease longer than that lasts for the instance's life.
    if (this.busy && ms < 2 ** 31 - 1) this.#busyTimer = setTimeout(() => this.#setBusy(false), ms).unref();
  }

  #setBusy(busy: boolean): void {
    if (this.busy === busy) return;
    this.busy = busy;
    this.events.emit('instances');
  }

  /**
   * The environment workers get from their next start (a recycle, a replaced crash), as Azure gives an instance
   * a new configuration when it restarts; the running workers keep theirs.
   */
  setEnvironment(env: NodeJS.ProcessEnv): void {
    this.#env = env;
    this.group.reconfigure({ spec: this.#spec(this.#project) });
  }

  /** New role settings (a configuration change): RoleEnvironment's `changed` listeners hear of it. */
  updateRoleSettings(settings: Readonly<Record<string, string>>): void {
    const current = this.options.roleEnvironment;
    if (current) this.#serviceRuntime?.update({ ...current, settings, instanceId: this.name });
  }

  #spec(project: ProjectModel): WorkerSpec {
    const s = project.settings;
    const [command, ...commandArgs] = splitCommandLine(s.nodeProcessCommandLine);
    if (command === undefined) throw cbError('CB_ERR_CONFIG_VALUE', { option: 'nodeProcessCommandLine', value: s.nodeProcessCommandLine, expected: 'a command such as node' });
    const hook = this.options.hook ?? true;
    const background = this.options.background;
    return {
      command,
      args: background
        ? [...commandArgs, ...(hook ? ['--require', HOOK] : []), background.script]
        : [...commandArgs, ...(hook ? ['--require', HOOK] : []), ...project.entry.nodeArgs, project.entry.script, ...project.entry.scriptArgs],
      ...(background ? { background: true } : {}),
      cwd: project.appRoot,
      env: {
        ...workerEnvironment(project, this.name, this.#env),
        CLOUDBENCH_CONTROL_PIPE: this.#controlPipe,
        ...this.#serviceRuntime?.environment,
        ...(s.recycleSignalEnabled ? { IISNODE_CONTROL_PIPE: this.#controlPipe } : {}),
      },
      startTimeoutMs: Math.max(1000, s.maxNamedPipeConnectionRetry * s.namedPipeConnectionRetryDelay),
    };
  }
}

function workerCount(project: ProjectModel, options: RoleInstanceOptions): number {
  if (options.background) return 1;
  const requested = options.workers ?? project.settings.nodeProcessCountPerApplication;
  return requested === 0 ? os.availableParallelism() : requested;
}

/** The instance options that come from the iisnode settings (and so change when the config does). */
function instanceSettings(project: ProjectModel): Pick<InstanceOptions, 'maxConcurrentRequestsPerProcess' | 'enableXFF' | 'devErrorsEnabled' | 'pooledConnectionAgeMs' | 'pooledConnectionsMax' | 'maxHeadSize' | 'iisnodeErrors' | 'stickySessions'> {
  const s = project.settings;
  return {
    stickySessions: s.nodeProcessStickySessions,
    iisnodeErrors: project.webConfig !== undefined,
    maxConcurrentRequestsPerProcess: s.maxConcurrentRequestsPerProcess,
    enableXFF: s.enableXFF,
    devErrorsEnabled: s.devErrorsEnabled,
    pooledConnectionAgeMs: s.maxNamedPipePooledConnectionAge,
    pooledConnectionsMax: s.maxNamedPipeConnectionPoolSize,
    maxHeadSize: s.maxRequestBufferSize,
  };
}

/** iisnode's debugger URLs, from the resolved settings (web.config, IISNODE_*, iisnode.yml). */
function debugUrlSettings(project: ProjectModel): { debuggingEnabled: boolean; debuggerPathSegment: string } {
  return { debuggingEnabled: project.settings.debuggingEnabled, debuggerPathSegment: project.settings.debuggerPathSegment };
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
