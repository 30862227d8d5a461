// The main window's saved place: parsed defensively, restored onto a screen that exists.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SIZE, MIN_SIZE, parseWindowState, restoreBounds, serializeWindowState } from '../../../electron/window-bounds.js';
import type { WindowState } from '../../../electron/window-bounds.js';

const PRIMARY = { x: 0, y: 0, width: 1920, height: 1040 };
const RIGHT = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state file', () => {
  it('round-trips', () => {
    const state: WindowState = { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: true };
    expect(parseWindowState(serializeWindowState(state))).toEqual(state);
  });
  it.each([undefined, '', 'not json', '{}', '{"bounds":{"x":"1","y":0,"width":10,"height":10},"maximized":false}', '{"bounds":{"x":0,"y":0,"width":-5,"height":10},"maximized":false}', 'null'])(
    'ignores %s',
    (text) => {
      expect(parseWindowState(text)).toBeUndefined();
    },
  );
});

describe('restoreBounds', () => {
  it('opens centred at the default size the first time', () => {
    expect(restoreBounds(undefined, [PRIMARY])).toEqual({ ...DEFAULT_SIZE, maximized: false });
  });
  it('keeps a place that is on a screen', () => {
    expect(restoreBounds({ bounds: { x: 2000, y: 100, width: 1200, height: 900 }, maximized: false }, [PRIMARY, RIGHT])).toEqual({ x: 2000, y: 100, width: 1200, height: 900, maximized: false });
  });
  it('centres on the primary screen when the saved screen is gone', () => {
    expect(restoreBounds({ bounds: { x: 2000, y: 100, width: 1200, height: 900 }, maximized: true }, [PRIMARY])).toEqual({ width: 1200, height: 900, maximized: true });
  });
  it('never opens larger than the screen or smaller than the minimum', () => {
    expect(restoreBounds({ bounds: { x: 0, y: 0, width: 5000, height: 3000 }, maximized: false }, [PRIMARY])).toMatchObject({ width: 1920, height: 1040 });
    expect(restoreBounds({ bounds: { x: 0, y: 0, width: 100, height: 50 }, maximized: false }, [PRIMARY])).toMatchObject({ width: MIN_SIZE.width, height: MIN_SIZE.height });
  });
  it('pulls a window that hangs over an edge back onto its screen', () => {
    expect(restoreBounds({ bounds: { x: 1500, y: 600, width: 1000, height: 700 }, maximized: false }, [PRIMARY])).toEqual({ x: 920, y: 340, width: 1000, height: 700, maximized: false });
  });
  it('does not keep a window whose title bar is off every screen', () => {
    expect(restoreBounds({ bounds: { x: 100, y: -800, width: 1000, height: 700 }, maximized: false }, [PRIMARY])).toEqual({ width: 1000, height: 700, maximized: false });
  });
});
