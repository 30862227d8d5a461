// Shared by the project tests: real temporary project folders, and a way to catch a coded error.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { CloudbenchError } from '../../../runtime/shared/errors.js';
import type { ErrorCode } from '../../../runtime/shared/errors.js';

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh folder holding `files` (path → contents; a path ending in / makes an empty folder). Removed after the test. */
export async function makeProject(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudbench-project-'));
  created.push(dir);
  for (const [name, text] of Object.entries(files)) {
    const full = path.join(dir, name);
    if (name.endsWith('/')) {
      await mkdir(full, { recursive: true });
      continue;
    }
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, text);
  }
  return dir;
}

/** Runs `fn`, expects it to throw a CloudbenchError with `code`, and returns it. */
export function coded(code: ErrorCode, fn: () => unknown): CloudbenchError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code} to be thrown`).toBeInstanceOf(CloudbenchError);
  expect((caught as CloudbenchError).code).toBe(code);
  return caught as CloudbenchError;
}

/** web.config text around a <system.webServer> body and optional <appSettings>. */
export function webConfig(webServer: string, appSettings = ''): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<configuration>
${appSettings ? `  <appSettings>\n${appSettings}\n  </appSettings>\n` : ''}  <system.webServer>
${webServer}
  </system.webServer>
</configuration>
`;
}

/** The usual iisnode handler mapping for `script`. */
export function handler(script: string): string {
  return `    <handlers>\n      <add name="iisnode" path="${script}" verb="*" modules="iisnode"/>\n    </handlers>`;
}
