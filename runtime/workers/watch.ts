// watchedFiles: iisnode's `;`-separated list, relative to the app root. `*.js` (a file-name wildcard, as in
// iisnode) matches only the app root; entries with folders (`node_modules/*.js`, `lib/**/*.js`) match there.
// Beyond iisnode: `**` globs recurse (tjanczuk/iisnode#426, #480) but do not descend into node_modules or
// dot-folders unless the entry names them. Missing folders are fine (iisnode functional test 121).
// Saves arrive in bursts (editors write, rename and touch); `onChange` fires once per quiet period.
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import path from 'node:path';
import picomatch from 'picomatch';
import { createDebug } from '../logs/debug.js';

const debug = createDebug('cloudbench:watch');

export interface WatchOptions {
  readonly root: string;
  readonly watchedFiles: string;
  /** Quiet time that ends a burst. */
  readonly debounceMs?: number;
  readonly onChange: (files: string[]) => void;
  /** iisnode drops web.config from watchedFiles (config changes arrive another way); the config watcher keeps it. */
  readonly keepWebConfig?: boolean;
}

export interface Watcher {
  /** Resolves once the initial scan is done and changes are being reported. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

interface Entry {
  readonly base: string;
  readonly recursive: boolean;
  /** Folder depth below base that can hold matches (non-recursive entries). */
  readonly depth: number;
  readonly matches: (relative: string) => boolean;
  readonly namesNodeModules: boolean;
  readonly namesDot: boolean;
}

export function parseWatchedFiles(text: string, keepWebConfig = false): Entry[] {
  return text
    .split(';')
    .map((s) => s.trim().replace(/\\/g, '/').replace(/^\.\//, ''))
    .filter((s) => s !== '' && (keepWebConfig || s.toLowerCase() !== 'web.config'))
    .map((pattern) => {
      const scan = picomatch.scan(pattern);
      const base = scan.isGlob ? scan.base : path.posix.dirname(pattern) === '.' ? '' : path.posix.dirname(pattern);
      const rest = base === '' ? pattern : pattern.slice(base.length + 1);
      const recursive = rest.includes('**');
      // Folders a `**` skips unless the entry names them somewhere.
      const names = new Set(pattern.split('/'));
      return { base, recursive, depth: rest.split('/').length - 1, matches: picomatch(pattern, { dot: true }), namesNodeModules: names.has('node_modules'), namesDot: [...names].some((n) => n.startsWith('.') && n !== '.' && n !== '..') };
    });
}

export function watchFiles(options: WatchOptions): Watcher {
  const entries = parseWatchedFiles(options.watchedFiles, options.keepWebConfig);
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const watchers: FSWatcher[] = [];

  const report = (absolute: string): void => {
    const rel = path.relative(options.root, absolute).split(path.sep).join('/');
    if (!entries.some((e) => e.matches(rel))) return;
    changed.add(rel);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed];
      changed.clear();
      debug('changed: %s', files.join(', '));
      options.onChange(files);
    }, options.debounceMs ?? 250);
  };

  const ready: Promise<void>[] = [];
  for (const entry of entries) {
    const dir = path.join(options.root, entry.base);
    const w = watch(dir, {
      ignoreInitial: true,
      depth: entry.recursive ? undefined : entry.depth,
      ignored: (p: string) => {
        if (!entry.recursive) return false;
        // Inside a `**` entry: skip node_modules and dot-folders the entry does not name.
        const below = path.relative(dir, p).split(path.sep);
        return below.some((seg) => (seg === 'node_modules' && !entry.namesNodeModules) || (!entry.namesDot && seg.startsWith('.') && seg !== '.' && seg !== '..'));
      },
    });
    w.on('add', report).on('change', report).on('unlink', report);
    w.on('error', (err) => debug('watch error on %s: %s', dir, String(err)));
    ready.push(new Promise((resolve) => w.once('ready', () => resolve())));
    watchers.push(w);
  }

  return {
    ready: Promise.all(ready).then(() => undefined),
    close: async () => {
      clearTimeout(timer);
      await Promise.all(watchers.map((w) => w.close()));
    },
  };
}
