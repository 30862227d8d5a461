// Hosts one project folder the way a web role on Azure ran it under iisnode: a front end (the VIP) →
// load balancer → role instances (each: instance queue and dispatch, workers, log capture, stats), with file
// watching for auto-update and configuration reload shared by all instances. This is the runtime API the
// control API, the fabric and the CLI use; it knows nothing of them.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import { LogStore } from '../logs/log-store.js';
import { loadProject } from '../project/load-project.js';
import type { ProjectModel } from '../project/load-project.js';
import { watchFiles } from '../workers/watch.js';
import type { Watcher } from '../workers/watch.js';
import type { GroupState } from '../workers/worker-group.js';
import type { WorkerGroup } from '../workers/worker-group.js';
import { startFrontEnd } from './front-end.js';
import type { FrontEnd } from './front-end.js';
import type { Instance, RequestRecord } from './instance.js';
import { LoadBalancer } from './load-balancer.js';
import { HealthProber } from './health-probe.js';
import type { HealthProbeSettings, ProbeTarget } from './health-probe.js';
import type { WorkerAddress } from '../workers/worker.js';
import type { BalancerMember, BalancerPolicy } from './load-balancer.js';
import { RoleInstance } from './role-instance.js';
import type { InstanceSnapshot, SiteEventMap } from './role-instance.js';
import type { LogCapture } from '../logs/log-capture.js';

export type { SiteEventMap, WorkerView, InstanceSnapshot } from './role-instance.js';
export { workerEnvironment } from './role-instance.js';

export interface SiteHostOptions {
  /** @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 8080 */
  readonly port?: number;
  /** Listen on host:port (the site's VIP). The fabric puts sites behind VIPs of its own instead. @default true */
  readonly listen?: boolean;
  /** Recycle on watchedFiles changes and reload on web.config/iisnode.yml edits. @default true */
  readonly watch?: boolean;
  /** Role instances behind the load balancer. @default 1 */
  readonly instances?: number;
  /** @default "round-robin" */
  readonly balancer?: BalancerPolicy;
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
  /** Name of the first instance in logs and pages; later ones get `_1`, `_2`… @default "local" */
  readonly instanceName?: string;
  /** After SIGTERM, how long a worker may take to exit before SIGKILL. @default 5000 */
  readonly killTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Variables every worker of every instance gets on top of `env` (identity, slot settings). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /**
   * Settings given to workers as variables, between `env` and `extraEnv` (which wins); replaced as a whole by
   * setSettingsEnv, so a removed setting falls back to `env`'s value.
   */
  readonly settingsEnv?: Readonly<Record<string, string>>;
  /**
   * What `azure.RoleEnvironment` answers in every instance (service-runtime.ts): the deployment, the web role's
   * name (worker role instances get their own) and the role settings (`workerRoleSettings` for a worker role
   * that has its own, `settings` otherwise).
   */
  readonly roleEnvironment?: RoleEnvironmentOptions;
  /** Worker roles: background scripts (queue consumers…) run beside the web role, with no VIP. */
  readonly workerRoles?: ReadonlyArray<WorkerRoleConfig>;
  /** The load balancer's health probe of each instance (csdef <LoadBalancerProbe>, cloudbench.json healthProbe). */
  readonly healthProbe?: HealthProbeSettings;
}

/** What every instance's `azure.RoleEnvironment` answers (SiteHostOptions.roleEnvironment). */
export interface RoleEnvironmentOptions {
  readonly deploymentId: string;
  readonly webRole: string;
  /** The web role's settings; also a worker role's when `workerRoleSettings` has none for it. */
  readonly settings: Readonly<Record<string, string>>;
  /** Worker roles' own settings, by role name (the cscfg `<Role>` of each). */
  readonly workerRoleSettings?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** The variables that name an instance (and a worker role's role), as #newInstance and #newWorkerRoleInstance set them. */
function identityOf(role: RoleInstance): Record<string, string> {
  const { CLOUDBENCH_ROLE, CLOUDBENCH_INSTANCE_ID } = role.options.env;
  return { ...(role.options.background && CLOUDBENCH_ROLE !== undefined ? { CLOUDBENCH_ROLE } : {}), CLOUDBENCH_INSTANCE_ID: CLOUDBENCH_INSTANCE_ID ?? role.name };
}

export interface WorkerRoleConfig {
  readonly name: string;
  /** Relative to the project folder. */
  readonly script: string;
  readonly instances: number;
}

export interface SiteSnapshot extends InstanceSnapshot {
  readonly url: string;
  readonly folder: string;
  readonly entry: string;
}

const HEADERS_KEPT = 200;
const NO_HEADERS: readonly string[] = Object.freeze([]);

class Member implements BalancerMember, ProbeTarget {
  /** Failed the health probe (HealthProber): out of rotation while another instance passes it. */
  get probeFailing(): boolean {
    return this.role.probeFailing;
  }
  set probeFailing(failing: boolean) {
    this.role.probeFailing = failing;
  }
  constructor(
    readonly role: RoleInstance,
    /** Whether some other instance is healthy and passes the probe (else a failing probe excludes no one). */
    private readonly othersPass: () => boolean,
  ) {}
  get name(): string {
    return this.role.name;
  }
  get router(): RoleInstance['router'] {
    return this.role.router;
  }
  get healthy(): boolean {
    return this.role.healthy && (!this.probeFailing || !this.othersPass());
  }
  get accepting(): boolean {
    return this.role.accepting && (!this.probeFailing || !this.othersPass());
  }
  address(): WorkerAddress | undefined {
    return this.role.group.routable[0]?.address;
  }
  get load(): number {
    return this.role.instance.queued + this.role.group.routable.reduce((n, w) => n + w.active, 0);
  }
}

export class SiteHost {
  readonly events = new EventEmitter<SiteEventMap>();
  /** Room for a burst of 10,000 lines a second for 10 s and then some. */
  readonly logs = new LogStore({ capacity: 200_000 });
  readonly requests: RequestRecord[] = [];
  readonly #requestListeners = new Set<(r: RequestRecord) => void>();
  readonly balancer: LoadBalancer;
  /** Instances in the site (in the balancer once ready), oldest first. */
  #members: Member[] = [];
  #background: RoleInstance[] = [];
  /** The next instance index per worker role (names are never reused, as Azure's are not). */
  readonly #nextRoleIndex = new Map<string, number>();
  #nextIndex = 0;
  #frontEnd: FrontEnd | undefined;
  #watcher: Watcher | undefined;
  #configWatcher: Watcher | undefined;
  #stopping: Promise<void> | undefined;
  #started = false;
  #project: ProjectModel;
  #scaling: Promise<void> = Promise.resolve();
  #prober: HealthProber | undefined;
  /** Why the last edit of web.config / iisnode.yml could not be applied (the previous settings stay). */
  configError: CloudbenchError | undefined;

  constructor(
    project: ProjectModel,
    readonly options: SiteHostOptions = {},
  ) {
    this.#project = project;
    this.balancer = new LoadBalancer({
      name: options.instanceName ?? 'local',
      policy: options.balancer,
      queueLength: options.queueLength ?? 1000,
      queueTimeoutMs: options.queueTimeoutMs ?? 30_000,
    });
    this.events.on('instances', () => this.balancer.pump());
    const count = options.instances ?? 1;
    if (!Number.isInteger(count) || count < 1) throw cbError('CB_ERR_CONFIG_VALUE', { option: 'instances', value: String(count), expected: 'a whole number of at least 1' });
    for (let i = 0; i < count; i++) this.#members.push(this.#newMember());
    for (const role of options.workerRoles ?? []) {
      for (let i = 0; i < role.instances; i++) this.#background.push(this.#newWorkerRoleInstance(role));
    }
    if (options.healthProbe !== undefined) this.setHealthProbe(options.healthProbe);
  }

  #newMember(): Member {
    const member: Member = new Member(this.#newInstance(), () => this.#members.some((m) => m !== member && m.role.healthy && !m.probeFailing));
    return member;
  }

  /**
   * The balancer's health probe (see health-probe.ts), or none. Takes effect at once: instances a previous
   * probe had taken out come back until the new one has judged them.
   */
  setHealthProbe(settings: HealthProbeSettings | undefined): void {
    this.#prober?.stop();
    this.#prober = settings === undefined ? undefined : new HealthProber(settings, () => this.#members, (change) => {
      this.events.emit('probe', change);
      this.events.emit('instances');
    });
    if (this.#started && this.#stopping === undefined) this.#prober?.start();
    this.events.emit('instances');
  }

  get healthProbe(): HealthProbeSettings | undefined {
    return this.#prober?.settings;
  }

  #newWorkerRoleInstance(role: WorkerRoleConfig): RoleInstance {
    const index = this.#nextRoleIndex.get(role.name) ?? 0;
    this.#nextRoleIndex.set(role.name, index + 1);
    const name = `${role.name}_IN_${index}`;
    const env = this.#instanceEnv({ CLOUDBENCH_ROLE: role.name, CLOUDBENCH_INSTANCE_ID: name });
    return new RoleInstance(
      this.#project,
      { name, env, hook: this.options.hook, killTimeoutMs: this.options.killTimeoutMs, background: { script: path.resolve(this.#project.folder, role.script) }, ...this.#roleEnvironment(role.name) },
      this.logs,
      this.events,
      (r) => this.#onRequest(r),
    );
  }

  /** The role settings of the last configuration edit, over the options' own. */
  #roleSettings: Pick<RoleEnvironmentOptions, 'settings' | 'workerRoleSettings'> | undefined;

  #settingsOf(roleName: string): Readonly<Record<string, string>> {
    const re = this.#roleSettings ?? this.options.roleEnvironment;
    if (re === undefined) return {};
    return (roleName !== this.options.roleEnvironment?.webRole && re.workerRoleSettings?.[roleName]) || re.settings;
  }

  #roleEnvironment(roleName: string | undefined): { roleEnvironment?: { deploymentId: string; roleName: string; settings: Readonly<Record<string, string>> } } {
    const re = this.options.roleEnvironment;
    if (re === undefined || roleName === undefined) return {};
    return { roleEnvironment: { deploymentId: re.deploymentId, roleName, settings: this.#settingsOf(roleName) } };
  }

  /** The settings layer of the workers' variables (options.settingsEnv, then setSettingsEnv's). */
  #settingsEnv: Readonly<Record<string, string>> | undefined;

  /**
   * New settings as variables: every instance's workers get them from their next start (RoleInstance.setEnvironment),
   * new instances at once; a setting no longer there falls back to the base environment's value.
   */
  setSettingsEnv(settings: Readonly<Record<string, string>>): void {
    this.#settingsEnv = settings;
    for (const role of this.allInstances) role.setEnvironment(this.#instanceEnv(identityOf(role)));
  }

  /** Base environment, then the settings, then extraEnv, then the instance's identity. */
  #instanceEnv(identity: Record<string, string>): NodeJS.ProcessEnv {
    return { ...(this.options.env ?? process.env), ...(this.#settingsEnv ?? this.options.settingsEnv), ...this.options.extraEnv, ...identity };
  }

  /** New role settings (a configuration edit): every instance's RoleEnvironment reports `changed`; new instances start with them. */
  setRoleSettings(settings: Readonly<Record<string, string>>, workerRoleSettings?: RoleEnvironmentOptions['workerRoleSettings']): void {
    this.#roleSettings = { settings, ...(workerRoleSettings ? { workerRoleSettings } : {}) };
    for (const role of this.allInstances) {
      const roleName = role.options.roleEnvironment?.roleName;
      if (roleName !== undefined) role.updateRoleSettings(this.#settingsOf(roleName));
    }
  }

  get project(): ProjectModel {
    return this.#project;
  }

  get url(): string {
    return this.#frontEnd?.url ?? '';
  }

  /** Every web role instance of the site, oldest first. */
  get roleInstances(): readonly RoleInstance[] {
    return this.#members.map((m) => m.role);
  }

  /** The worker roles' instances (background scripts; never in the balancer). */
  get workerRoleInstances(): readonly RoleInstance[] {
    return this.#background;
  }

  /** Web and worker role instances. */
  get allInstances(): readonly RoleInstance[] {
    return [...this.roleInstances, ...this.#background];
  }

  /** The first instance's parts (a one-instance site, as most are). */
  get group(): WorkerGroup {
    return (this.#members[0] as Member).role.group;
  }

  get instance(): Instance {
    return (this.#members[0] as Member).role.instance;
  }

  get capture(): LogCapture {
    return (this.#members[0] as Member).role.capture;
  }

  /** Starts the instances (each joins the balancer when ready) and the listener. */
  async start(): Promise<void> {
    this.#started = true;
    await Promise.all([...this.#members.map((m) => this.#startMember(m)), ...this.#background.map((r) => r.start())]);
    this.#prober?.start();
    if (this.options.listen ?? true) {
      try {
        this.#frontEnd = await startFrontEnd(this.balancer, {
          host: this.options.host ?? '127.0.0.1',
          port: this.options.port ?? 8080,
          maxHeaderSize: this.project.settings.maxRequestBufferSize,
        });
      } catch (err) {
        await Promise.all(this.#members.map((m) => m.role.stop(0)));
        throw err;
      }
    }
    if (this.options.watch ?? true) {
      this.#watch();
      this.#configWatcher = watchFiles({ root: this.project.folder, watchedFiles: configFiles(this.project), keepWebConfig: true, onChange: () => void this.reload() });
    }
  }

  #newInstance(): RoleInstance {
    const index = this.#nextIndex++;
    const base = this.options.instanceName ?? 'local';
    const name = index === 0 ? base : `${base}_${index}`;
    const env = this.#instanceEnv({ CLOUDBENCH_INSTANCE_ID: name });
    return new RoleInstance(
      this.#project,
      { name, workers: this.options.workers, queueLength: this.options.queueLength, queueTimeoutMs: this.options.queueTimeoutMs, workerPort: this.options.workerPort, hook: this.options.hook, killTimeoutMs: this.options.killTimeoutMs, env, ...this.#roleEnvironment(this.options.roleEnvironment?.webRole) },
      this.logs,
      this.events,
      (r) => this.#onRequest(r),
    );
  }

  async #startMember(member: Member): Promise<void> {
    if (this.configError) member.role.configError = this.configError;
    await member.role.start();
    // In the balancer from the start: it takes requests only once healthy (a ready worker), and requests
    // that arrive before that wait in the balancer's queue or the instance's.
    this.balancer.add(member);
    this.events.emit('instances');
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
      for (const m of this.#members) m.role.configError = this.configError;
      this.events.emit('failed', { message: `the configuration cannot be applied: ${this.configError.message}` });
      return;
    }
    this.configError = undefined;
    const watchedChanged = next.settings.watchedFiles !== this.#project.settings.watchedFiles || next.appRoot !== this.#project.appRoot;
    this.#project = next;
    for (const m of this.#members) {
      m.role.configError = undefined;
      m.role.reconfigure(next);
    }
    for (const r of this.#background) r.reconfigure(next);
    if (watchedChanged && this.#watcher !== undefined) {
      await this.#watcher.close();
      this.#watch();
    }
    this.recycle([], 'the configuration changed');
  }

  /** Resolves when every worker of every instance's current generation is ready (or a group failed). */
  async whenReady(): Promise<GroupState> {
    const states = await Promise.all(this.#members.map((m) => m.role.whenReady()));
    return states.find((s) => s !== 'running') ?? 'running';
  }

  /** The watcher's initial scan is done: file changes from now on recycle. */
  async watching(): Promise<void> {
    await this.#watcher?.ready;
  }

  /** Start a new generation of workers in every instance (a watched file changed, or the user asked). */
  recycle(files: string[] = [], reason?: string): void {
    for (const r of this.allInstances) r.recycle(files, reason);
  }

  /** Stop every worker now and start a new generation (no draining). */
  restart(): void {
    for (const r of this.allInstances) r.restart();
  }

  killWorker(id: string): boolean {
    return this.allInstances.some((r) => r.group.kill(id));
  }

  setWorkerCount(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw cbError('CB_ERR_CONFIG_VALUE', { option: 'workers', value: n, expected: 'a whole number of at least 1' });
    for (const m of this.#members) m.role.group.setCount(n);
  }

  /**
   * Scale the site to `n` instances, live. New instances start and join the balancer when ready; removed
   * ones (the newest) leave the balancer first, then drain their in-flight requests and stop.
   */
  setInstanceCount(n: number, drainMs = this.#project.settings.gracefulShutdownTimeout): Promise<void> {
    if (!Number.isInteger(n) || n < 1 || n > 64) throw cbError('CB_ERR_CONFIG_VALUE', { option: 'instances', value: n, expected: 'a whole number from 1 to 64' });
    this.#scaling = this.#scaling.catch(() => undefined).then(async () => {
      if (this.#stopping) return;
      const adding: Member[] = [];
      while (this.#members.length + adding.length < n) adding.push(this.#newMember());
      const removing = this.#members.length > n ? this.#members.slice(n) : [];
      if (removing.length > 0) {
        this.#members = this.#members.slice(0, n);
        for (const m of removing) this.balancer.remove(m);
        this.events.emit('instances');
      }
      this.#members.push(...adding);
      if (this.#started) {
        await Promise.all(adding.map((m) => this.#startMember(m)));
        // Resolve once the new instances serve (or failed to start): callers scale, then expect the capacity.
        await Promise.all(adding.map((m) => m.role.whenReady()));
      }
      await Promise.all(removing.map((m) => this.#retire(m, drainMs)));
      this.events.emit('instances');
    });
    return this.#scaling;
  }

  /** The instances of one worker role, oldest first. */
  workerRole(name: string): readonly RoleInstance[] {
    return this.#background.filter((r) => r.options.env.CLOUDBENCH_ROLE === name);
  }

  /**
   * Scales a worker role to `n` instances: new ones start (resolving once their script runs), the newest extra
   * ones stop gracefully (gracefulShutdownTimeout, then killed), as Azure removes the highest instance ids.
   */
  setWorkerRoleCount(name: string, n: number): Promise<void> {
    const role = (this.options.workerRoles ?? []).find((r) => r.name === name);
    if (!role) throw cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'worker role', name });
    if (!Number.isInteger(n) || n < 1 || n > 64) throw cbError('CB_ERR_CONFIG_VALUE', { option: `instances of worker role ${name}`, value: n, expected: 'a whole number from 1 to 64' });
    this.#scaling = this.#scaling.catch(() => undefined).then(async () => {
      if (this.#stopping) return;
      const current = this.workerRole(name);
      const adding: RoleInstance[] = [];
      while (current.length + adding.length < n) adding.push(this.#newWorkerRoleInstance(role));
      const removing = current.slice(n);
      this.#background = [...this.#background.filter((r) => !removing.includes(r)), ...adding];
      this.events.emit('instances');
      if (this.#started) await Promise.all(adding.map((r) => r.start()));
      await Promise.all(removing.map((r) => r.stop(this.#project.settings.gracefulShutdownTimeout)));
      this.events.emit('instances');
    });
    return this.#scaling;
  }

  /**
   * An instance fails (as a VM would): it leaves the balancer, its workers are killed, and the site starts a
   * replacement that joins when ready. Requests go to the other instances meanwhile.
   */
  async killInstance(name: string): Promise<string> {
    const member = this.#members.find((m) => m.role.name === name);
    if (member === undefined) throw cbError('CB_ERR_CONTROL_NOT_FOUND', { what: 'instance', name });
    const replacement = this.#newMember();
    this.#members = this.#members.map((m) => (m === member ? replacement : m));
    const stopping = this.#retire(member, 0);
    this.events.emit('instances');
    await stopping;
    await this.#startMember(replacement);
    return replacement.role.name;
  }

  /** An instance leaves the rotation for good: what it still holds goes to the other instances. */
  #retire(member: Member, drainMs: number): Promise<void> {
    this.balancer.remove(member);
    member.role.instance.handoff = (ex) => {
      ex.placedOn = undefined;
      ex.avoid = undefined;
      this.balancer.route(ex);
    };
    return member.role.stop(drainMs);
  }

  subscribeRequests(listener: (r: RequestRecord) => void): () => void {
    this.#requestListeners.add(listener);
    return () => this.#requestListeners.delete(listener);
  }

  /** The first instance, with the site's URL and folder (a one-instance site's whole state). */
  snapshot(): SiteSnapshot {
    return { ...(this.#members[0] as Member).role.snapshot(), url: this.url, folder: this.project.folder, entry: this.project.entry.script };
  }

  snapshots(): InstanceSnapshot[] {
    return this.allInstances.map((r) => r.snapshot());
  }

  /** Stop accepting, let in-flight requests finish for up to drainMs, stop the workers, flush logs. */
  stop(drainMs = 2000): Promise<void> {
    this.#stopping ??= (async () => {
      this.#prober?.stop();
      await this.#watcher?.close();
      await this.#configWatcher?.close();
      await this.#scaling.catch(() => undefined);
      const closing = this.#frontEnd?.close();
      await Promise.all(this.allInstances.map((r) => r.stop(drainMs)));
      this.balancer.close();
      await closing;
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

/** web.config and the iisnode.yml it names, as a watchedFiles list relative to the project folder. */
function configFiles(project: ProjectModel): string {
  const yml = path.relative(project.folder, path.join(project.appRoot, project.settings.configOverrides)).split(path.sep).join('/');
  return `web.config;${yml}`;
}
