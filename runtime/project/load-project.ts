// Folder → ProjectModel: finds the entry point and resolves the iisnode settings with iisnode's precedence
// (defaults < web.config < IISNODE_<attribute> environment variables < iisnode.yml). Pure apart from reading
// the folder.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { cbError } from '../shared/errors.js';
import { IISNODE_ATTRIBUTES, IISNODE_ATTRIBUTE_NAMES, defaultIisnodeSettings, describeType, expandEnvironment, parseAttributeValue } from './iisnode-schema.js';
import type { AttributeSpec, IisnodeSettings } from './iisnode-schema.js';
import { parseIisnodeYml } from './iisnode-yml.js';
import { iisnodeHandlers, parseWebConfig } from './web-config.js';
import type { WebConfig } from './web-config.js';

export type EntrySource = 'web.config' | 'package.json start' | 'package.json main' | 'default';

export interface ProjectEntry {
  /** Absolute path of the script node runs. */
  readonly script: string;
  /** Extra node flags from a `node --flag file` start script. */
  readonly nodeArgs: readonly string[];
  /** Arguments after the script from a start script. */
  readonly scriptArgs: readonly string[];
  readonly source: EntrySource;
}

export interface ProjectModel {
  readonly folder: string;
  /** Where the script lives: iisnode's base for iisnode.yml, logDirectory and watchedFiles, and the workers' cwd. */
  readonly appRoot: string;
  readonly entry: ProjectEntry;
  readonly webConfig: WebConfig | undefined;
  /** The iisnode.yml file that was applied, if any. */
  readonly ymlFile: string | undefined;
  readonly settings: Readonly<IisnodeSettings>;
  readonly appSettings: Readonly<Record<string, string>>;
  /** Things that load but do nothing here (Windows-only attributes), phrased for the user. */
  readonly warnings: readonly string[];
}

const DEFAULT_SCRIPTS = ['server.js', 'app.js', 'index.js'];
const FLAGS_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--title', '--env-file']);

export function loadProject(folderArg: string, env: NodeJS.ProcessEnv = process.env): ProjectModel {
  const folder = path.resolve(folderArg);
  if (!existsSync(folder)) throw cbError('CB_ERR_PROJECT_NOT_FOUND', { path: folder, problem: 'does not exist' });
  if (!statSync(folder).isDirectory()) throw cbError('CB_ERR_PROJECT_NOT_FOUND', { path: folder, problem: 'is a file, not a folder' });

  const webConfigFile = path.join(folder, 'web.config');
  const webConfig = existsSync(webConfigFile) ? parseWebConfig(readFileSync(webConfigFile, 'utf8'), webConfigFile) : undefined;
  const entry = resolveEntry(folder, webConfig);
  const appRoot = entry.source === 'web.config' ? path.dirname(entry.script) : folder;

  const warnings: string[] = [];
  const settings = defaultIisnodeSettings();
  for (const [name, located] of Object.entries(webConfig?.iisnode ?? {})) {
    (settings as Record<string, unknown>)[name] = located.value;
  }
  applyEnvironmentOverrides(settings, env);

  const ymlFile = path.join(appRoot, expandEnvironment(settings.configOverrides, env));
  const hasYml = existsSync(ymlFile) && statSync(ymlFile).isFile();
  if (hasYml) {
    for (const o of parseIisnodeYml(readFileSync(ymlFile, 'utf8'), ymlFile)) {
      (settings as Record<string, unknown>)[o.name] = o.value;
    }
  }
  for (const name of IISNODE_ATTRIBUTE_NAMES) {
    const spec: AttributeSpec = IISNODE_ATTRIBUTES[name];
    if (spec.expand && typeof settings[name] === 'string') {
      (settings as Record<string, unknown>)[name] = expandEnvironment(settings[name] as string, env);
    }
    if (spec.use === 'windows' && settings[name] !== spec.default) {
      warnings.push(`${name}="${settings[name]}" is an IIS/Windows setting and has no effect in Cloudbench.`);
    }
  }

  const appSettings: Record<string, string> = {};
  for (const { key, value } of webConfig?.appSettings ?? []) appSettings[key] = value;

  return Object.freeze({
    folder,
    appRoot,
    entry,
    webConfig,
    ymlFile: hasYml ? ymlFile : undefined,
    settings: Object.freeze(settings),
    appSettings: Object.freeze(appSettings),
    warnings: Object.freeze(warnings),
  });
}

/** IISNODE_<attribute> variables override web.config (attribute names matched case-insensitively). */
function applyEnvironmentOverrides(settings: IisnodeSettings, env: NodeJS.ProcessEnv): void {
  const byLower = new Map(IISNODE_ATTRIBUTE_NAMES.map((n) => [`iisnode_${n.toLowerCase()}`, n]));
  for (const [key, text] of Object.entries(env)) {
    const name = byLower.get(key.toLowerCase());
    if (!name || text === undefined) continue;
    const value = parseAttributeValue(name, text);
    if (value === undefined) throw cbError('CB_ERR_CONFIG_ENV', { name: key, value: text, expected: describeType(name) });
    (settings as Record<string, unknown>)[name] = value;
  }
}

export function resolveEntry(folder: string, webConfig: WebConfig | undefined): ProjectEntry {
  const lookedFor: string[] = [];

  lookedFor.push('an iisnode handler in web.config');
  if (webConfig) {
    const handler = iisnodeHandlers(webConfig).find((h) => h.path !== '' && !/[*?]/.test(h.path));
    if (handler) {
      const script = path.resolve(folder, handler.path.replace(/\\/g, '/'));
      if (!existsSync(script)) {
        throw cbError('CB_ERR_PROJECT_ENTRY_MISSING', { source: `web.config:${handler.line}`, entry: handler.path, path: script });
      }
      return { script, nodeArgs: [], scriptArgs: [], source: 'web.config' };
    }
  }

  const pkgFile = path.join(folder, 'package.json');
  lookedFor.push('package.json "scripts.start" of the form `node <file>`', 'package.json "main"');
  let startNote = '';
  if (existsSync(pkgFile)) {
    const pkg = readJson(pkgFile);
    const start = typeof pkg.scripts?.start === 'string' ? pkg.scripts.start : undefined;
    if (start !== undefined) {
      const parsed = parseNodeCommand(start);
      if (parsed) {
        const script = withExtension(path.resolve(folder, parsed.file));
        if (!isFile(script)) throw cbError('CB_ERR_PROJECT_ENTRY_MISSING', { source: 'package.json "scripts.start"', entry: parsed.file, path: script });
        return { script, nodeArgs: parsed.nodeArgs, scriptArgs: parsed.scriptArgs, source: 'package.json start' };
      }
      startNote = ` (the start script "${start}" does not run node on a file)`;
    }
    if (typeof pkg.main === 'string' && pkg.main !== '') {
      const script = withExtension(path.resolve(folder, pkg.main));
      if (!isFile(script)) throw cbError('CB_ERR_PROJECT_ENTRY_MISSING', { source: 'package.json "main"', entry: pkg.main, path: script });
      return { script, nodeArgs: [], scriptArgs: [], source: 'package.json main' };
    }
  }

  for (const name of DEFAULT_SCRIPTS) {
    const script = path.join(folder, name);
    if (existsSync(script)) return { script, nodeArgs: [], scriptArgs: [], source: 'default' };
  }
  lookedFor.push(...DEFAULT_SCRIPTS);
  throw cbError('CB_ERR_PROJECT_NO_ENTRY', { folder, lookedFor: lookedFor.join(', ') + startNote });
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

/** `main: "lib/server"` means lib/server.js (or lib/server/index.js), as require() resolves it. */
function withExtension(script: string): string {
  if (existsSync(script) && statSync(script).isFile()) return script;
  for (const candidate of [`${script}.js`, `${script}.mjs`, `${script}.cjs`, path.join(script, 'index.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  return script;
}

interface PackageJson {
  main?: unknown;
  scripts?: { start?: unknown };
}

function readJson(file: string): PackageJson {
  const text = readFileSync(file, 'utf8');
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as PackageJson) : {};
  } catch (err) {
    const { line, column } = jsonErrorPosition(text, err as Error);
    throw cbError('CB_ERR_PROJECT_BAD_JSON', { file, line, column, detail: (err as Error).message }, err);
  }
}

/** V8 reports JSON errors "at position N" (or "line L column C" in newer versions); turn that into line:column. */
export function jsonErrorPosition(text: string, err: Error): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(err.message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(err.message);
  const offset = pos ? Number(pos[1]) : text.length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Recognises `node [flags] <file> [args]` (the usual npm start); anything else returns undefined. */
export function parseNodeCommand(command: string): { nodeArgs: string[]; file: string; scriptArgs: string[] } | undefined {
  const words = command.trim().split(/\s+/);
  if (words[0] !== 'node' || words.length < 2) return undefined;
  if (words.some((w) => /[|&;<>$`]/.test(w))) return undefined;
  const nodeArgs: string[] = [];
  let i = 1;
  while (i < words.length && (words[i] as string).startsWith('-')) {
    const flag = words[i++] as string;
    nodeArgs.push(flag);
    // Flags whose value is the next word (`node -r dotenv/config server.js`).
    if (FLAGS_WITH_VALUE.has(flag) && i < words.length) nodeArgs.push(words[i++] as string);
  }
  const file = words[i];
  if (file === undefined) return undefined;
  return { nodeArgs, file: file.replace(/^['"]|['"]$/g, ''), scriptArgs: words.slice(i + 1) };
}
