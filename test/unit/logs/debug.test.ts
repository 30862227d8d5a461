// debuglog reads NODE_DEBUG once at process start, so each case runs debug.ts in a fresh node process
// (transpiled with the project's TypeScript: node 20 cannot run .ts itself).

import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, it, expect, afterAll, beforeAll } from 'vitest';

const SOURCE = fileURLToPath(new URL('../../../runtime/logs/debug.ts', import.meta.url));
let moduleUrl = '';
let tempDir = '';

beforeAll(async () => {
  const { outputText } = ts.transpileModule(await readFile(SOURCE, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'cloudbench-debug-'));
  const file = path.join(tempDir, 'debug.mjs');
  await writeFile(file, outputText);
  moduleUrl = pathToFileURL(file).href;
});

afterAll(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

/** Runs createDebug in a fresh process with NODE_DEBUG set; returns its stderr. */
function run(nodeDebug: string, body: string): { stderr: string; stdout: string; pid: number } {
  const script = `import { createDebug } from ${JSON.stringify(moduleUrl)};\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, NODE_DEBUG: nodeDebug },
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  return { stderr: result.stderr, stdout: result.stdout, pid: result.pid ?? 0 };
}

describe('createDebug', () => {
  it('writes namespaced lines to stderr when NODE_DEBUG=cloudbench:* and formats like util.format', () => {
    const { stderr, stdout, pid } = run('cloudbench:*', `
      const log = createDebug('logs');
      console.log(log.enabled, createDebug('cloudbench:workers').enabled);
      log('worker %s wrote %d lines %j', 'w1', 42, { a: 1 });
    `);
    expect(stdout.trim()).toBe('true true');
    expect(stderr).toBe(`CLOUDBENCH:LOGS ${pid}: worker w1 wrote 42 lines {"a":1}\n`);
  });

  it('is silent for namespaces NODE_DEBUG does not list, and "cloudbench" alone enables nothing', () => {
    const listed = run('cloudbench:workers,http', `
      createDebug('logs')('hidden');
      createDebug('cloudbench:workers')('shown');
    `);
    expect(listed.stderr).toBe(`CLOUDBENCH:WORKERS ${listed.pid}: shown\n`);
    expect(run('cloudbench', `createDebug('logs')('hidden');`).stderr).toBe('');
  });
});
