// Writes one stream of one worker (say pid 4242's stderr) to its rotating log files.
//
// The data path never blocks the event loop: iisnode's interceptor did open + writeSync + close for each
// write, which is what made heavy logging slow there. Here the bytes are queued, and one asynchronous write
// at a time drains the whole queue, so the busier the worker, the bigger (and fewer) the writes. The file
// stays open between writes and is closed at the end of the stream or on rollover.

import type { FileHandle } from 'node:fs/promises';
import type { CrlfConverter } from './crlf.js';
import type { LogDirectory } from './log-directory.js';
import type { LogStream } from './log-store.js';
import { planRollover } from './rollover-plan.js';

/**
 * Above this many queued bytes, write() returns false and the capture pauses the pipe until the queue
 * drains. The worker then waits on its pipe rather than Cloudbench growing without bound: lines are
 * delayed, never dropped.
 */
export const WRITER_HIGH_WATER_MARK = 8 * 1024 * 1024;

export class LogFileWriter {
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private running: Promise<void> | undefined;
  private handle: FileHandle | undefined;
  private filePath: string | undefined;
  private size = 0;
  private lastStamp = 0;
  private ended = false;
  private failed = false;
  private drainWaiters: (() => void)[] = [];

  constructor(
    private readonly directory: LogDirectory,
    private readonly pid: number,
    private readonly stream: LogStream,
    private readonly maxFileBytes: number,
    private readonly highWaterMark = WRITER_HIGH_WATER_MARK,
    /** Line-end conversion for iisnode's conventions; bytes go unchanged without one. */
    private readonly crlf?: CrlfConverter,
  ) {}

  /** Queues `chunk` for the file. Returns false when the queue is over its high-water mark: pause the source until onceDrained. */
  write(chunk: Buffer): boolean {
    if (this.failed || this.ended || this.directory.disabled || chunk.length === 0) return true;
    if (this.crlf !== undefined) chunk = this.crlf.convert(chunk);
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    this.kick();
    return this.queuedBytes < this.highWaterMark;
  }

  /** Calls `callback` once the queue is below half the high-water mark (or writing has failed). */
  onceDrained(callback: () => void): void {
    if (this.failed || this.queuedBytes < this.highWaterMark / 2) callback();
    else this.drainWaiters.push(callback);
  }

  /** No more data will come: write what is queued, then close the file. */
  end(): Promise<void> {
    this.ended = true;
    this.kick();
    return this.idle();
  }

  /** Resolves when everything queued so far is on disk (or dropped after a failure). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private kick(): void {
    if (this.running !== undefined) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      // Data queued (or end() called) between the loop's last check and now.
      if (!this.failed && (this.queue.length > 0 || (this.ended && this.handle !== undefined))) this.kick();
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failed) {
        if (this.directory.disabled) {
          // Another writer of this capture failed: files are off, keep nothing queued.
          this.dropQueue();
          break;
        }
        const batch = this.queue;
        const batchBytes = this.queuedBytes;
        this.queue = [];
        await this.writeBatch(batch);
        this.queuedBytes -= batchBytes;
        if (this.queuedBytes < this.highWaterMark / 2) this.releaseWaiters();
      }
      if (this.ended || this.directory.disabled) await this.closeFile();
    } catch (error) {
      this.failed = true;
      this.dropQueue();
      this.directory.fail(error, this.filePath ?? this.directory.path);
      await this.closeFile().catch(() => {});
    }
  }

  private async writeBatch(batch: Buffer[]): Promise<void> {
    const segments = planRollover(batch, { open: this.handle !== undefined, size: this.size }, this.maxFileBytes);
    for (const segment of segments) {
      if (segment.newFile || this.handle === undefined) await this.nextFile();
      const data = segment.chunks.length === 1 ? (segment.chunks[0] as Buffer) : Buffer.concat(segment.chunks, segment.bytes);
      await writeFully(this.handle as FileHandle, data);
      this.size += data.length;
    }
  }

  private async nextFile(): Promise<void> {
    await this.closeFile();
    // Each new name is stamped after the previous one, so this writer's files sort in write order even
    // when two rollovers fall in the same millisecond.
    const opened = await this.directory.create(this.pid, this.stream, this.lastStamp + 1);
    this.handle = opened.handle;
    this.filePath = opened.path;
    this.lastStamp = opened.stamp;
    this.size = 0;
  }

  private async closeFile(): Promise<void> {
    const handle = this.handle;
    const filePath = this.filePath;
    this.handle = undefined;
    if (handle === undefined) return;
    try {
      await handle.close();
    } finally {
      if (filePath !== undefined) this.directory.release(filePath);
    }
  }

  private dropQueue(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.releaseWaiters();
  }

  private releaseWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

// A write to a regular file normally takes everything at once, but the API allows a short write.
async function writeFully(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}
