// The merged log of every worker: a backlog from ROUTES.logs, then the live tail from the `logs` topic.
// Built to stay responsive at 10,000 lines a second:
// - lines are queued as they arrive and applied once per animation frame (FrameQueue);
// - the buffer is capped (CAP lines; the oldest tenth goes when it is full, so trimming is rare);
// - the filtered rows are `$state.raw` and replaced wholesale once per frame: new lines are filtered on
//   their own and appended, and only a filter change re-filters the whole buffer;
// - the list on screen is virtualized, so its cost does not grow with the buffer.
import { getContext, setContext } from 'svelte';
import type { WorkbenchState } from '../../app/workbench.svelte';
import { errorInfo } from '../../lib/api';
import { attachBackfilledFeed } from '../../lib/backfilled-feed';
import { FrameQueue } from '../../lib/frame-queue';
import { compileFilter, EMPTY_FILTER } from '../../lib/log-filter';
import type { LogFilter, LogPredicate } from '../../lib/log-filter';
import { formatClock, formatLogLine } from '../../lib/format';
import type { ErrorInfoMessage, LogQueryMessage, LogRecordMessage } from '../../lib/protocol';

export const CAP = 200_000;
const BACKLOG = 20_000;
const GAP_LIMIT = 100_000;

/** First index whose seq is >= seq (rows are in seq order). */
export function firstAtOrAfter(rows: readonly LogRecordMessage[], seq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rows[mid] as LogRecordMessage).seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class LogsState {
  /** The records that pass the filter, oldest first. */
  rows = $state.raw<readonly LogRecordMessage[]>([]);
  filter = $state.raw<LogFilter>(EMPTY_FILTER);
  filterError = $state<string | null>(null);
  paused = $state(false);
  timestamps = $state(true);
  /** Lines that arrived while paused, shown on resume. */
  held = $state(0);
  /** Lines in the buffer, filtered or not. */
  total = $state(0);
  /** Lines dropped from the head because of the cap (or while the tab was hidden). */
  dropped = $state(0);
  loading = $state(false);
  loadError = $state.raw<ErrorInfoMessage | null>(null);
  exporting = $state(false);
  /** Every worker seen in the log, for the worker filter (exited workers included). */
  workers = $state.raw<ReadonlyArray<{ instance: string; worker: string; pid: number }>>([]);

  readonly #wb: WorkbenchState;
  #all: LogRecordMessage[] = [];
  #heldLines: LogRecordMessage[] = [];
  #predicate: LogPredicate | null = null;
  #lastSeq = -1;
  // Bookkeeping for `workers`, read only here: a plain object, deliberately not reactive.
  readonly #seenWorkers: Record<string, true> = Object.create(null);
  readonly #queue = new FrameQueue<LogRecordMessage>((items, dropped) => this.#apply(items, dropped), CAP);

  constructor(wb: WorkbenchState, initial: Partial<LogFilter> = {}) {
    this.#wb = wb;
    this.setFilter(initial);
  }

  /** Live while the Logs view is shown: fills the gap since the last line, then tails. Returns the teardown. */
  attach = (): (() => void) => {
    const { stream } = this.#wb;
    return attachBackfilledFeed<LogRecordMessage>({
      listen: (handler) => stream.on('logs', (m) => handler(m.records)),
      subscribe: () => stream.subscribe(['logs']),
      // Records written while the socket was down are in the runtime's store: the feed fetches them.
      onOpen: (handler) => stream.onOpen(handler),
      load: async (signal) => {
        const query: LogQueryMessage = this.#lastSeq >= 0 ? { afterSeq: this.#lastSeq, limit: GAP_LIMIT } : { limit: BACKLOG };
        return (await this.#wb.api.logs({ query, signal })).records;
      },
      receive: (records) => this.#receive(records),
      setLoading: (loading) => (this.loading = loading),
      setError: (err) => (this.loadError = err === null ? null : errorInfo(err)),
    });
  };

  setFilter = (patch: Partial<LogFilter>): void => {
    this.filter = { ...this.filter, ...patch };
    const { predicate, error } = compileFilter(this.filter);
    this.#predicate = predicate;
    this.filterError = error;
    this.rows = predicate ? this.#all.filter(predicate) : this.#all.slice();
  };

  /** Shows one worker's lines (the "logs" action of a worker card). */
  showWorker = (instance: string, worker: string): void => {
    this.setFilter({ ...EMPTY_FILTER, instance, worker });
  };

  pause = (): void => {
    this.paused = true;
  };

  resume = (): void => {
    this.paused = false;
    const lines = this.#heldLines;
    this.#heldLines = [];
    this.held = 0;
    if (lines.length > 0) this.#append(lines);
  };

  clear = (): void => {
    this.#all = [];
    this.#heldLines = [];
    this.#queue.clear();
    this.rows = [];
    this.total = 0;
    this.held = 0;
    this.dropped = 0;
  };

  /** Downloads the lines that match: the runtime's export when it can apply the filter, else built here. */
  exportLines = async (): Promise<void> => {
    this.exporting = true;
    try {
      const f = this.filter;
      let blob: Blob;
      if (f.fields.trim() === '') {
        blob = await this.#wb.api.exportLogs({
          instance: f.instance || undefined,
          worker: f.worker || undefined,
          stream: f.stream || undefined,
          text: f.text || undefined,
        });
      } else {
        blob = new Blob([this.rows.map(formatLogLine).join('\n') + '\n'], { type: 'text/plain' });
      }
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `cloudbench-logs-${formatClock(Date.now()).replace(/[:.]/g, '')}.log`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.loadError = errorInfo(err);
    } finally {
      this.exporting = false;
    }
  };

  /** Queues records not seen before (seq grows monotonically). */
  #receive(records: readonly LogRecordMessage[]): void {
    let fresh: LogRecordMessage[] | null = null;
    for (const r of records) {
      if (r.seq <= this.#lastSeq) continue;
      this.#lastSeq = r.seq;
      (fresh ??= []).push(r);
    }
    if (fresh) this.#queue.push(fresh);
  }

  /** Once per frame. */
  #apply(items: LogRecordMessage[], dropped: number): void {
    this.dropped += dropped;
    if (this.paused) {
      for (const r of items) this.#heldLines.push(r);
      if (this.#heldLines.length > CAP) {
        const excess = this.#heldLines.length - CAP;
        this.#heldLines.splice(0, excess);
        this.dropped += excess;
      }
      this.held = this.#heldLines.length;
      return;
    }
    this.#append(items);
  }

  #append(items: LogRecordMessage[]): void {
    const all = this.#all;
    let newWorkers: Array<{ instance: string; worker: string; pid: number }> | null = null;
    for (const r of items) {
      all.push(r);
      if (this.#seenWorkers[r.worker] === undefined) {
        this.#seenWorkers[r.worker] = true;
        (newWorkers ??= []).push({ instance: r.instance, worker: r.worker, pid: r.pid });
      }
    }
    if (newWorkers) this.workers = [...this.workers, ...newWorkers];
    let rows = this.rows;
    if (all.length > CAP) {
      // Drop a tenth more than needed so this happens once per CAP/10 lines, not on every frame.
      const excess = all.length - CAP + Math.floor(CAP / 10);
      all.splice(0, excess);
      this.dropped += excess;
      rows = rows.slice(firstAtOrAfter(rows, (all[0] as LogRecordMessage).seq));
    }
    const matching = this.#predicate ? items.filter(this.#predicate) : items;
    if (matching.length > 0 || rows !== this.rows) this.rows = rows.concat(matching);
    this.total = all.length;
  }
}

const KEY = Symbol.for('cloudbench.logs');
export const setLogs = (state: LogsState): LogsState => setContext(KEY, state);
export const useLogs = (): LogsState => getContext<LogsState>(KEY);
