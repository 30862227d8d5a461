// The Service Bus explorer's state: the connection, the entities tree with live counts (polled every 2 s only
// while the view is open), the selected queue or subscription with its peeked messages, dead letters and rules,
// and the outcome of the last action. Every call goes through the control API (the runtime talks to Service
// Bus with the SDK); failures are kept beside the pane they belong to, with the catalogue's message and fix.
import { errorInfo } from '../../lib/api';
import type { Api } from '../../lib/api';
import type { ErrorInfoMessage, SbConnection, SbCounts, SbEntities, SbMessage, SbRule, SbRuleFilter, SbSend } from '../../lib/protocol';

export type Tab = 'messages' | 'deadletter' | 'send' | 'rules';
export type Selection = { readonly kind: 'queue'; readonly path: string } | { readonly kind: 'subscription'; readonly path: string; readonly topic: string; readonly subscription: string } | { readonly kind: 'topic'; readonly path: string };
type Slot = 'connectionError' | 'entitiesError' | 'paneError' | 'loadError';

export const POLL_MS = 2000;

export function selectionOf(path: string): Selection {
  const m = /^(.+?)\/Subscriptions\/([^/]+)$/i.exec(path);
  if (m) return { kind: 'subscription', path, topic: m[1] as string, subscription: m[2] as string };
  return { kind: 'queue', path };
}

export class ServiceBusState {
  connection = $state.raw<SbConnection | null>(null);
  connectionError = $state.raw<ErrorInfoMessage | null>(null);
  entities = $state.raw<SbEntities | null>(null);
  entitiesError = $state.raw<ErrorInfoMessage | null>(null);

  selected = $state.raw<Selection | null>(null);
  tab = $state<Tab>('messages');
  messages = $state.raw<readonly SbMessage[]>([]);
  deadLetters = $state.raw<readonly SbMessage[]>([]);
  /** What the last receive took, shown until the next one. */
  received = $state.raw<readonly SbMessage[]>([]);
  rules = $state.raw<readonly SbRule[]>([]);
  /** The last action's failure (kept until the next action: a refresh does not clear it). */
  paneError = $state.raw<ErrorInfoMessage | null>(null);
  /** Why the open tab could not be loaded. */
  loadError = $state.raw<ErrorInfoMessage | null>(null);
  /** One line about the last action ("Purged 30 messages"). */
  outcome = $state<string | null>(null);
  busy = $state(false);

  constructor(private readonly api: Api) {}

  /** The counts of the selected queue or subscription, live. */
  get counts(): SbCounts | null {
    const s = this.selected;
    const e = this.entities;
    if (!s || !e) return null;
    if (s.kind === 'queue') return e.queues.find((q) => q.path === s.path)?.counts ?? null;
    if (s.kind === 'subscription') return e.topics.flatMap((t) => t.subscriptions).find((x) => x.path === s.path)?.counts ?? null;
    return null;
  }

  async #run(slot: Slot, work: () => Promise<void>): Promise<boolean> {
    try {
      await work();
      this[slot] = null;
      return true;
    } catch (err) {
      this[slot] = errorInfo(err);
      return false;
    }
  }

  /** An action on the selected entity: busy meanwhile, then the tree and the open tab are refreshed. */
  async #act(work: () => Promise<string | null>): Promise<boolean> {
    this.busy = true;
    this.outcome = null;
    const ok = await this.#run('paneError', async () => {
      this.outcome = await work();
    });
    this.busy = false;
    await Promise.all([this.refreshEntities(), this.refreshTab()]);
    return ok;
  }

  load = async (): Promise<void> => {
    await this.#run('connectionError', async () => {
      this.connection = await this.api.servicebusConnection();
    });
    await this.refreshEntities();
  };

  connect = async (connectionString: string | null): Promise<boolean> => {
    const ok = await this.#run('connectionError', async () => {
      this.connection = await this.api.servicebusConnect({ body: { connectionString } });
    });
    if (ok) {
      this.selected = null;
      await this.refreshEntities();
    }
    return ok;
  };

  refreshEntities = async (): Promise<void> => {
    if (this.connection?.unavailable) return;
    const before = this.counts;
    await this.#run('entitiesError', async () => {
      this.entities = await this.api.servicebusEntities();
    });
    const after = this.counts;
    // Counts moved under the open tab: show what is there now.
    if (before && after && !this.busy && (before.active !== after.active || before.deadLetter !== after.deadLetter || before.scheduled !== after.scheduled)) await this.refreshTab();
  };

  /** Polls the counts while the view is open; returns the teardown. */
  watch = (): (() => void) => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      await this.refreshEntities();
      if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
    };
    timer = setTimeout(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  };

  select = async (selection: Selection | null): Promise<void> => {
    const fromTopic = this.selected?.kind === 'topic';
    this.selected = selection;
    this.messages = [];
    this.deadLetters = [];
    this.received = [];
    this.rules = [];
    this.outcome = null;
    this.paneError = null;
    this.loadError = null;
    if (selection?.kind === 'topic' && this.tab !== 'send') this.tab = 'send';
    if (selection?.kind !== 'subscription' && this.tab === 'rules') this.tab = 'messages';
    // A topic has only the send form; a queue or subscription opens on its messages.
    if (fromTopic && selection?.kind !== 'topic') this.tab = 'messages';
    await this.refreshTab();
  };

  showTab = async (tab: Tab): Promise<void> => {
    this.tab = tab;
    this.received = [];
    this.outcome = null;
    this.paneError = null;
    await this.refreshTab();
  };

  /** Bumped by every refreshTab: an answer that comes back after a newer request started is dropped. */
  #generation = 0;

  refreshTab = async (): Promise<void> => {
    const s = this.selected;
    if (!s || s.kind === 'topic') return;
    const path = s.path;
    const generation = ++this.#generation;
    const current = (): boolean => generation === this.#generation && this.selected?.path === path;
    if (this.tab === 'messages' || this.tab === 'send') {
      await this.#run('loadError', async () => {
        const r = await this.api.servicebusPeek({ query: { entity: path, count: 100 } });
        if (current()) this.messages = r.messages;
      });
    } else if (this.tab === 'deadletter') {
      await this.#run('loadError', async () => {
        const r = await this.api.servicebusPeek({ query: { entity: path, deadLetter: true, count: 100 } });
        if (current()) this.deadLetters = r.messages;
      });
    } else if (this.tab === 'rules' && s.kind === 'subscription') {
      await this.#run('loadError', async () => {
        const r = await this.api.servicebusRules({ params: { topic: s.topic, subscription: s.subscription } });
        if (current()) this.rules = r.rules;
      });
    }
  };

  /** The next page of peeked messages, after the last one shown. */
  peekMore = async (): Promise<void> => {
    const s = this.selected;
    const last = this.messages.at(-1);
    if (!s || !last) return;
    await this.#run('loadError', async () => {
      const r = await this.api.servicebusPeek({ query: { entity: s.path, count: 100, fromSequenceNumber: last.sequenceNumber + 1 } });
      if (this.selected?.path === s.path) this.messages = [...this.messages, ...r.messages];
    });
  };

  // ---- entities -----------------------------------------------------------------------------------------

  createEntity = async (kind: 'queue' | 'topic' | 'subscription', name: string, options: { topic?: string; requiresSession?: boolean } = {}): Promise<boolean> => {
    const sessions = options.requiresSession ? { requiresSession: true } : {};
    const ok = await this.#run('entitiesError', async () => {
      if (kind === 'queue') await this.api.servicebusCreateQueue({ body: { name, ...sessions } });
      else if (kind === 'topic') await this.api.servicebusCreateTopic({ body: { name } });
      else await this.api.servicebusCreateSubscription({ params: { topic: options.topic ?? '' }, body: { name, ...sessions } });
    });
    if (ok) await this.refreshEntities();
    return ok;
  };

  deleteEntity = async (selection: Selection): Promise<void> => {
    const ok = await this.#run('entitiesError', async () => {
      if (selection.kind === 'queue') await this.api.servicebusDeleteQueue({ params: { queue: selection.path } });
      else if (selection.kind === 'topic') await this.api.servicebusDeleteTopic({ params: { topic: selection.path } });
      else await this.api.servicebusDeleteSubscription({ params: { topic: selection.topic, subscription: selection.subscription } });
    });
    if (ok && (this.selected?.path === selection.path || (selection.kind === 'topic' && this.selected?.path.startsWith(`${selection.path}/`)))) await this.select(null);
    await this.refreshEntities();
  };

  // ---- messages -----------------------------------------------------------------------------------------

  send = (entity: string, message: Omit<SbSend, 'entity'>): Promise<boolean> =>
    this.#act(async () => {
      const r = await this.api.servicebusSend({ body: { entity, ...message } });
      return r.scheduledSequenceNumber === null ? `Sent to ${entity}.` : `Scheduled on ${entity} (sequence number ${r.scheduledSequenceNumber}).`;
    });

  receive = (options: { mode: 'peekLock' | 'receiveAndDelete'; settle?: 'complete' | 'abandon' | 'deadLetter' | 'defer'; count: number; deadLetter?: boolean; reason?: string; description?: string }): Promise<boolean> =>
    this.#act(async () => {
      const entity = this.selected?.path ?? '';
      const r = await this.api.servicebusReceive({
        body: { entity, mode: options.mode, count: options.count, deadLetter: options.deadLetter, ...(options.mode === 'peekLock' ? { settle: options.settle ?? 'complete' } : {}), deadLetterReason: options.reason, deadLetterErrorDescription: options.description },
      });
      this.received = r.messages;
      const what = options.mode === 'receiveAndDelete' ? 'received and deleted' : options.settle === 'deadLetter' ? 'received and dead-lettered' : options.settle === 'abandon' ? 'received and abandoned' : options.settle === 'defer' ? 'received and deferred' : 'received and completed';
      return r.messages.length === 0 ? 'No message arrived within 2 s.' : `${r.messages.length} message${r.messages.length === 1 ? '' : 's'} ${what}.`;
    });

  deadLetterAction = (action: 'resubmit' | 'delete', sequenceNumbers?: number[]): Promise<boolean> =>
    this.#act(async () => {
      const r = await this.api.servicebusDeadLetters({ body: { entity: this.selected?.path ?? '', action, sequenceNumbers } });
      return action === 'resubmit' ? `Resubmitted ${r.count} to ${r.sentTo ?? ''}.` : `Deleted ${r.count} dead-lettered message${r.count === 1 ? '' : 's'}.`;
    });

  purge = (deadLetter: boolean): Promise<boolean> =>
    this.#act(async () => {
      const r = await this.api.servicebusPurge({ body: { entity: this.selected?.path ?? '', deadLetter } });
      return `Purged ${r.purged} message${r.purged === 1 ? '' : 's'}${deadLetter ? ' from the dead-letter queue' : ''}.`;
    });

  // ---- rules --------------------------------------------------------------------------------------------

  createRule = (name: string, filter: SbRuleFilter, action: string): Promise<boolean> =>
    this.#act(async () => {
      const s = this.selected;
      if (s?.kind !== 'subscription') return null;
      await this.api.servicebusCreateRule({ params: { topic: s.topic, subscription: s.subscription }, body: { name, filter, ...(action.trim() ? { action } : {}) } });
      return `Rule ${name} added.`;
    });

  updateRule = (name: string, filter: SbRuleFilter, action: string): Promise<boolean> =>
    this.#act(async () => {
      const s = this.selected;
      if (s?.kind !== 'subscription') return null;
      await this.api.servicebusUpdateRule({ params: { topic: s.topic, subscription: s.subscription, rule: name }, body: { filter, ...(action.trim() ? { action } : {}) } });
      return `Rule ${name} saved.`;
    });

  deleteRule = (name: string): Promise<boolean> =>
    this.#act(async () => {
      const s = this.selected;
      if (s?.kind !== 'subscription') return null;
      await this.api.servicebusDeleteRule({ params: { topic: s.topic, subscription: s.subscription, rule: name } });
      return `Rule ${name} deleted.`;
    });
}
