// The workbench's state behind the control API: the open project (a SiteHost), why the last open failed,
// recent projects, and the live feeds (topology, metrics, logs, requests, events) that survive opening and
// closing projects. It knows nothing of HTTP.
import { unpackedPath } from '../shared/asar.js';
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import type { CloudbenchError, ErrorInfo } from '../shared/errors.js';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import type { InstanceView, LogRecordMessage, RequestRecordMessage, SiteEvent, Topology } from '../shared/protocol.js';
import { startConfigErrorSite } from '../hosting/config-error-site.js';
import type { ConfigErrorSite } from '../hosting/config-error-site.js';
import { SiteHost } from '../hosting/site-host.js';
import type { RoleInstance } from '../hosting/role-instance.js';
import type { SiteHostOptions } from '../hosting/site-host.js';
import type { RequestRecord } from '../hosting/instance.js';
import { loadProject } from '../project/load-project.js';
import { Fabric } from '../fabric/fabric.js';
import { loadFabricConfig } from '../fabric/fabric-config.js';
import type { FabricConfig } from '../fabric/fabric-config.js';
import { createDebug } from '../logs/debug.js';
import type { EmulatorEndpoints } from '../emulators/host.js';
import { watchFiles } from '../workers/watch.js';
import { describeProbeChange } from '../hosting/health-probe.js';
import type { ProbeChange } from '../hosting/health-probe.js';
import type { Watcher } from '../workers/watch.js';

const debug = createDebug('cloudbench:workbench');
const MAX_RECENT = 10;
/** The bundled samples. They run with the SDKs Cloudbench ships (NODE_PATH), so they need no npm install. */
export const SAMPLES_DIR = fileURLToPath(new URL('../../../resources/samples', import.meta.url));
// In the packaged app these SDKs are unpacked next to app.asar (build/sample-sdks.cjs): the user's node
// cannot read inside the archive.
const OWN_NODE_MODULES = unpackedPath(fileURLToPath(new URL('../../../node_modules', import.meta.url)));


export interface WorkbenchEventMap {
  /** Something in the topology changed (project opened/closed, worker state, generation). */
  topology: [];
  event: [event: SiteEvent];
  logs: [records: LogRecordMessage[]];
  requests: [records: RequestRecordMessage[]];
}

export interface WorkbenchOptions {
  readonly site: SiteHostOptions;
  /** The emulators started beside the runtime, shown in the topology and used by the explorers. */
  readonly emulators?: EmulatorEndpoints;
  /** Folder for recent.json. @default ~/.cloudbench (or $CLOUDBENCH_HOME) */
  readonly home?: string;
}

export class Workbench extends EventEmitter<WorkbenchEventMap> {
  #site: SiteHost | undefined;
  #fabric: Fabric | undefined;
  #fabricConfig: FabricConfig | undefined;
  /** Watches cloudbench.json and the .cscfg/.csdef files of the open project (live scaling by config edit). */
  #fabricWatcher: Watcher | undefined;
  #fabricReload: Promise<void> = Promise.resolve();
  /** While the open folder's web.config/iisnode.yml cannot be read: holds its port, explains, waits for a fix. */
  #errorSite: ConfigErrorSite | undefined;
  #projectError: ErrorInfo | null = null;
  #detach: Array<() => void> = [];
  readonly #home: string;
  #opening: Promise<void> = Promise.resolve();

  constructor(readonly options: WorkbenchOptions) {
    super();
    this.#home = options.home ?? process.env.CLOUDBENCH_HOME ?? path.join(os.homedir(), '.cloudbench');
  }

  get site(): SiteHost | undefined {
    return this.#site;
  }

  /** The open project's site, or CB_ERR_CONTROL_NO_PROJECT. */
  requireSite(): SiteHost {
    if (!this.#site) throw cbError('CB_ERR_CONTROL_NO_PROJECT');
    return this.#site;
  }

  /** Opens a folder (closing the current project first). A project error is kept for the UI and rethrown. */
  open(folder: string): Promise<void> {
    this.#opening = this.#opening.catch(() => undefined).then(() => this.#open(folder));
    return this.#opening;
  }

  async #open(folder: string): Promise<void> {
    await this.#closeSite();
    // Retrying the folder whose configuration was broken: keep its URL.
    const samePort = this.#errorSite !== undefined && this.#errorSite.folder === path.resolve(folder) ? this.#errorSite.port : undefined;
    let site: SiteHost;
    let fabric: Fabric;
    let fabricConfig: FabricConfig;
    try {
      const project = loadProject(folder);
      fabricConfig = loadFabricConfig(project.folder);
      await this.#closeErrorSite();
      const isSample = !path.relative(SAMPLES_DIR, project.folder).startsWith('..');
      const siteOptions = {
        ...this.options.site,
        instances: fabricConfig.instances,
        balancer: fabricConfig.balancer,
        workerRoles: fabricConfig.workerRoles,
        healthProbe: fabricConfig.healthProbe,
        // ServiceConfiguration.Local.cscfg's settings, as environment variables (as every environment's are) and
        // through azure.RoleEnvironment.
        settingsEnv: fabricConfig.localSettings,
        extraEnv: { CLOUDBENCH_ENVIRONMENT: 'local', CLOUDBENCH_SLOT: 'production', CLOUDBENCH_ROLE: 'web', ...(isSample ? { NODE_PATH: OWN_NODE_MODULES } : {}) },
        roleEnvironment: { deploymentId: 'local', webRole: fabricConfig.webRole, settings: fabricConfig.localSettings, workerRoleSettings: fabricConfig.workerRoleSettings['local'] ?? {} },
      };
      site = new SiteHost(project, samePort === undefined ? siteOptions : { ...siteOptions, port: samePort });
      await site.start();
      fabric = new Fabric({ config: fabricConfig, store: path.join(this.#home, 'deployments'), host: this.options.site.host, site: this.options.site });
      fabric.on('changed', () => this.emit('topology'));
      fabric.on('event', (message) => this.#event('fabric', message));
      try {
        await fabric.start();
      } catch (err) {
        await site.stop(0);
        throw err;
      }
    } catch (err) {
      this.#projectError = isCloudbenchError(err) ? err.toJSON() : { code: 'CB_ERR_PROJECT_NOT_FOUND', status: 500, message: String(err), fix: '', params: {} };
      if (isCloudbenchError(err) && err.code.startsWith('CB_ERR_CONFIG_')) await this.#serveConfigError(path.resolve(folder), err);
      else await this.#closeErrorSite();
      this.emit('topology');
      throw err;
    }
    this.#projectError = null;
    this.#site = site;
    this.#fabric = fabric;
    this.#fabricConfig = fabricConfig;
    this.#wire(site);
    this.#watchFabricConfig(site.project.folder);
    this.#remember(site.project.folder);
    this.#event('project.opened', `Opened ${site.project.folder}; the app listens at ${site.url}`);
    this.emit('topology');
  }

  async close(): Promise<void> {
    await this.#opening.catch(() => undefined);
    const folder = this.#site?.project.folder;
    await this.#closeSite();
    await this.#closeErrorSite();
    this.#projectError = null;
    if (folder) this.#event('project.closed', `Closed ${folder}`);
    this.emit('topology');
  }

  /** The URL answering with the configuration error page, while there is one. */
  get configErrorUrl(): string | undefined {
    return this.#errorSite?.url;
  }

  async #serveConfigError(folder: string, error: CloudbenchError): Promise<void> {
    if (this.#errorSite?.folder === folder) {
      this.#errorSite.error = error;
      return;
    }
    await this.#closeErrorSite();
    const site = this.options.site;
    try {
      this.#errorSite = await startConfigErrorSite({
        folder,
        error,
        host: site.host ?? '127.0.0.1',
        port: site.port ?? 8080,
        // A save of web.config or iisnode.yml: try again (the error stays shown if it is still broken).
        onChange: () => void this.open(folder).catch(() => undefined),
      });
    } catch (err) {
      debug('cannot serve the configuration error page: %s', String(err));
    }
  }

  async #closeErrorSite(): Promise<void> {
    const errorSite = this.#errorSite;
    this.#errorSite = undefined;
    await errorSite?.close();
  }

  /** Environments, slots and deployments of the open project. */
  get fabric(): Fabric | undefined {
    return this.#fabric;
  }

  get fabricConfig(): FabricConfig | undefined {
    return this.#fabricConfig;
  }

  /** Edits of cloudbench.json or a ServiceConfiguration/ServiceDefinition file apply while running. */
  #watchFabricConfig(folder: string): void {
    if (this.options.site.watch === false) return;
    this.#fabricWatcher = watchFiles({
      root: folder,
      watchedFiles: 'cloudbench.json;*.cscfg;*.csdef',
      onChange: () => {
        this.#fabricReload = this.#fabricReload.then(() => this.reloadFabricConfig()).catch((err: unknown) => this.#event('failed', `Applying the fabric configuration failed: ${err instanceof Error ? err.message : String(err)}`));
      },
    });
  }

  /**
   * Reads the fabric configuration again and applies what changed: the live folder's instance count,
   * balancer and worker role counts at once (as Azure's fabric does when `<Instances count>` changes), the
   * environments through Fabric.reconfigure. Only values that changed in the files are applied, so a count
   * set in the workbench stays until the file's own count changes. A broken file keeps everything as it is
   * and says where it is broken.
   */
  async reloadFabricConfig(): Promise<void> {
    const site = this.#site;
    const fabric = this.#fabric;
    const previous = this.#fabricConfig;
    if (!site || !fabric || !previous) return;
    let next: FabricConfig;
    try {
      next = loadFabricConfig(site.project.folder);
    } catch (err) {
      this.#event('failed', `${isCloudbenchError(err) ? err.message : String(err)} — the previous fabric configuration stays`);
      return;
    }
    if (this.#site !== site) return;
    const done: string[] = [];
    // Settings first, so that instances added by the same edit start with them.
    if (JSON.stringify([next.localSettings, next.workerRoleSettings['local']]) !== JSON.stringify([previous.localSettings, previous.workerRoleSettings['local']])) {
      site.setRoleSettings(next.localSettings, next.workerRoleSettings['local'] ?? {});
      site.setSettingsEnv(next.localSettings);
      done.push("local: settings changed; RoleEnvironment reports them now (changed event), the workers' environment variables from their next start (a recycle)");
    }
    if (next.instances !== previous.instances) {
      await site.setInstanceCount(next.instances);
      done.push(`local: ${previous.instances} → ${next.instances} instances`);
    }
    if (next.balancer !== previous.balancer) {
      site.balancer.policy = next.balancer;
      done.push(`local: balancer ${next.balancer}`);
    }
    if (JSON.stringify(next.healthProbe) !== JSON.stringify(previous.healthProbe)) {
      site.setHealthProbe(next.healthProbe);
      done.push(next.healthProbe === undefined ? 'local: no health probe' : `local: health probe ${next.healthProbe.protocol === 'http' ? `GET ${next.healthProbe.path}` : 'TCP'} every ${next.healthProbe.intervalMs / 1000} s`);
    }
    for (const role of next.workerRoles) {
      const before = previous.workerRoles.find((r) => r.name === role.name);
      if (before === undefined || before.script !== role.script) continue;
      if (before.instances !== role.instances) {
        await site.setWorkerRoleCount(role.name, role.instances);
        done.push(`local: worker role ${role.name} ${before.instances} → ${role.instances} instances`);
      }
    }
    const added = next.workerRoles.filter((r) => !previous.workerRoles.some((p) => p.name === r.name && p.script === r.script));
    const removed = previous.workerRoles.filter((p) => !next.workerRoles.some((r) => r.name === p.name && r.script === p.script));
    if (added.length + removed.length > 0) done.push(`worker roles ${[...added, ...removed].map((r) => r.name).join(', ')} added, removed or changed: reopen the project to run them in the live folder`);
    done.push(...(await fabric.reconfigure(next)));
    this.#fabricConfig = next;
    for (const message of done) this.#event('fabric', `Configuration: ${message}`);
    this.emit('topology');
  }

  async #closeSite(): Promise<void> {
    const watcher = this.#fabricWatcher;
    this.#fabricWatcher = undefined;
    await watcher?.close();
    const fabric = this.#fabric;
    this.#fabric = undefined;
    await fabric?.close();
    const site = this.#site;
    if (!site) return;
    for (const off of this.#detach.splice(0)) off();
    this.#site = undefined;
    await site.stop();
  }

  /** Forward the site's feeds while it is the open one. */
  #wire(site: SiteHost): void {
    const offLogs = site.logs.subscribe((batch) => this.emit('logs', batch));
    const offRequests = site.subscribeRequests((r) => this.#queueRequest(r));
    const topology = (): boolean => this.emit('topology');
    const events: Array<[keyof typeof handlers, (...a: never[]) => void]> = [];
    const handlers = {
      instances: topology,
      recycling: ({ instance, generation, files, reason }: { instance: string; generation: number; files: string[]; reason?: string }) =>
        this.#event('recycling', `${reason !== undefined ? `${reason}: ` : files.length > 0 ? `${files.join(', ')} changed: ` : ''}recycling to generation ${generation}`, instance),
      serving: ({ instance, generation }: { instance: string; generation: number }) => generation > 1 && this.#event('serving', `Generation ${generation} is serving`, instance),
      'worker.exited': (w: { instance: string; ordinal: number; pid: number | undefined; code: number | null; signal: string | null; expected: boolean }) => {
        if (!w.expected) this.#event('worker.exited', `Worker #${w.ordinal} (pid ${w.pid}) exited ${w.signal ? `on ${w.signal}` : `with code ${w.code}`}`, w.instance);
      },
      probe: (change: ProbeChange) => {
        this.#event('fabric', describeProbeChange(change), change.instance);
        this.emit('topology');
      },
      warning: ({ instance, message }: { instance: string; message: string }) => this.#event('warning', message, instance),
      failed: ({ instance, message }: { instance?: string; message: string }) => {
        this.#event('failed', message.startsWith('the configuration') ? message.charAt(0).toUpperCase() + message.slice(1) : `The app keeps failing to start: ${message}`, instance);
        this.emit('topology');
      },
    };
    for (const [event, handler] of Object.entries(handlers)) {
      site.events.on(event as 'recycling', handler as never);
      events.push([event as keyof typeof handlers, handler as never]);
    }
    this.#detach.push(offLogs, offRequests, () => {
      for (const [event, handler] of events) site.events.off(event as 'recycling', handler as never);
    });
  }

  /** Request records are handed out in batches every ~16 ms, never one event per request. */
  #pendingRequests: RequestRecordMessage[] = [];
  #requestTimer: NodeJS.Timeout | undefined;

  /** Set by the stream hub while some page follows the `requests` topic; otherwise records cost nothing extra. */
  liveRequests = false;

  #queueRequest(r: RequestRecord): void {
    if (!this.liveRequests) return;
    this.#pendingRequests.push(toRequestMessage(r));
    if (this.#requestTimer !== undefined) return;
    this.#requestTimer = setTimeout(() => {
      this.#requestTimer = undefined;
      const batch = this.#pendingRequests;
      this.#pendingRequests = [];
      this.emit('requests', batch);
    }, 16);
  }

  #event(kind: SiteEvent['kind'], message: string, instance?: string): void {
    debug('%s: %s', kind, message);
    this.emit('event', { time: Date.now(), kind, message, ...(instance === undefined ? {} : { instance }) });
  }

  topology(): Topology {
    const site = this.#site;
    return {
      version: PROTOCOL_VERSION,
      project: site
        ? {
            folder: site.project.folder,
            entry: site.project.entry.script,
            entrySource: site.project.entry.source,
            url: site.url,
            environment: 'local',
            warnings: [...site.project.warnings],
            instances: site.allInstances.map(instanceView),
          }
        : null,
      projectError: this.#projectError ?? site?.configError?.toJSON() ?? null,
      cores: os.availableParallelism(),
      emulators: (this.options.emulators?.status ?? []).map((e) => ({ name: e.name, url: e.url, state: e.state })),
    };
  }

  /** The worker views of every instance, for the metrics feed. */
  metrics(): Array<{ name: string; queued: number; workers: InstanceView['workers'] }> {
    const site = this.#site;
    if (!site) return [];
    return site.allInstances.map((role) => {
      const v = instanceView(role);
      return { name: v.name, queued: v.queued, workers: v.workers };
    });
  }

  /** The sample projects shipped in resources/samples (their package.json description says what they are). */
  samples(): Array<{ name: string; folder: string; description: string }> {
    try {
      return readdirSync(SAMPLES_DIR, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => {
          const folder = path.join(SAMPLES_DIR, d.name);
          let description = '';
          try {
            description = String((JSON.parse(readFileSync(path.join(folder, 'package.json'), 'utf8')) as { description?: unknown }).description ?? '');
          } catch {
            // A sample without a package.json still opens.
          }
          return { name: d.name, folder, description };
        })
        .sort((a, b) => (a.name === 'tasklist' ? -1 : b.name === 'tasklist' ? 1 : a.name.localeCompare(b.name)));
    } catch {
      return [];
    }
  }

  recent(): Array<{ folder: string; openedAt: number }> {
    try {
      const list: unknown = JSON.parse(readFileSync(path.join(this.#home, 'recent.json'), 'utf8'));
      if (!Array.isArray(list)) return [];
      return list.filter((e): e is { folder: string; openedAt: number } => typeof e?.folder === 'string' && typeof e?.openedAt === 'number').slice(0, MAX_RECENT);
    } catch {
      return [];
    }
  }

  #remember(folder: string): void {
    const list = [{ folder, openedAt: Date.now() }, ...this.recent().filter((e) => e.folder !== folder)].slice(0, MAX_RECENT);
    try {
      mkdirSync(this.#home, { recursive: true });
      writeFileSync(path.join(this.#home, 'recent.json'), `${JSON.stringify(list, null, 2)}\n`);
    } catch (err) {
      debug('cannot save recent projects: %s', String(err));
    }
  }

  async stop(): Promise<void> {
    await this.#opening.catch(() => undefined);
    await this.#closeErrorSite();
    await this.#closeSite();
  }
}

function instanceView(role: RoleInstance): InstanceView {
  const s = role.snapshot();
  const failure = role.group.failure;
  return {
    name: s.instance,
    state: s.state,
    generation: s.generation,
    workerCount: s.workerCount,
    queued: s.queued,
    workers: s.workers.map((w) => ({ ...w, exitCode: w.exitCode ?? null })),
    lastExitCodes: { ...s.lastExitCodes },
    ...(role.busy ? { outOfRotation: 'the app reported busy' } : role.probeFailing ? { outOfRotation: 'it fails its health probe' } : {}),
    ...(s.state === 'failed' ? { failure: failure?.exit.error?.message ?? failure?.worker.startError?.message ?? `the workers exited ${failure?.unstableExits ?? 0} times in a row while starting` } : {}),
  };
}

export function toRequestMessage(r: RequestRecord): RequestRecordMessage {
  return {
    id: r.id,
    time: r.time,
    method: r.method,
    url: r.url,
    status: r.status,
    durationMs: r.durationMs,
    queueMs: r.queueMs,
    instance: r.instance,
    worker: r.worker ?? null,
    pid: r.pid ?? null,
    retries: r.retries,
    error: r.error ?? null,
    requestHeaders: [...r.requestHeaders],
    responseHeaders: [...r.responseHeaders],
  };
}
