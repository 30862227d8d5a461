// Source maps for the debugger panel (TypeScript and other compiled apps): the original sources of a
// script with a sourceMappingURL, and positions both ways (a breakpoint in src/app.ts → a location in
// dist/app.js; a pause in dist/app.js → the line of src/app.ts to show). Lines and columns are 0-based here,
// as in CDP; source-map-js counts lines from 1.
import { SourceMapConsumer } from 'source-map-js';
import type { RawSourceMap } from 'source-map-js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Resolves a possibly relative URL against a base (a script's or a map's URL). */
export function resolveUrl(base: string, url: string): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}

/** The JSON text of a `data:application/json;base64,…` (or URL-encoded) map, else undefined. */
export function decodeDataUrl(url: string): string | undefined {
  const m = /^data:([^,]*?)(;base64)?,(.*)$/s.exec(url);
  if (!m) return undefined;
  const data = m[3] as string;
  if (!m[2]) return decodeURIComponent(data);
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

export class MappedScript {
  readonly #consumer: SourceMapConsumer;
  /** Absolute URLs of the original sources, in the map's order. */
  readonly sources: string[];
  readonly #byUrl = new Map<string, string>();
  readonly #contents = new Map<string, string>();
  readonly #base: string;

  /** `mapUrl` is where the map was read from (a data: map resolves against the script). */
  constructor(
    readonly scriptId: string,
    readonly scriptUrl: string,
    map: RawSourceMap,
    mapUrl: string,
  ) {
    this.#consumer = new SourceMapConsumer(map);
    // The consumer's sources already carry the map's sourceRoot; what is left relative is relative to the map.
    const base = mapUrl.startsWith('data:') ? scriptUrl : mapUrl;
    this.#base = base;
    this.sources = this.#consumer.sources.map((s) => {
      const url = resolveUrl(base, s);
      this.#byUrl.set(url, s);
      return url;
    });
    this.sources.forEach((url, i) => {
      const content = map.sourcesContent?.[i];
      if (typeof content === 'string') this.#contents.set(url, content);
    });
  }

  /** The text of an original source when the map embeds it. */
  content(url: string): string | undefined {
    return this.#contents.get(url);
  }

  setContent(url: string, text: string): void {
    this.#contents.set(url, text);
  }

  /** Where a line of an original source runs in the generated script (the first mapped column on it). */
  toGenerated(url: string, line: number): Position | undefined {
    const source = this.#byUrl.get(url);
    if (source === undefined) return undefined;
    const all = this.#consumer.allGeneratedPositionsFor({ source, line: line + 1, column: 0 });
    const hit = all.find((p) => p.line !== null) ?? this.#consumer.generatedPositionFor({ source, line: line + 1, column: 0, bias: SourceMapConsumer.LEAST_UPPER_BOUND });
    if (hit.line === null || hit.line === undefined) return undefined;
    return { line: hit.line - 1, column: hit.column ?? 0 };
  }

  /** The original source and line of a generated position (a pause, a call frame). */
  toOriginal(pos: Position): { url: string; line: number; column: number } | undefined {
    const o = this.#consumer.originalPositionFor({ line: pos.line + 1, column: pos.column, bias: SourceMapConsumer.GREATEST_LOWER_BOUND });
    if (o.source === null || o.line === null) return undefined;
    return { url: resolveUrl(this.#base, o.source), line: o.line - 1, column: o.column ?? 0 };
  }
}
