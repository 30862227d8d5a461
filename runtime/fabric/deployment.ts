// A deployment: an immutable, content-addressed snapshot of a project folder, as a package uploaded to a
// cloud slot is. Editing the folder afterwards changes nothing in the slots it was deployed to. The id is
// the SHA-256 of every file's relative path and bytes, so deploying unchanged code twice reuses one copy.
//
// node_modules is not copied (it can be hundreds of MB): the snapshot links to the project's, as a build
// that restores packages would provide them. Logs (iisnode/), .git and dot-folders are left out.

import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cbError } from '../shared/errors.js';

export interface Deployment {
  readonly id: string;
  /** The snapshot folder the slot runs. */
  readonly folder: string;
  /** Where it was taken from. */
  readonly source: string;
  readonly createdAt: number;
  readonly files: number;
}

const SKIPPED = new Set(['node_modules', '.git', 'iisnode']);

function collect(root: string, rel = '', out: string[] = []): string[] {
  for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    if (SKIPPED.has(entry.name) || entry.name.startsWith('.')) continue;
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) collect(root, child, out);
    else if (entry.isFile()) out.push(child);
  }
  return out;
}

/** Snapshots `folder` into `<store>/<id>` (or finds the existing identical snapshot). */
export function createDeployment(folder: string, store: string): Deployment {
  const source = path.resolve(folder);
  if (!existsSync(source) || !lstatSync(source).isDirectory()) throw cbError('CB_ERR_PROJECT_NOT_FOUND', { path: source, problem: 'is not a folder' });
  const files = collect(source).sort();
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(f).update('\0');
    hash.update(readFileSync(path.join(source, f))).update('\0');
  }
  const id = hash.digest('hex').slice(0, 16);
  const target = path.join(store, id);
  const meta = path.join(target, '.cloudbench-deployment.json');
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as Deployment;
  // Copied into a temporary folder and renamed: a half-written snapshot is never taken for a whole one.
  const temp = `${target}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(temp, { recursive: true });
  for (const f of files) {
    mkdirSync(path.dirname(path.join(temp, f)), { recursive: true });
    cpSync(path.join(source, f), path.join(temp, f));
  }
  const modules = path.join(source, 'node_modules');
  if (existsSync(modules)) symlinkSync(modules, path.join(temp, 'node_modules'), 'junction');
  const deployment: Deployment = { id, folder: target, source, createdAt: Date.now(), files: files.length };
  writeFileSync(path.join(temp, '.cloudbench-deployment.json'), `${JSON.stringify(deployment, null, 2)}\n`);
  try {
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { recursive: true, force: true });
    // Another deploy of the same content won the race: use it.
    if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as Deployment;
    throw err;
  }
  return deployment;
}
