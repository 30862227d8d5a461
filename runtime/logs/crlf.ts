// iisnode's interceptor turned each "\n" the app wrote into "\r\n" before writing its log files (reference/
// iisnode.md §2.8; its test 105 reads `Request1\r\n…`). Projects with a web.config get the same bytes on
// disk, so tools written against iisnode's logs keep working; other projects keep the bytes as written.
// A pipe can split "\r\n" across two chunks, so the converter remembers whether the last byte was "\r".

const CR = 0x0d;
const LF = 0x0a;

export class CrlfConverter {
  private lastWasCR = false;

  /** The chunk with every "\n" not already preceded by "\r" turned into "\r\n". */
  convert(chunk: Buffer): Buffer {
    if (chunk.length === 0) return chunk;
    let bare = 0;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      const before = i === 0 ? this.lastWasCR : chunk[i - 1] === CR;
      if (!before) bare++;
    }
    const last = chunk[chunk.length - 1] === CR;
    if (bare === 0) {
      this.lastWasCR = last;
      return chunk;
    }
    const out = Buffer.allocUnsafe(chunk.length + bare);
    let from = 0;
    let to = 0;
    for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
      const before = i === 0 ? this.lastWasCR : chunk[i - 1] === CR;
      if (before) continue;
      to += chunk.copy(out, to, from, i);
      out[to++] = CR;
      from = i;
    }
    chunk.copy(out, to, from);
    this.lastWasCR = last;
    return out;
  }
}
