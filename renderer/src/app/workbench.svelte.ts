// The workbench's shared state: the API and stream clients, the topology (project, instances, workers)
// kept live from the `topology` and `metrics` topics, the site events, and the actions the views run
// with their progress and errors. One instance per page, provided through context (setWorkbench /
// useWorkbench).
import { getContext, setContext } from 'svelte';
import { ApiError, createApi, errorInfo } from '../lib/api';
import type { Api } from '../lib/api';
import { StreamClient } from '../lib/stream';
import type { ServerMessageOf, StreamStatus } from '../lib/stream';
import type { ErrorInfoMessage, InstanceView, SiteEvent, Topology, WorkerView } from '../lib/protocol';

export interface Notice {
  id: number;
  title: string;
  error: ErrorInfoMessage;
}

type Metrics = ServerMessageOf<'metrics'>;

const MAX_EVENTS = 200;

/** The topology's instances with the newest per-worker numbers from the metrics topic. */
function mergeMetrics(instances: readonly InstanceView[], metrics: Metrics | null, metricsNewer: boolean): InstanceView[] {
  if (!metrics) return [...instances];
  return instances.map((inst) => {
    const m = metrics.instances.find((i) => i.name === inst.name);
    if (!m) return inst;
    if (metricsNewer) return { ...inst, queued: m.queued, workers: m.workers };
    // The topology is fresher about which workers exist; metrics still know their numbers.
    return {
      ...inst,
      workers: inst.workers.map((w): WorkerView => {
        const n = m.workers.find((x) => x.id === w.id);
        return n ? { ...w, cpu: w.cpu ?? n.cpu, rss: w.rss ?? n.rss } : w;
      }),
    };
  });
}

export class WorkbenchState {
  readonly api: Api;
  readonly stream: StreamClient;

  topology = $state.raw<Topology | null>(null);
  /** Why the state could not be loaded (other than a bad token). */
  loadError = $state.raw<ErrorInfoMessage | null>(null);
  /** Set when the runtime refuses our token: the page must be reopened from the printed URL. */
  unauthorized = $state.raw<ErrorInfoMessage | null>(null);
  connection = $state.raw<StreamStatus>({ state: 'connecting', attempt: 0 });
  events = $state.raw<readonly SiteEvent[]>([]);
  notices = $state.raw<readonly Notice[]>([]);
  /** Keys of actions under way (e.g. `kill:7`), for buttons to show progress and not fire twice. */
  pending = $state.raw<readonly string[]>([]);

  #metrics = $state.raw<Metrics | null>(null);
  #metricsNewer = $state(false);
  #noticeId = 0;

  readonly project = $derived(this.topology?.project ?? null);
  readonly cores = $derived(this.topology?.cores ?? 1);
  readonly instances = $derived(mergeMetrics(this.topology?.project?.instances ?? [], this.#metrics, this.#metricsNewer));

  constructor(token: string, origin: string) {
    this.api = createApi(token);
    this.stream = new StreamClient({
      origin,
      token,
      onStatus: (s) => {
        this.connection = s;
        // A socket that keeps failing may mean a runtime restarted with a new token: ask over HTTP, which
        // says so (401) where a failed WebSocket handshake cannot.
        if (s.state === 'waiting' && s.attempt >= 2) void this.refresh();
      },
    });
  }

  /** Connects and loads; returns the teardown. Call once, from the root component's effect. */
  start = (): (() => void) => {
    const offs = [
      this.stream.on('topology', (m) => this.setTopology(m.topology)),
      this.stream.on('metrics', (m) => {
        this.#metrics = m;
        this.#metricsNewer = true;
      }),
      this.stream.on('event', (m) => {
        const next = [...this.events, m.event];
        this.events = next.length > MAX_EVENTS ? next.slice(-MAX_EVENTS) : next;
      }),
      this.stream.on('error', (m) => this.#notify('The runtime reported an error', m.error)),
      this.stream.on('hello', () => {}),
      // Every (re)connection: the state may have moved on while we were away.
      this.stream.onOpen(() => void this.refresh()),
      this.stream.subscribe(['topology', 'metrics', 'events']),
    ];
    this.stream.start();
    void this.refresh();
    return () => {
      for (const off of offs) off();
      this.stream.stop();
    };
  };

  refresh = async (): Promise<void> => {
    try {
      this.setTopology(await this.api.state());
      this.loadError = null;
    } catch (err) {
      this.#failed(err);
    }
  };

  setTopology = (topology: Topology): void => {
    this.topology = topology;
    this.#metricsNewer = false;
  };

  /**
   * Runs an action under a key: the key is pending meanwhile, a failure becomes a notice. Resolves with
   * the action's result, or undefined when it failed.
   */
  act = async <T>(key: string, title: string, action: () => Promise<T>): Promise<T | undefined> => {
    if (this.pending.includes(key)) return undefined;
    this.pending = [...this.pending, key];
    try {
      return await action();
    } catch (err) {
      if (!this.#failed(err)) this.#notify(title, errorInfo(err));
      return undefined;
    } finally {
      this.pending = this.pending.filter((k) => k !== key);
    }
  };

  isPending = (key: string): boolean => this.pending.includes(key);

  dismiss = (id: number): void => {
    this.notices = this.notices.filter((n) => n.id !== id);
  };

  #notify(title: string, error: ErrorInfoMessage): void {
    const next = [...this.notices, { id: ++this.#noticeId, title, error }];
    this.notices = next.slice(-5);
  }

  /** Handles the failures that concern the whole page; returns true when it did. */
  #failed(err: unknown): boolean {
    if (err instanceof ApiError && err.status === 401) {
      this.unauthorized = err.info;
      this.stream.stop();
      return true;
    }
    if (err instanceof ApiError && err.info.code === 'CB_ERR_UI_UNREACHABLE') {
      this.loadError = err.info;
      return false;
    }
    if (this.topology === null) this.loadError = errorInfo(err);
    return false;
  }
}

const KEY = Symbol.for('cloudbench.workbench');
export const setWorkbench = (state: WorkbenchState): WorkbenchState => setContext(KEY, state);
export const useWorkbench = (): WorkbenchState => getContext<WorkbenchState>(KEY);
