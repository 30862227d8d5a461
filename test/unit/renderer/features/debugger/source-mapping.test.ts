import { describe, expect, it } from 'vitest';
import { SourceMapGenerator } from 'source-map-js';
import type * as Mapping from '~renderer/features/debugger/source-mapping';
import type * as Tree from '~renderer/features/debugger/script-tree';
import { load } from '../../load-renderer.js';

const { MappedScript, decodeDataUrl, resolveUrl } = await load<typeof Mapping>('features/debugger/source-mapping');
const { groupSources, logpointCondition, classify } = await load<typeof Tree>('features/debugger/script-tree');

/** dist/app.js compiled from src/app.ts with a 2-line header: original line n → generated line n + 2. */
function map(): ReturnType<SourceMapGenerator['toJSON']> {
  const g = new SourceMapGenerator({ file: 'app.js' });
  for (let line = 1; line <= 10; line++) g.addMapping({ source: '../src/app.ts', original: { line, column: 0 }, generated: { line: line + 2, column: 4 } });
  g.setSourceContent('../src/app.ts', 'const a: number = 1;\n');
  return g.toJSON();
}

describe('MappedScript', () => {
  const script = new MappedScript('42', 'file:///srv/app/dist/app.js', map() as never, 'file:///srv/app/dist/app.js.map');

  it('names the original sources by absolute URL, with their embedded text', () => {
    expect(script.sources).toEqual(['file:///srv/app/src/app.ts']);
    expect(script.content('file:///srv/app/src/app.ts')).toBe('const a: number = 1;\n');
  });

  it('maps a breakpoint line of the original source to the generated script (0-based)', () => {
    expect(script.toGenerated('file:///srv/app/src/app.ts', 4)).toEqual({ line: 6, column: 4 });
    expect(script.toGenerated('file:///srv/app/src/other.ts', 4)).toBeUndefined();
  });

  it('maps a paused position back to the original line', () => {
    expect(script.toOriginal({ line: 6, column: 10 })).toEqual({ url: 'file:///srv/app/src/app.ts', line: 4, column: 0 });
    expect(script.toOriginal({ line: 0, column: 0 })).toBeUndefined();
  });

  it('reads inline data: maps, base64 or not, and resolves their sources against the script', () => {
    const json = JSON.stringify(map());
    expect(decodeDataUrl(`data:application/json;base64,${btoa(json)}`)).toBe(json);
    expect(decodeDataUrl(`data:application/json,${encodeURIComponent(json)}`)).toBe(json);
    expect(decodeDataUrl('app.js.map')).toBeUndefined();
    const inline = new MappedScript('1', 'file:///srv/app/dist/app.js', JSON.parse(json), 'data:application/json;base64,xx');
    expect(inline.sources).toEqual(['file:///srv/app/src/app.ts']);
    expect(resolveUrl('file:///srv/app/dist/app.js', 'app.js.map')).toBe('file:///srv/app/dist/app.js.map');
  });
});

describe('sources tree', () => {
  it('lists app files first, then node_modules, then Node internals and the worker hook', () => {
    const g = groupSources(
      ['node:internal/main', 'file:///srv/app/server.js', 'file:///srv/app/node_modules/x/index.js', 'file:///srv/app/lib/a.js', 'file:///opt/cb/runtime/workers/hook.cjs', 'file:///srv/app/server.js'],
      '/srv/app',
    );
    expect(g.app.map((e: { label: string }) => e.label)).toEqual(['lib/a.js', 'server.js']);
    expect(g.modules.map((e: { label: string }) => e.label)).toEqual(['node_modules/x/index.js']);
    expect(g.internals.map((e: { label: string }) => e.label)).toEqual(['cloudbench worker hook', 'internal/main']);
    expect(classify('file:///C:/sites/app/server.js', 'C:\\sites\\app').label).toBe('server.js');
  });

  it('turns a logpoint message into a condition that logs and never stops', () => {
    const condition = logpointCondition('count is {count}, `x` \\ {y}');
    expect(condition).toBe('console.log(`count is ${count}, \\`x\\` \\\\ ${y}`), false');
    const logged: string[] = [];
    const console = { log: (s: string) => logged.push(s) };
    expect(new Function('console', 'count', 'y', `return (${condition})`)(console, 3, 'no')).toBe(false);
    expect(logged).toEqual(['count is 3, `x` \\ no']);
  });
});
