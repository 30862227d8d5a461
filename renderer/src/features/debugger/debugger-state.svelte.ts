// The debugger's shared state: which workers are attached (the `debug` topic, refetched on every
// reconnection), the attach / detach / debug-from-start actions, and the panel's session with one of them.
import { getContext, setContext } from 'svelte';
import type { WorkbenchState } from '../../app/workbench.svelte';
import type { DebugTarget } from '../../lib/protocol';
import { BreakpointBook } from './breakpoint-book';
import { DebugSession } from './debug-session.svelte';

export class DebuggerState {
  targets = $state.raw<readonly DebugTarget[]>([]);
  /** The panel's session (one worker at a time). */
  session = $state.raw<DebugSession | null>(null);

  /** The open project's breakpoints, shared by every session (another worker, a reload, a recycle). */
  readonly breakpoints: BreakpointBook;

  constructor(private readonly wb: WorkbenchState) {
    this.breakpoints = new BreakpointBook(localStorage, () => this.wb.project?.folder ?? null);
  }

  /** Follows the attached workers; returns the teardown. Call once, from the shell's effect. */
  start = (): (() => void) => {
    const offs = [
      this.wb.stream.on('debug', (m) => (this.targets = m.targets)),
      this.wb.stream.onOpen(() => void this.refresh()),
      this.wb.stream.subscribe(['debug']),
    ];
    void this.refresh();
    return () => {
      for (const off of offs) off();
    };
  };

  refresh = async (): Promise<void> => {
    try {
      this.targets = (await this.wb.api.debugTargets()).targets;
    } catch {
      // The workbench reports an unreachable runtime itself.
    }
  };

  target = (workerId: string): DebugTarget | undefined => this.targets.find((t) => t.worker === workerId);

  isPaused = (workerId: string): boolean => this.target(workerId)?.paused ?? false;

  attach = (workerId: string, ordinal: number): Promise<DebugTarget | undefined> =>
    this.wb.act(`debug:${workerId}`, `Attach the debugger to worker #${ordinal}`, async () => this.#upsert(await this.wb.api.debugAttach({ params: { worker: workerId } })));

  debugFromStart = (workerId: string, ordinal: number): Promise<DebugTarget | undefined> =>
    this.wb.act(`debug:${workerId}`, `Debug worker #${ordinal} from start`, async () => this.#upsert(await this.wb.api.debugStart({ params: { worker: workerId } })));

  detach = (workerId: string, ordinal: number): Promise<unknown> =>
    this.wb.act(`debug:${workerId}`, `Detach the debugger from worker #${ordinal}`, async () => {
      await this.wb.api.debugDetach({ params: { worker: workerId } });
      this.targets = this.targets.filter((t) => t.worker !== workerId);
    });

  writeVsCode = (workerId: string): Promise<{ file: string; name: string; port: number } | undefined> =>
    this.wb.act(`vscode:${workerId}`, 'Write the VS Code attach configuration', () => this.wb.api.debugVsCode({ params: { worker: workerId } }));

  /** The panel's session for a target: kept while it is the same attach, replaced otherwise. */
  sessionFor = (target: DebugTarget): DebugSession => {
    const current = this.session;
    if (current && current.target.proxyPath === target.proxyPath) return current;
    const next = new DebugSession(this.wb.api, target, this.breakpoints);
    this.session = next;
    return next;
  };

  #upsert(t: DebugTarget): DebugTarget {
    this.targets = [...this.targets.filter((x) => x.worker !== t.worker), t];
    return t;
  }
}

const KEY = Symbol.for('cloudbench.debugger');
export const setDebugger = (state: DebuggerState): DebuggerState => setContext(KEY, state);
export const useDebugger = (): DebuggerState => getContext<DebuggerState>(KEY);
