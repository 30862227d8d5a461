// The workbench's state behind the control API: the open project (a SiteHost), why the last open failed,
// recent projects, and the live feeds (topology, metrics, logs, requests, events) that survive opening and
// closing projects. It knows nothing of HTTP.
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import type { ErrorInfo } from '../shared/errors.js';
import { PROTOCOL_VERSION } from '../shared/protocol.js';
import type { InstanceView, LogRecordMessage, RequestRecordMessage, SiteEvent, Topology } from '../shared/protocol.js';
import { SiteHost } from '../hosting/site-host.js';
import type { SiteHostOptions } from '../hosting/site-host.js';
import type { RequestRecord } from '../hosting/instance.js';
import { loadProject } from '../project/load-project.js';
import { createDebug } from '../logs/debug.js';

const debug = createDebug('cloudbench:workbench');
const MAX_RECENT = 10;

export interface WorkbenchEventMap {
  /** Something in the topology changed (project opened/closed, worker state, generation). */
  topology: [];
  event: [event: SiteEvent];
  logs: [records: LogRecordMessage[]];
  requests: [records: RequestRecordMessage[]];
}

export interface WorkbenchOptions {
  readonly site: SiteHostOptions;
  /** Folder for recent.json. @default ~/.cloudbench (or $CLOUDBENCH_HOME) */
  readonly home?: string;
}

export class Workbench extends EventEmitter<WorkbenchEventMap> {
  #site: SiteHost | undefined;
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
    let site: SiteHost;
    try {
      site = new SiteHost(loadProject(folder), this.options.site);
      await site.start();
    } catch (err) {
      this.#projectError = isCloudbenchError(err) ? err.toJSON() : { code: 'CB_ERR_PROJECT_NOT_FOUND', status: 500, message: String(err), fix: '', params: {} };
      this.emit('topology');
      throw err;
    }
    this.#projectError = null;
    this.#site = site;
    this.#wire(site);
    this.#remember(site.project.folder);
    this.#event('project.opened', `Opened ${site.project.folder}; the app listens at ${site.url}`);
    this.emit('topology');
  }

  async close(): Promise<void> {
    await this.#opening.catch(() => undefined);
    const folder = this.#site?.project.folder;
    await this.#closeSite();
    this.#projectError = null;
    if (folder) this.#event('project.closed', `Closed ${folder}`);
    this.emit('topology');
  }

  async #closeSite(): Promise<void> {
    const site = this.#site;
    if (!site) return;
    for (const off of this.#detach.splice(0)) off();
    this.#site = undefined;
    await site.stop();
  }

  /** Forward the site's feeds while it is the open one. */
  #wire(site: SiteHost): void {
    const name = site.instance.options.name;
    const offLogs = site.logs.subscribe((batch) => this.emit('logs', batch));
    const offRequests = site.subscribeRequests((r) => this.#queueRequest(r));
    const topology = (): boolean => this.emit('topology');
    site.group.on('routable', topology);
    site.group.on('state', topology);
    site.group.on('exited', topology);
    const events: Array<[keyof typeof handlers, (...a: never[]) => void]> = [];
    const handlers = {
      recycling: ({ generation, files, reason }: { generation: number; files: string[]; reason?: string }) =>
        this.#event('recycling', `${reason !== undefined ? `${reason}: ` : files.length > 0 ? `${files.join(', ')} changed: ` : ''}recycling to generation ${generation}`, name),
      serving: ({ generation }: { generation: number }) => generation > 1 && this.#event('serving', `Generation ${generation} is serving`, name),
      'worker.exited': (w: { ordinal: number; pid: number | undefined; code: number | null; signal: string | null; expected: boolean }) => {
        if (!w.expected) this.#event('worker.exited', `Worker #${w.ordinal} (pid ${w.pid}) exited ${w.signal ? `on ${w.signal}` : `with code ${w.code}`}`, name);
      },
      failed: ({ message }: { message: string }) => {
        this.#event('failed', message.startsWith('the configuration') ? message.charAt(0).toUpperCase() + message.slice(1) : `The app keeps failing to start: ${message}`, name);
        this.emit('topology');
      },
    };
    for (const [event, handler] of Object.entries(handlers)) {
      site.events.on(event as 'recycling', handler as never);
      events.push([event as keyof typeof handlers, handler as never]);
    }
    this.#detach.push(offLogs, offRequests, () => {
      site.group.off('routable', topology);
      site.group.off('state', topology);
      site.group.off('exited', topology);
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
            instances: [instanceView(site)],
          }
        : null,
      projectError: this.#projectError ?? site?.configError?.toJSON() ?? null,
      cores: os.availableParallelism(),
      emulators: [],
    };
  }

  /** The worker views of every instance, for the metrics feed. */
  metrics(): Array<{ name: string; queued: number; workers: InstanceView['workers'] }> {
    const site = this.#site;
    if (!site) return [];
    const v = instanceView(site);
    return [{ name: v.name, queued: v.queued, workers: v.workers }];
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
    await this.#closeSite();
  }
}

function instanceView(site: SiteHost): InstanceView {
  const s = site.snapshot();
  const failure = site.group.failure;
  return {
    name: s.instance,
    state: s.state,
    generation: s.generation,
    workerCount: s.workerCount,
    queued: s.queued,
    workers: s.workers.map((w) => ({ ...w, exitCode: w.exitCode ?? null })),
    lastExitCodes: { ...s.lastExitCodes },
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
