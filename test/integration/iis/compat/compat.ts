// Shared by the iisnode compatibility suite: each fixture of test/fixtures/iis/compat is a project as an iisnode
// user wrote it, copied to a temp folder and served by the real `cloudbench serve`. A file starts all its
// fixtures at once in beforeAll (startup is mostly waiting for processes) and its tests take them by name.
import net from 'node:net';
import { copyFixture, get, serve } from '../../../helpers/serve.js';
import type { Served } from '../../../helpers/serve.js';

export interface StartOptions {
  /** Folder under test/fixtures/iis/compat; defaults to the key. */
  readonly fixture?: string;
  readonly args?: string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Runs on the copied folder before the app starts (iisnode's .bat tests copied files in first). */
  readonly prepare?: (folder: string) => void;
}

export class CompatFixtures {
  readonly #apps = new Map<string, Promise<Served>>();
  readonly #folders = new Map<string, string>();

  /** Copies the fixture and starts serving it; a failure to start is reported by the test that uses it. */
  start(key: string, options: StartOptions = {}): void {
    const folder = copyFixture(`iis/compat/${options.fixture ?? key}`);
    options.prepare?.(folder);
    this.#folders.set(key, folder);
    const started = serve(folder, options.args ?? [], options.env);
    started.catch(() => undefined);
    this.#apps.set(key, started);
  }

  /** Resolves when every fixture has started or failed to. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#apps.values());
  }

  app(key: string): Promise<Served> {
    const app = this.#apps.get(key);
    if (!app) throw new Error(`fixture ${key} was not started`);
    return app;
  }

  folder(key: string): string {
    const folder = this.#folders.get(key);
    if (!folder) throw new Error(`fixture ${key} was not started`);
    return folder;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#apps.values()].map((p) => p.then((a) => a.stop(), () => undefined)));
  }
}

/** Sequential GETs, as iisnode's `iisnodeassert.sequence` sent them; returns the bodies. */
export async function sequence(url: string, count: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = await get(url);
    if (r.status !== 200) throw new Error(`GET ${url} answered ${r.status}: ${r.text.slice(0, 300)}`);
    bodies.push(r.text);
  }
  return bodies;
}

/** Writes raw bytes and collects the answer until `until` matches, the server closes, or time is up. */
export function raw(url: string, bytes: string, until: RegExp, timeoutMs = 5000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let got = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (until.test(got)) done();
    });
    socket.on('end', done);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.write(bytes);
  });
}

/** Waits until none of `before` is a worker any more and `count` workers run: a new generation serves. */
export function newGeneration(app: Served, before: number[], count: number): () => boolean {
  return () => {
    const now = app.workerPids();
    return now.length === count && now.every((p) => !before.includes(p));
  };
}
