// Turns the chunks of a pipe into lines. Pipe chunks end wherever the kernel buffer happened to be, so a
// line (or a multi-byte UTF-8 character, or the \r\n pair) may straddle two chunks: the unfinished tail is
// held until its newline arrives or the stream ends.

import { StringDecoder } from 'node:string_decoder';

/**
 * A line that never ends (a progress bar redrawn with \r, a minified blob) must not grow without bound in
 * memory; past this many characters the held text is emitted as a line of its own. Nothing is dropped.
 */
export const MAX_LINE_CHARS = 64 * 1024;

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly maxLineChars = MAX_LINE_CHARS) {}

  /** The lines that `chunk` completes, without their newline; the rest is held for the next chunk. */
  push(chunk: Buffer | string): string[] {
    const text = this.partial + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      lines.push(withoutCr(text.slice(start, nl)));
      start = nl + 1;
    }
    let rest = text.slice(start);
    while (rest.length > this.maxLineChars) {
      lines.push(rest.slice(0, this.maxLineChars));
      rest = rest.slice(this.maxLineChars);
    }
    this.partial = rest;
    return lines;
  }

  /** At the end of the stream: the last line if it had no newline (an app's final `process.stdout.write('bye')`). */
  end(): string[] {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest === '' ? [] : [withoutCr(rest)];
  }
}

// Windows programs (and Node on Windows) end lines with \r\n; the record keeps the text only. A \r inside
// a line is kept: it is content (e.g. a progress bar), not a line ending.
function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
