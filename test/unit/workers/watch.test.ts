// watchedFiles decides which saves recycle the app. Too narrow and a save does nothing (iisnode's most common
// complaint, iisnode.md §4 item 9); too wide and `npm install` recycles the app a thousand times.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWatchedFiles, watchFiles } from '../../../runtime/workers/watch.js';
import type { Watcher } from '../../../runtime/workers/watch.js';

function shape(text: string): Array<{ base: string; recursive: boolean; depth: number }> {
  return parseWatchedFiles(text).map(({ base, recursive, depth }) => ({ base, recursive, depth }));
}

/** Which of `paths` any entry of `text` matches. */
function matching(text: string, paths: string[]): string[] {
  const entries = parseWatchedFiles(text);
  return paths.filter((p) => entries.some((e) => e.matches(p)));
}

describe('parseWatchedFiles', () => {
  it("reads iisnode's default *.js;iisnode.yml as two non-recursive entries at the app root", () => {
    expect(shape('*.js;iisnode.yml')).toEqual([
      { base: '', recursive: false, depth: 0 },
      { base: '', recursive: false, depth: 0 },
    ]);
    expect(matching('*.js;iisnode.yml', ['server.js', 'iisnode.yml', 'lib/a.js', 'node_modules/x/index.js', 'server.ts', 'a.json', 'x/iisnode.yml'])).toEqual(['server.js', 'iisnode.yml']);
  });

  it('accepts backslashes, as Windows web.config files write them (node_modules\\*.js)', () => {
    expect(shape('node_modules\\*.js')).toEqual([{ base: 'node_modules', recursive: false, depth: 0 }]);
    expect(matching('node_modules\\*.js', ['node_modules/a.js', 'node_modules/pkg/index.js', 'a.js'])).toEqual(['node_modules/a.js']);
  });

  it('recurses for ** entries, from the folder before the first wildcard', () => {
    expect(shape('**/*.js')).toEqual([{ base: '', recursive: true, depth: 1 }]);
    expect(matching('**/*.js', ['a.js', 'lib/a.js', 'lib/deep/er/a.js', 'lib/a.ts'])).toEqual(['a.js', 'lib/a.js', 'lib/deep/er/a.js']);
    expect(shape('lib/**/*.js')).toEqual([{ base: 'lib', recursive: true, depth: 1 }]);
    expect(matching('lib/**/*.js', ['lib/a.js', 'lib/x/y/a.js', 'a.js', 'src/lib/a.js'])).toEqual(['lib/a.js', 'lib/x/y/a.js']);
  });

  it('gives plain file paths their folder as base', () => {
    expect(shape('lib/server.js')).toEqual([{ base: 'lib', recursive: false, depth: 0 }]);
    expect(shape('a/b/c.json')).toEqual([{ base: 'a/b', recursive: false, depth: 0 }]);
    expect(matching('lib/server.js', ['lib/server.js', 'lib/server.jsx', 'server.js'])).toEqual(['lib/server.js']);
  });

  it('counts the folder levels a wildcard in a folder name can reach', () => {
    expect(shape('lib/*/index.js')).toEqual([{ base: 'lib', recursive: false, depth: 1 }]);
    expect(shape('*/*/x.js')).toEqual([{ base: '', recursive: false, depth: 2 }]);
    expect(matching('lib/*/index.js', ['lib/a/index.js', 'lib/index.js', 'lib/a/b/index.js'])).toEqual(['lib/a/index.js']);
  });

  it('drops web.config entries in any case (config changes recycle another way)', () => {
    expect(shape('web.config;*.js;WEB.CONFIG;Web.Config')).toEqual([{ base: '', recursive: false, depth: 0 }]);
  });

  it('trims entries, drops empty ones and a leading ./', () => {
    expect(shape(' ;  *.js ; ;./lib/a.js;')).toEqual([
      { base: '', recursive: false, depth: 0 },
      { base: 'lib', recursive: false, depth: 0 },
    ]);
    expect(matching('./app.js', ['app.js'])).toEqual(['app.js']);
    expect(parseWatchedFiles('')).toEqual([]);
  });

  it('matches dot-files when the pattern allows them', () => {
    expect(matching('*', ['.env', 'a.js'])).toEqual(['.env', 'a.js']);
    expect(matching('.env', ['.env'])).toEqual(['.env']);
  });
});

describe('watchFiles on a real folder', () => {
  const DEBOUNCE = 150;
  let dir = '';
  const open: Watcher[] = [];

  afterEach(async () => {
    await Promise.all(open.splice(0).map((w) => w.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function setup(watchedFiles: string, files: Record<string, string>): Promise<string[][]> {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cloudbench-watch-'));
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    const calls: string[][] = [];
    const watcher = watchFiles({ root: dir, watchedFiles, debounceMs: DEBOUNCE, onChange: (f) => calls.push([...f].sort()) });
    open.push(watcher);
    await watcher.ready;
    return calls;
  }

  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  async function waitForCalls(calls: string[][], n: number, timeoutMs = 8000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (calls.length < n) {
      if (Date.now() > until) throw new Error(`expected ${n} onChange calls within ${timeoutMs} ms, got ${JSON.stringify(calls)}`);
      await sleep(20);
    }
  }

  function write(name: string, text: string): Promise<void> {
    return writeFile(path.join(dir, name), text);
  }

  it('fires onChange once for a burst of five writes to a watched file', async () => {
    const calls = await setup('*.js;iisnode.yml', { 'server.js': 'v0' });
    for (let i = 1; i <= 5; i++) {
      await write('server.js', `v${i}`);
      await sleep(20);
    }
    await waitForCalls(calls, 1);
    // Long enough for a second burst report to show up if the debounce were broken.
    await sleep(DEBOUNCE * 4);
    expect(calls).toEqual([['server.js']]);
  });

  it('ignores files the entries do not match; a later watched change reports only itself', async () => {
    const calls = await setup('*.js;iisnode.yml', { 'server.js': 'v0', 'readme.txt': 'a', 'lib/a.js': 'a' });
    await write('readme.txt', 'changed');
    await write('lib/a.js', 'changed');
    await write('new.ts', 'created');
    await sleep(DEBOUNCE * 3);
    // A sentinel change: had the files above been reported, there would be an earlier call or more files.
    await write('iisnode.yml', 'nodeProcessCountPerApplication: 2');
    await waitForCalls(calls, 1);
    await sleep(DEBOUNCE * 2);
    expect(calls).toEqual([['iisnode.yml']]);
  });

  it('reports new and deleted watched files too', async () => {
    const calls = await setup('*.js', { 'server.js': 'v0' });
    await write('added.js', 'x');
    await waitForCalls(calls, 1);
    await rm(path.join(dir, 'added.js'));
    await waitForCalls(calls, 2);
    expect(calls).toEqual([['added.js'], ['added.js']]);
  });

  it('does not descend into node_modules under ** unless the entry names it', async () => {
    const files = { 'server.js': 'v0', 'lib/deep/a.js': 'a', 'node_modules/pkg/index.js': 'a' };
    const calls = await setup('**/*.js', files);
    await write('node_modules/pkg/index.js', 'changed');
    await sleep(DEBOUNCE * 3);
    await write('lib/deep/a.js', 'changed');
    await waitForCalls(calls, 1);
    await sleep(DEBOUNCE * 2);
    expect(calls).toEqual([['lib/deep/a.js']]);

    await Promise.all(open.splice(0).map((w) => w.close()));
    await rm(dir, { recursive: true, force: true });
    const named = await setup('node_modules/**/*.js', files);
    await write('node_modules/pkg/index.js', 'changed again');
    await waitForCalls(named, 1);
    expect(named).toEqual([['node_modules/pkg/index.js']]);
  });

  it('starts and stays quiet when an entry names a folder that does not exist (iisnode test 121)', async () => {
    const calls = await setup('missing/*.js;*.js', { 'server.js': 'v0' });
    await write('server.js', 'v1');
    await waitForCalls(calls, 1);
    expect(calls).toEqual([['server.js']]);
  });
});
