// In-memory log records of every worker: a fixed-size ring (old lines fall off, memory stays bounded),
// queried newest-first and tailed live. The UI and the control API read logs from here; files on disk are
// log-capture's business.

import { cbError } from '../shared/errors.js';
import { createDebug } from './debug.js';

const debug = createDebug('logs');

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  /** 1, 2, 3, … in append order; never reused, so it is a cursor for paging and for resuming a tail. */
  seq: number;
  /** Epoch ms at which Cloudbench read the line from the pipe. */
  time: number;
  instance: string;
  worker: string;
  pid: number;
  stream: LogStream;
  /** One line, without its newline (nor the \r of a \r\n). */
  text: string;
}

export interface LogQuery {
  instance?: string;
  worker?: string;
  stream?: LogStream;
  /** Case-insensitive substring of `text`. */
  text?: string;
  /** Only records with seq > afterSeq. */
  afterSeq?: number;
  /** Only records with seq < beforeSeq. */
  beforeSeq?: number;
  /**
   * The newest `limit` matching records are returned, oldest first.
   * @default 1000
   */
  limit?: number;
}

export interface LogStoreOptions {
  /**
   * How many records the ring keeps; appending beyond it drops the oldest.
   * @default 100_000
   */
  capacity?: number;
  /**
   * Live-tail batching period in ms: appends are collected and delivered together, so a worker printing
   * thousands of lines a second costs one callback per period, and a UI repaints at most once a frame.
   * @default 16
   */
  batchIntervalMs?: number;
}

export type LogListener = (batch: LogRecord[]) => void;

interface Subscription {
  listener: LogListener;
  /** The first seq this subscriber gets: records appended before it subscribed are not "live" for it. */
  fromSeq: number;
}

const DEFAULT_CAPACITY = 100_000;
const DEFAULT_LIMIT = 1000;
const DEFAULT_BATCH_MS = 16;

export class LogStore {
  private readonly capacity: number;
  private readonly batchIntervalMs: number;
  private readonly ring: LogRecord[];
  private count = 0;
  private seq = 0;
  private readonly subscriptions = new Set<Subscription>();
  private pending: LogRecord[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: LogStoreOptions = {}) {
    this.capacity = positiveInteger('capacity', options.capacity ?? DEFAULT_CAPACITY);
    this.batchIntervalMs = positiveInteger('batchIntervalMs', options.batchIntervalMs ?? DEFAULT_BATCH_MS);
    this.ring = new Array<LogRecord>(this.capacity);
  }

  /** The seq of the newest record, 0 before the first append. */
  get lastSeq(): number {
    return this.seq;
  }

  /** How many records the ring holds now (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  append(record: Omit<LogRecord, 'seq'>): LogRecord {
    this.seq += 1;
    // Built field by field: a caller passing a whole LogRecord (or an object with extra fields) must not
    // override seq or make the ring hold more than the record.
    const stored: LogRecord = {
      seq: this.seq,
      time: record.time,
      instance: record.instance,
      worker: record.worker,
      pid: record.pid,
      stream: record.stream,
      text: record.text,
    };
    // seq - 1 modulo capacity: the slot of the record appended `capacity` lines ago, i.e. the oldest.
    this.ring[(this.seq - 1) % this.capacity] = stored;
    if (this.count < this.capacity) this.count += 1;
    if (this.subscriptions.size > 0) this.enqueue(stored);
    return stored;
  }

  query(q: LogQuery = {}): LogRecord[] {
    const limit = Math.floor(q.limit ?? DEFAULT_LIMIT);
    if (!(limit > 0)) return [];
    // Seqs are contiguous in the ring, so the cursors bound the scan instead of filtering every record.
    let hi = this.seq;
    let lo = this.seq - this.count + 1;
    if (q.beforeSeq !== undefined) hi = Math.min(hi, Math.ceil(q.beforeSeq) - 1);
    if (q.afterSeq !== undefined) lo = Math.max(lo, Math.floor(q.afterSeq) + 1);
    const needle = q.text === undefined || q.text === '' ? undefined : q.text.toLowerCase();
    const found: LogRecord[] = [];
    // Newest first, so a small limit over a large ring stops early.
    for (let s = hi; s >= lo && found.length < limit; s--) {
      const r = this.ring[(s - 1) % this.capacity] as LogRecord;
      if (q.instance !== undefined && r.instance !== q.instance) continue;
      if (q.worker !== undefined && r.worker !== q.worker) continue;
      if (q.stream !== undefined && r.stream !== q.stream) continue;
      if (needle !== undefined && !r.text.toLowerCase().includes(needle)) continue;
      found.push(r);
    }
    return found.reverse();
  }

  /**
   * Live tail: `listener` gets every record appended from now on, in batches at most every
   * `batchIntervalMs`. All listeners receive the same array: treat it as read-only. A listener that throws
   * does not stop the others. Returns the unsubscribe function.
   */
  subscribe(listener: LogListener): () => void {
    const subscription: Subscription = { listener, fromSeq: this.seq + 1 };
    this.subscriptions.add(subscription);
    return () => {
      this.subscriptions.delete(subscription);
      if (this.subscriptions.size === 0) this.cancelBatch();
    };
  }

  private enqueue(record: LogRecord): void {
    this.pending.push(record);
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.deliver(), this.batchIntervalMs);
    // A pending live-tail batch is not a reason to keep the process alive.
    this.timer.unref();
  }

  private deliver(): void {
    const batch = this.pending;
    this.pending = [];
    this.timer = undefined;
    if (batch.length === 0) return;
    const firstSeq = (batch[0] as LogRecord).seq;
    // Copy: a listener may unsubscribe (itself or another) while we iterate.
    for (const subscription of [...this.subscriptions]) {
      if (!this.subscriptions.has(subscription)) continue;
      const records = subscription.fromSeq <= firstSeq ? batch : batch.filter((r) => r.seq >= subscription.fromSeq);
      if (records.length === 0) continue;
      try {
        subscription.listener(records);
      } catch (error) {
        debug('a live-tail listener threw; the other listeners still get the batch: %O', error);
      }
    }
  }

  private cancelBatch(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}

function positiveInteger(option: string, value: number): number {
  if (Number.isInteger(value) && value > 0) return value;
  throw cbError('CB_ERR_CONFIG_VALUE', { option, value: String(value), expected: 'a positive integer' });
}
