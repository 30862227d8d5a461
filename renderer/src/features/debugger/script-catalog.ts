// The scripts a debugging session has seen (Debugger.scriptParsed) and the source maps of those that have
// one. Plain maps: the session publishes what the view needs (the tree's URLs) as state itself.
import type { MappedScript } from './source-mapping';

export interface ScriptInfo {
  readonly scriptId: string;
  readonly url: string;
  readonly sourceMapURL: string;
}

export class ScriptCatalog {
  readonly #scripts = new Map<string, ScriptInfo>();
  readonly #byUrl = new Map<string, ScriptInfo>();
  readonly #maps = new Map<string, MappedScript>();
  readonly #originals = new Map<string, MappedScript>();

  add(script: ScriptInfo): void {
    this.#scripts.set(script.scriptId, script);
    this.#byUrl.set(script.url, script);
  }

  addMap(map: MappedScript): void {
    this.#maps.set(map.scriptId, map);
    for (const url of map.sources) this.#originals.set(url, map);
  }

  script(scriptId: string): ScriptInfo | undefined {
    return this.#scripts.get(scriptId);
  }

  scriptAt(url: string): ScriptInfo | undefined {
    return this.#byUrl.get(url);
  }

  mapOf(scriptId: string): MappedScript | undefined {
    return this.#maps.get(scriptId);
  }

  /** The mapped script an original source (src/app.ts) belongs to. */
  originalOf(url: string): MappedScript | undefined {
    return this.#originals.get(url);
  }

  /** What the sources tree lists: scripts without a map, and the original sources of those with one. */
  urls(): string[] {
    const out: string[] = [];
    for (const s of this.#scripts.values()) {
      const map = this.#maps.get(s.scriptId);
      if (map) out.push(...map.sources);
      else out.push(s.url);
    }
    return out;
  }
}
