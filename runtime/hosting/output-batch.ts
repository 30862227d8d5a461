// Writes to one socket, gathered while a batch is open and sent as a single write when it closes. A
// worker's response usually arrives in one read (head, body, end of chunks); sending it to the client in one
// write() of one buffer is measurably cheaper than corking several writes into a writev, and far cheaper
// than a syscall per piece.
import type net from 'node:net';
import { holdUntilTurnEnd } from './turn-flush.js';

const MAX_CONCAT = 64 * 1024;

export class OutputBatch {
  #parts: Array<Buffer | string> = [];
  #bytes = 0;
  #open = 0;
  #endAfter = false;

  constructor(private readonly socket: net.Socket) {}

  begin(): void {
    this.#open++;
  }

  /** Queue (or, outside a batch, send) data; strings are latin1 (HTTP heads). False when the socket is full. */
  write(data: Buffer | string): boolean {
    if (this.#open === 0) return this.socket.write(data, 'latin1');
    this.#parts.push(data);
    this.#bytes += data.length;
    return true;
  }

  /** End the socket once everything queued is written. */
  endSocket(): void {
    if (this.#open > 0) this.#endAfter = true;
    else this.socket.end();
  }

  /** Close the batch; sends what it gathered. False when the socket is full (pause the producer). */
  end(): boolean {
    if (--this.#open > 0) return true;
    const ok = this.#flush();
    if (this.#endAfter) {
      this.#endAfter = false;
      this.socket.end();
    }
    return ok;
  }

  #flush(): boolean {
    if (this.#parts.length === 0) return !this.socket.writableNeedDrain;
    const parts = this.#parts;
    this.#parts = [];
    const bytes = this.#bytes;
    this.#bytes = 0;
    if (this.socket.destroyed) return true;
    holdUntilTurnEnd(this.socket);
    if (parts.length === 1) return this.socket.write(parts[0] as Buffer | string, 'latin1');
    if (bytes <= MAX_CONCAT) {
      const buffers = parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p));
      return this.socket.write(Buffer.concat(buffers, buffers.reduce((n, b) => n + b.length, 0)));
    }
    this.socket.cork();
    let ok = true;
    for (const p of parts) ok = this.socket.write(p, 'latin1');
    this.socket.uncork();
    return ok;
  }
}
