// One debugging session in the panel: a CDP connection through the runtime's proxy to one attached worker,
// and everything the panel shows of it: the scripts (with the original sources of source-mapped ones),
// the open file, breakpoints (conditions, logpoints), the pause (call frames, scopes), watch expressions and
// the console. Created by DebuggerState; the view connects it in an effect and disconnects on teardown.
import type { Api } from '../../lib/api';
import { errorInfo } from '../../lib/api';
import type { DebugTarget } from '../../lib/protocol';
import type { BreakpointBook } from './breakpoint-book';
import { CdpClient } from './cdp-client';
import { ScriptCatalog } from './script-catalog';
import type { ScriptInfo } from './script-catalog';
import { logpointCondition } from './script-tree';
import { describeValue, expandable } from './remote-object';
import type { RemoteObject } from './remote-object';
import { MappedScript, decodeDataUrl, resolveUrl } from './source-mapping';

export interface Breakpoint {
  /** `url:line`. */
  readonly key: string;
  readonly url: string;
  /** 0-based. */
  readonly line: number;
  readonly condition: string;
  /** A logpoint: `condition` is the message, `{expr}` parts are evaluated, the program does not stop. */
  readonly log: boolean;
  readonly ids: readonly string[];
  readonly verified: boolean;
}

export interface Frame {
  readonly id: string;
  readonly name: string;
  readonly url: string;
  readonly line: number;
  readonly column: number;
  readonly scopes: ReadonlyArray<{ readonly type: string; readonly name: string; readonly objectId: string }>;
}

export interface Property {
  readonly name: string;
  readonly value: string;
  readonly objectId: string | undefined;
}

export interface ConsoleLine {
  readonly kind: 'input' | 'result' | 'error' | 'log';
  readonly text: string;
}

export type PauseOnExceptions = 'none' | 'uncaught' | 'all';

type Params = Record<string, unknown>;

export class DebugSession {
  status = $state<'connecting' | 'open' | 'closed'>('connecting');
  error = $state<string | null>(null);
  /** URLs for the sources tree: generated scripts without a map, and the original sources of mapped ones. */
  sourceUrls = $state.raw<readonly string[]>([]);
  selectedUrl = $state<string | null>(null);
  text = $state.raw<string>('');
  breakpoints = $state.raw<readonly Breakpoint[]>([]);
  frames = $state.raw<readonly Frame[]>([]);
  pauseReason = $state<string | null>(null);
  frameIndex = $state(0);
  pauseOnExceptions = $state<PauseOnExceptions>('none');
  watches = $state.raw<ReadonlyArray<{ readonly expr: string; readonly value: string }>>([]);
  consoleLines = $state.raw<readonly ConsoleLine[]>([]);

  readonly paused = $derived(this.frames.length > 0);
  readonly frame = $derived(this.frames[this.frameIndex] ?? null);

  #client: CdpClient | null = null;
  readonly #catalog = new ScriptCatalog();
  #treeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: Api,
    readonly target: DebugTarget,
    /** The project's breakpoints: installed on connect, kept up to date by the panel's edits. */
    private readonly book?: BreakpointBook,
  ) {}

  /** Connects; returns the teardown (the view's effect calls it). */
  connect = (): (() => void) => {
    let cancelled = false;
    void (async () => {
      try {
        const client = await CdpClient.connect(this.target.proxyPath);
        if (cancelled) return client.close();
        this.#client = client;
        this.#listen(client);
        await client.send('Runtime.enable');
        await client.send('Debugger.enable');
        await client.send('Debugger.setPauseOnExceptions', { state: this.pauseOnExceptions });
        // The project's breakpoints, before a worker started with --inspect-brk runs its first line.
        for (const saved of this.book?.list() ?? []) {
          if (cancelled) return;
          await this.#install({ key: `${saved.url}:${saved.line}`, ...saved, ids: [], verified: false });
        }
        // A worker started with --inspect-brk waits for this; elsewhere it does nothing.
        await client.send('Runtime.runIfWaitingForDebugger');
        this.status = 'open';
      } catch (err) {
        this.status = 'closed';
        this.error = errorInfo(err).message;
      }
    })();
    return () => {
      cancelled = true;
      clearTimeout(this.#treeTimer);
      this.#client?.close();
      this.#client = null;
    };
  };

  #listen(client: CdpClient): void {
    client.on('Debugger.scriptParsed', (p) => this.#onScript(p));
    client.on('Debugger.paused', (p) => void this.#onPaused(p));
    client.on('Debugger.resumed', () => {
      this.frames = [];
      this.pauseReason = null;
    });
    client.on('Runtime.consoleAPICalled', (p) => {
      const args = (p.args as RemoteObject[] | undefined) ?? [];
      this.#log({ kind: 'log', text: args.map((a) => (a.type === 'string' ? String(a.value) : describeValue(a))).join(' ') });
    });
    client.onClose(() => {
      this.status = 'closed';
      this.frames = [];
    });
  }

  #send(method: string, params: Params = {}): Promise<Params> {
    if (!this.#client) return Promise.reject(new Error('The debugger is not connected.'));
    return this.#client.send(method, params);
  }

  #onScript(p: Params): void {
    const s: ScriptInfo = { scriptId: String(p.scriptId), url: String(p.url ?? ''), sourceMapURL: String(p.sourceMapURL ?? '') };
    if (s.url === '') return;
    this.#catalog.add(s);
    if (s.sourceMapURL !== '') void this.#loadMap(s);
    this.#treeSoon();
  }

  /** Hundreds of scripts arrive at once: rebuild the tree once for the burst. */
  #treeSoon(): void {
    this.#treeTimer ??= setTimeout(() => {
      this.#treeTimer = undefined;
      this.sourceUrls = this.#catalog.urls();
    }, 50);
  }

  async #loadMap(s: ScriptInfo): Promise<void> {
    try {
      const mapUrl = s.sourceMapURL.startsWith('data:') ? s.sourceMapURL : resolveUrl(s.url, s.sourceMapURL);
      const text = decodeDataUrl(mapUrl) ?? (await this.api.debugFile({ query: { url: mapUrl } })).text;
      const map = new MappedScript(s.scriptId, s.url, JSON.parse(text), mapUrl);
      this.#catalog.addMap(map);
      this.#treeSoon();
      // Breakpoints in its original sources that were set before the map was read (a saved breakpoint in
      // src/app.ts is installed when the session connects, but only the map says where it is).
      for (const bp of this.breakpoints.filter((b) => !b.verified && map.sources.includes(b.url))) {
        await this.#uninstall(bp);
        await this.#install(bp);
      }
    } catch {
      // No readable map: the generated script is shown as it is.
    }
  }

  /** Opens a file in the file view (an original source is read from its map, else from disk). */
  open = async (url: string): Promise<void> => {
    if (this.selectedUrl === url && this.text !== '') return;
    this.selectedUrl = url;
    this.text = '';
    try {
      const original = this.#catalog.originalOf(url);
      if (original) {
        let content = original.content(url);
        if (content === undefined) {
          content = (await this.api.debugFile({ query: { url } })).text;
          original.setContent(url, content);
        }
        if (this.selectedUrl === url) this.text = content;
        return;
      }
      const script = this.#catalog.scriptAt(url);
      if (!script) return;
      const r = await this.#send('Debugger.getScriptSource', { scriptId: script.scriptId });
      if (this.selectedUrl === url) this.text = String(r.scriptSource ?? '');
    } catch (err) {
      if (this.selectedUrl === url) this.text = `// ${errorInfo(err).message}`;
    }
  };

  // ---- breakpoints ---------------------------------------------------------------------------------

  /**
   * Breakpoint changes run one after another: an edit reads the breakpoint's current CDP ids, removes them and
   * sets new ones, so two quick edits (tick "log", then type the message) must not interleave, or the first
   * edit's breakpoint would survive the second's.
   */
  #breakpointOps: Promise<void> = Promise.resolve();
  #serial(op: () => Promise<void>): Promise<void> {
    const next = this.#breakpointOps.then(op, op);
    this.#breakpointOps = next.catch(() => undefined);
    return next;
  }

  toggleBreakpoint = (url: string, line: number): Promise<void> =>
    this.#serial(async () => {
      const key = `${url}:${line}`;
      const existing = this.breakpoints.find((b) => b.key === key);
      if (existing) return this.#remove(key);
      this.book?.put({ url, line, condition: '', log: false });
      await this.#install({ key, url, line, condition: '', log: false, ids: [], verified: false });
    });

  /** Changes a breakpoint's condition, or makes it a logpoint (then `condition` is the message). */
  editBreakpoint = (key: string, condition: string, log: boolean): Promise<void> =>
    this.#serial(async () => {
      const bp = this.breakpoints.find((b) => b.key === key);
      if (!bp) return;
      this.book?.put({ url: bp.url, line: bp.line, condition, log });
      await this.#uninstall(bp);
      await this.#install({ ...bp, condition, log });
    });

  removeBreakpoint = (key: string): Promise<void> => this.#serial(() => this.#remove(key));

  async #remove(key: string): Promise<void> {
    const bp = this.breakpoints.find((b) => b.key === key);
    if (!bp) return;
    this.breakpoints = this.breakpoints.filter((b) => b.key !== key);
    this.book?.remove(bp.url, bp.line);
    await this.#uninstall(bp);
  }

  async #install(bp: Breakpoint): Promise<void> {
    const condition = bp.log ? logpointCondition(bp.condition) : bp.condition;
    let ids: string[] = [];
    let verified = false;
    try {
      const original = this.#catalog.originalOf(bp.url);
      if (original) {
        const at = original.toGenerated(bp.url, bp.line);
        if (at) {
          const r = await this.#send('Debugger.setBreakpoint', { location: { scriptId: original.scriptId, lineNumber: at.line, columnNumber: at.column }, condition });
          ids = [String(r.breakpointId)];
          verified = true;
        }
      } else {
        const r = await this.#send('Debugger.setBreakpointByUrl', { url: bp.url, lineNumber: bp.line, condition });
        ids = [String(r.breakpointId)];
        verified = ((r.locations as unknown[] | undefined) ?? []).length > 0;
      }
    } catch (err) {
      this.#log({ kind: 'error', text: `Breakpoint at line ${bp.line + 1}: ${errorInfo(err).message}` });
    }
    const next = { ...bp, ids, verified };
    this.breakpoints = [...this.breakpoints.filter((b) => b.key !== bp.key), next].sort((a, b) => a.url.localeCompare(b.url) || a.line - b.line);
  }

  async #uninstall(bp: Breakpoint): Promise<void> {
    for (const id of bp.ids) await this.#send('Debugger.removeBreakpoint', { breakpointId: id }).catch(() => undefined);
  }

  // ---- execution ------------------------------------------------------------------------------------

  resume = (): Promise<unknown> => this.#send('Debugger.resume').catch(() => undefined);
  stepOver = (): Promise<unknown> => this.#send('Debugger.stepOver').catch(() => undefined);
  stepInto = (): Promise<unknown> => this.#send('Debugger.stepInto').catch(() => undefined);
  stepOut = (): Promise<unknown> => this.#send('Debugger.stepOut').catch(() => undefined);
  pause = (): Promise<unknown> => this.#send('Debugger.pause').catch(() => undefined);

  setPauseOnExceptions = async (state: PauseOnExceptions): Promise<void> => {
    this.pauseOnExceptions = state;
    await this.#send('Debugger.setPauseOnExceptions', { state }).catch(() => undefined);
  };

  selectFrame = (index: number): void => {
    this.frameIndex = index;
    const f = this.frames[index];
    if (f) void this.open(f.url);
    void this.#refreshWatches();
  };

  async #onPaused(p: Params): Promise<void> {
    const frames = ((p.callFrames as Params[] | undefined) ?? []).map((cf) => this.#frame(cf));
    this.frameIndex = 0;
    this.pauseReason = ((p.hitBreakpoints as unknown[] | undefined) ?? []).length > 0 ? 'breakpoint' : String(p.reason ?? 'paused');
    this.frames = frames;
    const top = frames[0];
    if (top) await this.open(top.url);
    await this.#refreshWatches();
  }

  #frame(cf: Params): Frame {
    const loc = cf.location as { scriptId: string; lineNumber: number; columnNumber?: number };
    const script = this.#catalog.script(loc.scriptId);
    const original = this.#catalog.mapOf(loc.scriptId)?.toOriginal({ line: loc.lineNumber, column: loc.columnNumber ?? 0 });
    const scopes = ((cf.scopeChain as Params[] | undefined) ?? []).map((s) => ({
      type: String(s.type),
      name: String(s.name ?? s.type),
      objectId: String((s.object as { objectId?: string }).objectId ?? ''),
    }));
    return {
      id: String(cf.callFrameId),
      name: String(cf.functionName || '(anonymous)'),
      url: original?.url ?? script?.url ?? String(cf.url ?? ''),
      line: original?.line ?? loc.lineNumber,
      column: original?.column ?? loc.columnNumber ?? 0,
      scopes: scopes.filter((s) => s.objectId !== '' && s.type !== 'global'),
    };
  }

  /** The properties of an object (a scope, or a value being expanded). */
  properties = async (objectId: string): Promise<Property[]> => {
    const r = await this.#send('Runtime.getProperties', { objectId, ownProperties: true, generatePreview: false });
    const list = (r.result as Array<{ name: string; value?: RemoteObject }> | undefined) ?? [];
    return list
      .filter((p) => p.value !== undefined && p.name !== '__proto__')
      .map((p) => ({ name: p.name, value: describeValue(p.value), objectId: expandable(p.value) ? p.value?.objectId : undefined }));
  };

  // ---- evaluation -----------------------------------------------------------------------------------

  /** Evaluates in the selected frame while paused, else in the worker's global scope. */
  async #evaluate(expression: string): Promise<{ text: string; error: boolean }> {
    const frame = this.frame;
    const r = frame
      ? await this.#send('Debugger.evaluateOnCallFrame', { callFrameId: frame.id, expression, generatePreview: true })
      : await this.#send('Runtime.evaluate', { expression, generatePreview: true, replMode: true });
    const ex = r.exceptionDetails as { exception?: RemoteObject; text?: string } | undefined;
    if (ex) return { text: ex.exception?.description?.split('\n')[0] ?? ex.text ?? 'error', error: true };
    return { text: describeValue(r.result as RemoteObject), error: false };
  }

  evaluate = async (expression: string): Promise<void> => {
    this.#log({ kind: 'input', text: expression });
    try {
      const r = await this.#evaluate(expression);
      this.#log({ kind: r.error ? 'error' : 'result', text: r.text });
    } catch (err) {
      this.#log({ kind: 'error', text: errorInfo(err).message });
    }
  };

  addWatch = async (expr: string): Promise<void> => {
    if (expr.trim() === '' || this.watches.some((w) => w.expr === expr)) return;
    this.watches = [...this.watches, { expr, value: '…' }];
    await this.#refreshWatches();
  };

  removeWatch = (expr: string): void => {
    this.watches = this.watches.filter((w) => w.expr !== expr);
  };

  async #refreshWatches(): Promise<void> {
    const next = await Promise.all(this.watches.map(async (w) => ({ expr: w.expr, value: await this.#evaluate(w.expr).then((r) => r.text, (err: unknown) => errorInfo(err).message) })));
    this.watches = next;
  }

  #log(line: ConsoleLine): void {
    const next = [...this.consoleLines, line];
    this.consoleLines = next.length > 500 ? next.slice(-500) : next;
  }
}
