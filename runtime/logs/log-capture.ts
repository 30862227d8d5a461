// Reads the stdout and stderr pipes of the workers: each line becomes a record in the LogStore, the bytes
// go unchanged to iisnode-style rotating files, and each worker's last stderr bytes are kept for the crash
// page. iisnode monkey-patched process.stdout.write inside the app and turned \n into \r\n (reference/
// iisnode.md §2.8); reading the pipes from outside needs nothing in the app, catches output written by
// native code or before the app's first line runs, and keeps the bytes as written (§6).

import type { CloudbenchError } from '../shared/errors.js';
import { ByteTail } from './byte-tail.js';
import { CrlfConverter } from './crlf.js';
import { createDebug } from './debug.js';
import { LogDirectory } from './log-directory.js';
import type { LogFileOptions, ResolvedLogFileOptions } from './log-file-options.js';
import { resolveLogFileOptions } from './log-file-options.js';
import { LogFileWriter } from './log-file-writer.js';
import type { LogStore, LogStream } from './log-store.js';
import { LineSplitter } from './line-splitter.js';

export type { LogFileOptions } from './log-file-options.js';

const debug = createDebug('logs');

export const DEFAULT_STDERR_TAIL_BYTES = 64 * 1024;

export interface LogCaptureOptions {
  /**
   * How many bytes of each worker's stderr stay in memory for stderrTail().
   * @default 65536
   */
  stderrTailBytes?: number;
  /** Called once, with the first file error (the capture goes on, in memory only). */
  onError?: (error: CloudbenchError) => void;
}

export interface CaptureMeta {
  instance: string;
  worker: string;
  pid: number;
  stream: LogStream;
}

export class LogCapture {
  private readonly files: ResolvedLogFileOptions;
  private readonly directory: LogDirectory | undefined;
  private readonly stderrTailBytes: number;
  private readonly writers = new Set<LogFileWriter>();
  private readonly tails = new Map<number, ByteTail>();
  /** Detaches each attached stream that has not ended yet. */
  private readonly detachers = new Set<() => void>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly store: LogStore,
    files: LogFileOptions,
    options: LogCaptureOptions = {},
  ) {
    this.files = resolveLogFileOptions(files);
    this.stderrTailBytes = Math.max(0, Math.floor(options.stderrTailBytes ?? DEFAULT_STDERR_TAIL_BYTES));
    this.directory = this.files.enabled
      ? new LogDirectory(
          {
            directory: this.files.directory,
            hostname: this.files.hostname,
            maxTotalBytes: this.files.maxTotalBytes,
            maxFiles: this.files.maxFiles,
            indexFile: this.files.iisnodeConventions,
          },
          options.onError,
        )
      : undefined;
  }

  /** The first error writing log files (CB_ERR_LOGS_DIRECTORY), after which files are off; undefined while all is well. */
  get lastError(): CloudbenchError | undefined {
    return this.directory?.lastError;
  }

  /**
   * Starts reading one stream of a worker until it ends. Lines go to the store (a partial last line is
   * held until its newline or the end of the stream); the bytes go unchanged to
   * `<hostname>-<pid>-<stdout|stderr>-<epoch ms>.txt` files when files are enabled.
   */
  attach(stream: NodeJS.ReadableStream, meta: CaptureMeta): void {
    if (this.closing !== undefined) {
      // Keep the pipe flowing so the worker cannot block on a full pipe nobody reads.
      debug('attach after close ignored: %s %s pid %d', meta.worker, meta.stream, meta.pid);
      stream.resume();
      return;
    }
    const { instance, worker, pid } = meta;
    const splitter = new LineSplitter();
    const writer = this.createWriter(meta);
    const tail = meta.stream === 'stderr' ? this.newTail(pid) : undefined;
    let paused = false;
    let done = false;

    const record = (lines: string[]): void => {
      const time = Date.now();
      for (const text of lines) this.store.append({ time, instance, worker, pid, stream: meta.stream, text });
    };
    const onData = (chunk: Buffer | string): void => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      record(splitter.push(bytes));
      tail?.push(bytes);
      if (writer !== undefined && !writer.write(bytes) && !paused) {
        paused = true;
        stream.pause();
        writer.onceDrained(() => {
          paused = false;
          if (!done) stream.resume();
        });
      }
    };
    const finish = (): void => {
      if (done) return;
      done = true;
      stream.removeListener('data', onData);
      stream.removeListener('end', finish);
      stream.removeListener('close', finish);
      this.detachers.delete(finish);
      // Detached by close() while we held it paused: let it flow again so the worker is not blocked.
      if (paused) stream.resume();
      record(splitter.end());
      if (writer !== undefined) void writer.end().finally(() => this.writers.delete(writer));
    };
    // Stays attached even after finish: a stream error with no listener would crash the whole runtime.
    const onError = (error: unknown): void => {
      debug('%s %s pid %d: stream error: %O', worker, meta.stream, pid, error);
      finish();
    };

    this.detachers.add(finish);
    stream.on('data', onData);
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', onError);
  }

  /** The last `maxBytes` of stderr text of worker `pid` (at most the stderrTailBytes kept), '' if none. */
  stderrTail(pid: number, maxBytes = DEFAULT_STDERR_TAIL_BYTES): string {
    return this.tails.get(pid)?.read(maxBytes) ?? '';
  }

  /** Forgets a pid's stderr tail, some time after the worker exited. */
  forget(pid: number): void {
    this.tails.delete(pid);
  }

  /** Resolves when everything received so far is written to disk and the purges it caused are done. */
  async flush(): Promise<void> {
    await Promise.all([...this.writers].map((writer) => writer.idle()));
    await this.directory?.idle();
  }

  /** Stops reading every stream (emitting held partial lines), writes what was queued and closes the files. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const finish of [...this.detachers]) finish();
      await this.flush();
    })();
    return this.closing;
  }

  private createWriter(meta: CaptureMeta): LogFileWriter | undefined {
    if (this.directory === undefined || this.directory.disabled) return undefined;
    const writer = new LogFileWriter(this.directory, meta.pid, meta.stream, this.files.maxFileBytes, undefined, this.files.iisnodeConventions ? new CrlfConverter() : undefined);
    this.writers.add(writer);
    return writer;
  }

  // A new stderr under a pid we still remember is a new process that reused the pid: start it afresh.
  private newTail(pid: number): ByteTail {
    const tail = new ByteTail(this.stderrTailBytes);
    this.tails.set(pid, tail);
    return tail;
  }
}
