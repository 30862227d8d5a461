// The last N bytes a stream wrote. When a worker crashes, its stderr tail goes on the error page (like
// iisnode's devErrorsEnabled page), whether or not log files are on, so it is kept in memory here.

export class ByteTail {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly capacity: number) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0 || this.capacity <= 0) return;
    // Keep only the end of an oversized chunk, so one huge write cannot pin a huge buffer.
    const kept = chunk.length > this.capacity ? chunk.subarray(chunk.length - this.capacity) : chunk;
    this.chunks.push(kept);
    this.bytes += kept.length;
    // Drop whole chunks from the front while the rest still covers the capacity, then trim the first one.
    while (this.bytes - (this.chunks[0] as Buffer).length >= this.capacity) {
      this.bytes -= (this.chunks.shift() as Buffer).length;
    }
    const excess = this.bytes - this.capacity;
    if (excess > 0) {
      this.chunks[0] = (this.chunks[0] as Buffer).subarray(excess);
      this.bytes -= excess;
    }
  }

  /** The last `maxBytes` bytes as text, starting at a whole UTF-8 character. */
  read(maxBytes: number): string {
    const all = Buffer.concat(this.chunks, this.bytes);
    let start = Math.max(0, all.length - Math.max(0, Math.floor(maxBytes)));
    // A cut inside a multi-byte character would start with continuation bytes (10xxxxxx): skip them
    // rather than show a replacement character.
    while (start < all.length && ((all[start] as number) & 0xc0) === 0x80) start++;
    return all.toString('utf8', start);
  }
}
