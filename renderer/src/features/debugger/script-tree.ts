// The sources tree: scripts reported by Debugger.scriptParsed (and the original sources of those with a
// source map), grouped the way a user looks for them: the app's own files first, then node_modules, then
// Node's internals (collapsed by default). Pure: the panel and the unit tests share it.

export interface SourceEntry {
  /** The URL the file view and breakpoints use: the script's, or an original source's (source maps). */
  readonly url: string;
  /** Path shown in the tree, relative to the app folder where it lies inside it. */
  readonly label: string;
  readonly group: 'app' | 'modules' | 'internals';
}

export interface SourceGroups {
  readonly app: SourceEntry[];
  readonly modules: SourceEntry[];
  readonly internals: SourceEntry[];
}

/** `file:///srv/app/src/a.ts` → `/srv/app/src/a.ts` (Windows: `C:/srv/…`). */
export function filePath(url: string): string | undefined {
  if (!url.startsWith('file://')) return undefined;
  try {
    const p = decodeURIComponent(new URL(url).pathname);
    return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
  } catch {
    return undefined;
  }
}

function normalize(p: string): string {
  return p.replace(/\\/g, '/').replace(/\/+$/, '');
}

export function classify(url: string, appRoot: string): SourceEntry {
  const file = filePath(url);
  if (file === undefined) return { url, label: url.replace(/^node:/, ''), group: 'internals' };
  const root = `${normalize(appRoot)}/`;
  const f = normalize(file);
  const inside = f.toLowerCase().startsWith(root.toLowerCase());
  const label = inside ? f.slice(root.length) : f;
  // Cloudbench's own worker hook is not the app's.
  if (/\/runtime\/workers\/hook\.cjs$/.test(f)) return { url, label: 'cloudbench worker hook', group: 'internals' };
  if (/(^|\/)node_modules\//.test(label)) return { url, label, group: 'modules' };
  return { url, label, group: inside ? 'app' : 'modules' };
}

/** Groups and sorts source URLs (duplicates once). */
export function groupSources(urls: Iterable<string>, appRoot: string): SourceGroups {
  const seen = new Set<string>();
  const groups: SourceGroups = { app: [], modules: [], internals: [] };
  for (const url of urls) {
    if (url === '' || seen.has(url)) continue;
    seen.add(url);
    const e = classify(url, appRoot);
    groups[e.group].push(e);
  }
  for (const list of [groups.app, groups.modules, groups.internals]) list.sort((a, b) => a.label.localeCompare(b.label));
  return groups;
}

/** A logpoint's message (`count is {count}`) as a breakpoint condition that logs and never stops. */
export function logpointCondition(message: string): string {
  const template = message.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${').replace(/\{([^{}]+)\}/g, '${$1}');
  return `console.log(\`${template}\`), false`;
}
