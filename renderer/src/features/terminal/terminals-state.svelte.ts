// Terminal tabs. Sessions live in the runtime (node-pty), so the tabs are a view of ROUTES.terminals and
// the `terminals` topic: a reload lists them again and each pane re-attaches (the attach reply starts with
// the session's scrollback, which redraws it). A new tab starts as a draft without a session: its pane
// measures itself first, so the shell starts with the right size.
import { getContext, setContext } from 'svelte';
import type { WorkbenchState } from '../../app/workbench.svelte';
import { ApiError, errorInfo } from '../../lib/api';
import type { ErrorInfoMessage, TerminalInfo } from '../../lib/protocol';

export interface TerminalTab {
  /** Stable for the life of the tab (a draft keeps its key once its session exists). */
  key: string;
  /** The runtime's session id; null until the session is open. */
  id: string | null;
  title: string;
  cols: number;
  rows: number;
  alive: boolean;
  exitCode: number | null;
}

function fromInfo(info: TerminalInfo, key = info.id): TerminalTab {
  return { key, id: info.id, title: info.title, cols: info.cols, rows: info.rows, alive: info.alive, exitCode: info.exitCode };
}

export class TerminalsState {
  tabs = $state.raw<readonly TerminalTab[]>([]);
  /** Key of the tab shown. */
  active = $state<string | null>(null);
  error = $state.raw<ErrorInfoMessage | null>(null);
  loaded = $state(false);

  readonly #wb: WorkbenchState;
  #drafts = 0;
  #opening = 0;
  #serverList: readonly TerminalInfo[] | null = null;

  constructor(wb: WorkbenchState) {
    this.#wb = wb;
  }

  /** Lists the sessions and follows changes; returns the teardown. */
  attach = (): (() => void) => {
    const { stream, api } = this.#wb;
    const ctrl = new AbortController();
    const load = (): void => {
      api
        .terminals({ signal: ctrl.signal })
        .then(({ terminals }) => {
          this.#merge(terminals);
          this.error = null;
        })
        .catch((err: unknown) => {
          if (!ctrl.signal.aborted) this.error = errorInfo(err);
        })
        .finally(() => (this.loaded = true));
    };
    const offs = [
      stream.on('terminals', (m) => this.#merge(m.terminals)),
      stream.on('terminal.exit', (m) => this.#update(m.id, { alive: false, exitCode: m.exitCode })),
      stream.subscribe(['terminals']),
      stream.onOpen(load),
    ];
    load();
    return () => {
      ctrl.abort();
      for (const off of offs) off();
    };
  };

  /** Adds a tab whose pane will open a session once it knows its size. */
  newTab = (): void => {
    const key = `draft-${++this.#drafts}`;
    this.tabs = [...this.tabs, { key, id: null, title: 'new terminal', cols: 80, rows: 24, alive: true, exitCode: null }];
    this.active = key;
  };

  /** Opens the session of a draft tab; resolves with its id, or null when it failed (the tab goes). */
  openSession = async (key: string, size: { cols: number; rows: number }): Promise<string | null> => {
    this.#opening++;
    try {
      const info = await this.#wb.api.openTerminal({ body: size });
      this.error = null;
      if (!this.tabs.some((t) => t.key === key)) {
        // Closed while opening.
        void this.#wb.api.closeTerminal({ params: { terminal: info.id } }).catch(() => {});
        return null;
      }
      this.tabs = this.tabs.map((t) => (t.key === key ? fromInfo(info, key) : t));
      return info.id;
    } catch (err) {
      this.error = errorInfo(err);
      this.#remove(key);
      return null;
    } finally {
      this.#opening--;
      if (this.#opening === 0 && this.#serverList) this.#merge(this.#serverList);
    }
  };

  close = async (key: string): Promise<void> => {
    const tab = this.tabs.find((t) => t.key === key);
    if (!tab) return;
    this.#remove(key);
    if (tab.id === null) return;
    try {
      await this.#wb.api.closeTerminal({ params: { terminal: tab.id } });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) this.error = errorInfo(err);
    }
  };

  select = (key: string): void => {
    this.active = key;
  };

  #remove(key: string): void {
    const i = this.tabs.findIndex((t) => t.key === key);
    if (i < 0) return;
    const next = this.tabs.filter((t) => t.key !== key);
    this.tabs = next;
    if (this.active === key) this.active = (next[i] ?? next[i - 1])?.key ?? null;
  }

  #update(id: string, patch: Partial<TerminalTab>): void {
    this.tabs = this.tabs.map((t) => (t.id === id ? { ...t, ...patch } : t));
  }

  /** Brings the tabs in line with the runtime's sessions (opened or closed elsewhere, exited). */
  #merge(list: readonly TerminalInfo[]): void {
    this.#serverList = list;
    const next: TerminalTab[] = [];
    for (const tab of this.tabs) {
      if (tab.id === null) next.push(tab);
      else {
        const info = list.find((t) => t.id === tab.id);
        if (info) next.push(fromInfo(info, tab.key));
      }
    }
    // While a session is being opened, an unknown id may be ours: wait for the open to answer.
    if (this.#opening === 0) {
      for (const info of list) if (!next.some((t) => t.id === info.id)) next.push(fromInfo(info));
    }
    this.tabs = next;
    if (this.active === null || !next.some((t) => t.key === this.active)) this.active = next[0]?.key ?? null;
  }
}

const KEY = Symbol.for('cloudbench.terminals');
export const setTerminals = (state: TerminalsState): TerminalsState => setContext(KEY, state);
export const useTerminals = (): TerminalsState => getContext<TerminalsState>(KEY);
