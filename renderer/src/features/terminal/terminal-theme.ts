// xterm draws on its own canvas-like surface, so it gets colours from here rather than from CSS; both
// schemes mirror app.css.
import type { ITheme } from '@xterm/xterm';

export const LIGHT: ITheme = {
  background: '#ffffff',
  foreground: '#1a1f26',
  cursor: '#1d5fd6',
  cursorAccent: '#ffffff',
  selectionBackground: '#b7cdf6',
  black: '#1a1f26',
  red: '#b42318',
  green: '#177a3a',
  yellow: '#8a5a00',
  blue: '#1d5fd6',
  magenta: '#8e3bb8',
  cyan: '#0e7490',
  white: '#6b7280',
  brightBlack: '#5a6472',
  brightRed: '#d92d20',
  brightGreen: '#1f9d4c',
  brightYellow: '#a86b00',
  brightBlue: '#2f6fe4',
  brightMagenta: '#a14ed0',
  brightCyan: '#1592b0',
  brightWhite: '#9aa3af',
};

export const DARK: ITheme = {
  background: '#161a21',
  foreground: '#e4e8ee',
  cursor: '#79a8ff',
  cursorAccent: '#161a21',
  selectionBackground: '#2c4a7a',
  black: '#2b323e',
  red: '#ff7a6e',
  green: '#5ad17f',
  yellow: '#f0b54a',
  blue: '#79a8ff',
  magenta: '#d19bf5',
  cyan: '#5fd0e6',
  white: '#d5dae2',
  brightBlack: '#7c8696',
  brightRed: '#ff9b91',
  brightGreen: '#7fe29c',
  brightYellow: '#ffd27a',
  brightBlue: '#a2c3ff',
  brightMagenta: '#e2bbff',
  brightCyan: '#8fe3f2',
  brightWhite: '#ffffff',
};

export const DARK_QUERY = '(prefers-color-scheme: dark)';
