// The log folder of one LogCapture: creates it on first use, creates uniquely named files in it, runs the
// retention purge after each new file, and turns the first failure into the capture's one recorded error.
// After that error, files stay off for this capture (retrying on every line would flood the disk with
// failing calls); the in-memory records go on.

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { CloudbenchError } from '../shared/errors.js';
import { cbError } from '../shared/errors.js';
import { createDebug } from './debug.js';
import { logFileName } from './log-file-name.js';
import { writeLogIndex } from './log-index.js';
import { errorCode, purgeLogFiles } from './log-purge.js';
import type { LogStream } from './log-store.js';

const debug = createDebug('logs');

/** How many later stamps to try when a name is taken (two rollovers in one millisecond). */
const MAX_NAME_ATTEMPTS = 1000;

export interface LogDirectoryOptions {
  directory: string;
  hostname: string;
  maxTotalBytes: number;
  maxFiles: number;
  /** Rewrite `index.html` in the folder after each new file and its purge (iisnode's convention). */
  indexFile?: boolean;
}

export interface OpenedLogFile {
  handle: FileHandle;
  path: string;
  stamp: number;
}

export class LogDirectory {
  private ready: Promise<void> | undefined;
  /** Files open for writing by this capture: the purge must not delete them under the writer. */
  private readonly open = new Set<string>();
  private purging: Promise<void> | undefined;
  private purgeAgain = false;
  private error: CloudbenchError | undefined;

  constructor(
    private readonly options: LogDirectoryOptions,
    private readonly onError: (error: CloudbenchError) => void = () => {},
  ) {}

  get path(): string {
    return this.options.directory;
  }

  get lastError(): CloudbenchError | undefined {
    return this.error;
  }

  get disabled(): boolean {
    return this.error !== undefined;
  }

  /**
   * Creates `<hostname>-<pid>-<stream>-<stamp>.txt` with a stamp ≥ `notBefore` (so one writer's files sort
   * in the order written) and runs the purge, as iisnode does on each new file.
   */
  async create(pid: number, stream: LogStream, notBefore: number): Promise<OpenedLogFile> {
    await this.ensure();
    let stamp = Math.max(Date.now(), notBefore);
    let remade = false;
    for (let attempt = 0; ; attempt++) {
      const filePath = path.join(this.options.directory, logFileName(this.options.hostname, pid, stream, stamp));
      // Protected before it exists, so a purge running concurrently cannot pick it.
      this.open.add(filePath);
      try {
        // 'wx': never append to another writer's file, even one of a reused pid.
        const handle = await open(filePath, 'wx');
        this.requestPurge();
        return { handle, path: filePath, stamp };
      } catch (error) {
        this.open.delete(filePath);
        const code = errorCode(error);
        if (code === 'EEXIST' && attempt < MAX_NAME_ATTEMPTS) {
          stamp += 1;
        } else if (code === 'ENOENT' && !remade) {
          // The folder was deleted while we ran (someone cleared the logs): make it again, once.
          remade = true;
          this.ready = undefined;
          await this.ensure();
        } else {
          throw error;
        }
      }
    }
  }

  /** The writer closed this file; the purge may delete it from now on. */
  release(filePath: string): void {
    this.open.delete(filePath);
  }

  /** Records the first failure as CB_ERR_LOGS_DIRECTORY and turns files off; later ones are only traced. */
  fail(error: unknown, where: string): void {
    const detail = error instanceof Error ? error.message : String(error);
    if (this.error !== undefined) {
      debug('log file error after files were turned off (%s): %s', where, detail);
      return;
    }
    this.error = cbError('CB_ERR_LOGS_DIRECTORY', { path: where, detail }, error);
    debug('%s', this.error.message);
    this.onError(this.error);
  }

  /** Resolves when no purge is running or asked for. */
  async idle(): Promise<void> {
    while (this.purging !== undefined) await this.purging;
  }

  private ensure(): Promise<void> {
    this.ready ??= mkdir(this.options.directory, { recursive: true }).then(
      () => undefined,
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    );
    return this.ready;
  }

  // Rollovers can come in bursts (many workers, a small size limit); purges never overlap, and requests
  // made while one runs are folded into a single rerun.
  private requestPurge(): void {
    if (this.purging !== undefined) {
      this.purgeAgain = true;
      return;
    }
    this.purging = this.purgeUntilQuiet().finally(() => {
      this.purging = undefined;
      // Asked for between the loop's last check and now.
      if (this.purgeAgain) this.requestPurge();
    });
  }

  private async purgeUntilQuiet(): Promise<void> {
    do {
      this.purgeAgain = false;
      try {
        const deleted = await purgeLogFiles(
          this.options.directory,
          { maxTotalBytes: this.options.maxTotalBytes, maxFiles: this.options.maxFiles },
          (filePath) => this.open.has(filePath),
        );
        if (deleted.length > 0) debug('purged %d old log file(s) in %s', deleted.length, this.options.directory);
        // After the purge, so the page lists what is really there.
        if (this.options.indexFile) await writeLogIndex(this.options.directory);
      } catch (error) {
        // Retention is housekeeping: a failed purge must not stop the logging it exists for.
        debug('purging %s failed: %O', this.options.directory, error);
      }
    } while (this.purgeAgain);
  }
}
