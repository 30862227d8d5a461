// The request log: a backlog from ROUTES.requests, then the `requests` topic, applied once per frame and
// capped, filtered by text on the client.
import { getContext, setContext } from 'svelte';
import type { WorkbenchState } from '../../app/workbench.svelte';
import { errorInfo } from '../../lib/api';
import { attachBackfilledFeed } from '../../lib/backfilled-feed';
import { FrameQueue } from '../../lib/frame-queue';
import type { ErrorInfoMessage, RequestRecordMessage } from '../../lib/protocol';

const CAP = 20_000;
const BACKLOG = 2_000;

function matcher(text: string): ((r: RequestRecordMessage) => boolean) | null {
  const needle = text.trim().toLowerCase();
  if (!needle) return null;
  return (r) =>
    r.url.toLowerCase().includes(needle) ||
    r.method.toLowerCase() === needle ||
    String(r.status).startsWith(needle) ||
    r.instance.toLowerCase() === needle ||
    (r.worker !== null && `w${r.worker}` === needle) ||
    (r.error !== null && r.error.toLowerCase().includes(needle));
}

export class RequestsState {
  rows = $state.raw<readonly RequestRecordMessage[]>([]);
  text = $state('');
  paused = $state(false);
  held = $state(0);
  total = $state(0);
  selectedId = $state<number | null>(null);
  loading = $state(false);
  loadError = $state.raw<ErrorInfoMessage | null>(null);

  readonly selected = $derived(this.selectedId === null ? null : (this.rows.find((r) => r.id === this.selectedId) ?? null));

  readonly #wb: WorkbenchState;
  #all: RequestRecordMessage[] = [];
  #heldRecords: RequestRecordMessage[] = [];
  #match: ((r: RequestRecordMessage) => boolean) | null = null;
  #lastId = -1;
  readonly #queue = new FrameQueue<RequestRecordMessage>((items) => this.#apply(items), CAP);

  constructor(wb: WorkbenchState) {
    this.#wb = wb;
  }

  /** Live while the Requests view is shown; returns the teardown. */
  attach = (): (() => void) => {
    const { stream } = this.#wb;
    return attachBackfilledFeed<RequestRecordMessage>({
      listen: (handler) => stream.on('requests', (m) => handler(m.records)),
      subscribe: () => stream.subscribe(['requests']),
      // Records written while the socket was down are in the runtime's store: the feed fetches them.
      onOpen: (handler) => stream.onOpen(handler),
      load: async (signal) => {
        const query = this.#lastId >= 0 ? { afterId: this.#lastId, limit: 10_000 } : { limit: BACKLOG };
        return [...(await this.#wb.api.requests({ query, signal })).records].sort((a, b) => a.id - b.id);
      },
      receive: (records) => this.#receive(records),
      setLoading: (loading) => (this.loading = loading),
      setError: (err) => (this.loadError = err === null ? null : errorInfo(err)),
    });
  };

  setText = (text: string): void => {
    this.text = text;
    this.#match = matcher(text);
    this.rows = this.#match ? this.#all.filter(this.#match) : this.#all.slice();
  };

  pause = (): void => {
    this.paused = true;
  };

  resume = (): void => {
    this.paused = false;
    const held = this.#heldRecords;
    this.#heldRecords = [];
    this.held = 0;
    if (held.length > 0) this.#append(held);
  };

  clear = (): void => {
    this.#all = [];
    this.#heldRecords = [];
    this.#queue.clear();
    this.rows = [];
    this.total = 0;
    this.held = 0;
    this.selectedId = null;
  };

  #receive(records: readonly RequestRecordMessage[]): void {
    const fresh = records.filter((r) => r.id > this.#lastId);
    if (fresh.length === 0) return;
    this.#lastId = (fresh[fresh.length - 1] as RequestRecordMessage).id;
    this.#queue.push(fresh);
  }

  #apply(items: RequestRecordMessage[]): void {
    if (this.paused) {
      for (const r of items) this.#heldRecords.push(r);
      if (this.#heldRecords.length > CAP) this.#heldRecords.splice(0, this.#heldRecords.length - CAP);
      this.held = this.#heldRecords.length;
      return;
    }
    this.#append(items);
  }

  #append(items: RequestRecordMessage[]): void {
    for (const r of items) this.#all.push(r);
    let rows = this.rows;
    if (this.#all.length > CAP) {
      const excess = this.#all.length - CAP + Math.floor(CAP / 10);
      this.#all.splice(0, excess);
      const firstId = (this.#all[0] as RequestRecordMessage).id;
      rows = rows.filter((r) => r.id >= firstId);
    }
    const matching = this.#match ? items.filter(this.#match) : items;
    if (matching.length > 0 || rows !== this.rows) this.rows = rows.concat(matching);
    this.total = this.#all.length;
  }
}

const KEY = Symbol.for('cloudbench.requests');
export const setRequests = (state: RequestsState): RequestsState => setContext(KEY, state);
export const useRequests = (): RequestsState => getContext<RequestsState>(KEY);
