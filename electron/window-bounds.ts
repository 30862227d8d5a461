// The main window's size and place, kept across runs in <userData>/window-state.json. Pure functions (the
// file I/O is the caller's), tested in test/unit/electron/window-bounds.test.ts.
import { z } from 'zod';

export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface WindowState {
  readonly bounds: Bounds;
  readonly maximized: boolean;
}

/** What `new BrowserWindow()` gets: no x/y means "centre it". */
export interface InitialBounds {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
  readonly maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 800, height: 560 } as const;
/** How much of the window's title bar area must lie on a screen for the saved place to be kept. */
const MIN_VISIBLE = 100;

const Int = z.number().int().min(-100_000).max(100_000);
const WindowStateSchema = z.object({
  bounds: z.object({ x: Int, y: Int, width: Int.positive(), height: Int.positive() }),
  maximized: z.boolean(),
});

/** The saved state, or undefined when the file is missing, not JSON or not the expected shape. */
export function parseWindowState(text: string | undefined): WindowState | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = WindowStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function serializeWindowState(state: WindowState): string {
  return `${JSON.stringify({ bounds: state.bounds, maximized: state.maximized }, null, 2)}\n`;
}

function overlap(a: Bounds, b: Bounds): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/**
 * Where to open the window, given the saved state and the work areas of the screens now attached (the
 * primary first). A window whose saved place is no longer on any screen (a monitor was unplugged, the
 * resolution shrank) opens centred on the primary screen; its size never exceeds that screen's work area.
 */
export function restoreBounds(saved: WindowState | undefined, workAreas: readonly Bounds[]): InitialBounds {
  const primary = workAreas[0];
  const fit = (width: number, height: number, area: Bounds | undefined): { width: number; height: number } => ({
    width: Math.max(MIN_SIZE.width, Math.min(width, area?.width ?? width)),
    height: Math.max(MIN_SIZE.height, Math.min(height, area?.height ?? height)),
  });
  if (saved === undefined) return { ...fit(DEFAULT_SIZE.width, DEFAULT_SIZE.height, primary), maximized: false };
  const { bounds } = saved;
  // The top strip of the window (its title bar) must be reachable with the mouse on some screen.
  const titleBar: Bounds = { x: bounds.x, y: bounds.y, width: bounds.width, height: 32 };
  const home = workAreas.find((area) => {
    const o = overlap(titleBar, area);
    return o.width >= Math.min(MIN_VISIBLE, bounds.width) && o.height > 0;
  });
  if (home === undefined) return { ...fit(bounds.width, bounds.height, primary), maximized: saved.maximized };
  const size = fit(bounds.width, bounds.height, home);
  // Pull it inside its screen if it hangs over an edge after fitting.
  const x = Math.min(Math.max(bounds.x, home.x), home.x + home.width - size.width);
  const y = Math.min(Math.max(bounds.y, home.y), home.y + home.height - size.height);
  return { x, y, ...size, maximized: saved.maximized };
}
