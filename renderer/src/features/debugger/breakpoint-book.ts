// The breakpoints of a project, kept apart from any one debugging session: a breakpoint set while debugging one
// worker applies to the next one attached (another worker, one that replaced a recycled or crashed worker) and
// survives reloading the page. Stored in the browser's localStorage per project folder, as VS Code keeps
// breakpoints per workspace.

export interface SavedBreakpoint {
  /** The script's or original source's URL (file:///…). */
  readonly url: string;
  /** 0-based. */
  readonly line: number;
  readonly condition: string;
  /** A logpoint: `condition` is the message. */
  readonly log: boolean;
}

const PREFIX = 'cloudbench.breakpoints:';
/** A project with more than this many is not a debugging session any more; the rest are not kept. */
const MAX = 500;

function valid(value: unknown): value is SavedBreakpoint {
  const b = value as SavedBreakpoint;
  return typeof b === 'object' && b !== null && typeof b.url === 'string' && Number.isInteger(b.line) && b.line >= 0 && typeof b.condition === 'string' && typeof b.log === 'boolean';
}

export class BreakpointBook {
  constructor(
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
    private readonly project: () => string | null,
  ) {}

  /** The project's breakpoints (none without a project, or when what is stored is unreadable). */
  list(): SavedBreakpoint[] {
    const folder = this.project();
    if (folder === null) return [];
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(PREFIX + folder) ?? '[]');
      return Array.isArray(parsed) ? parsed.filter(valid) : [];
    } catch {
      return [];
    }
  }

  /** Adds or replaces the breakpoint at its url and line. */
  put(bp: SavedBreakpoint): void {
    const saved = { url: bp.url, line: bp.line, condition: bp.condition, log: bp.log };
    this.#write([...this.list().filter((b) => b.url !== bp.url || b.line !== bp.line), saved]);
  }

  remove(url: string, line: number): void {
    this.#write(this.list().filter((b) => b.url !== url || b.line !== line));
  }

  #write(list: SavedBreakpoint[]): void {
    const folder = this.project();
    if (folder === null) return;
    try {
      if (list.length === 0) this.storage.removeItem(PREFIX + folder);
      else this.storage.setItem(PREFIX + folder, JSON.stringify(list.slice(-MAX)));
    } catch {
      // Storage full or disabled (a private window): the breakpoints live as long as the session.
    }
  }
}
