// The packaging configuration's computed part: the bundled samples run in the user's own node with NODE_PATH at
// Cloudbench's node_modules, which the packaged app must unpack from app.asar. The closure of the samples' SDKs
// is checked by loading each SDK from a node_modules that holds only that closure (symlinks, resolved with
// --preserve-symlinks so a package cannot reach the repository's full node_modules).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { unpackedPath } from '../../../runtime/shared/asar.js';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(__dirname, '../../..');
const config = require(path.join(ROOT, 'build/electron-builder.cjs')) as { asarUnpack: string[]; [key: string]: unknown };
const { SAMPLE_SDKS, runtimeClosure } = require(path.join(ROOT, 'build/sample-sdks.cjs')) as { SAMPLE_SDKS: string[]; runtimeClosure: (names: string[]) => string[] };

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A node_modules holding only `folders` (top-level ones; nested node_modules come with their parent). */
function isolatedModules(folders: readonly string[]): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cb-closure-'));
  for (const folder of folders) {
    if (folder.split('/').filter((s) => s === 'node_modules').length > 1) continue;
    const target = path.join(dir, folder);
    mkdirSync(path.dirname(target), { recursive: true });
    symlinkSync(path.join(ROOT, folder), target, 'dir');
  }
  return path.join(dir, 'node_modules');
}

function load(nodePath: string, sdk: string) {
  return spawnSync(process.execPath, ['--preserve-symlinks', '-e', `require(${JSON.stringify(sdk)})`], {
    cwd: path.dirname(nodePath),
    env: { PATH: process.env.PATH, NODE_PATH: nodePath },
    encoding: 'utf8',
  });
}

describe('electron-builder configuration', () => {
  it('keeps its static settings and unpacks the hook, the native modules and the samples\' SDKs', () => {
    expect(config.appId).toBe('dev.cloudbench.workbench');
    expect(config.afterPack).toBe('build/after-pack.cjs');
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['dist/runtime/workers/hook.cjs', '**/node_modules/better-sqlite3/**', 'node_modules/@azure/service-bus/**', 'node_modules/rhea/**']));
    for (const folder of runtimeClosure(SAMPLE_SDKS)) expect(config.asarUnpack).toContain(`${folder}/**`);
    // electron-builder rejects unknown top-level keys: the helpers are not part of the exported object.
    expect(Object.keys(config)).not.toContain('runtimeClosure');
  });

  it('unpacks everything each sample SDK requires, and the check fails when a package is missing', () => {
    const closure = runtimeClosure(SAMPLE_SDKS);
    const nodePath = isolatedModules(closure);
    for (const sdk of SAMPLE_SDKS) {
      const result = load(nodePath, sdk);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
    rmSync(dir as string, { recursive: true, force: true });
    const without = isolatedModules(closure.filter((f) => f !== 'node_modules/rhea'));
    const broken = load(without, '@azure/service-bus');
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toContain("Cannot find module 'rhea'");
  });

  it('maps paths inside app.asar to app.asar.unpacked and leaves others alone', () => {
    expect(unpackedPath('/opt/Cloudbench/resources/app.asar/node_modules')).toBe('/opt/Cloudbench/resources/app.asar.unpacked/node_modules');
    expect(unpackedPath('C:\\Cloudbench\\resources\\app.asar\\dist\\runtime\\workers\\hook.cjs')).toBe('C:\\Cloudbench\\resources\\app.asar.unpacked\\dist\\runtime\\workers\\hook.cjs');
    expect(unpackedPath('/work/main/node_modules')).toBe('/work/main/node_modules');
    expect(unpackedPath('/x/app.asarx/y')).toBe('/x/app.asarx/y');
  });
});
