// Where the bytes of a batch go: into the current file, or into a new one when the current file would
// exceed maxLogFileSizeInKB (reference/iisnode.md §2.8; iisnode's test 110: 1 KB limit, two 1 KB writes →
// two files).
//
// iisnode saw each write() of the app; we see pipe chunks, and under load one chunk holds many writes
// glued together (up to 64 KB on Linux). Rolling over per chunk would make files many times the limit
// exactly when output is heavy, so a chunk is cut at its last newline that still fits. What iisnode
// promised for one write larger than the limit holds for one *line* larger than the limit: it goes whole
// into a file of its own. Bytes are never altered or reordered, only distributed.

const NEWLINE = 0x0a;

export interface Segment {
  /** Open a new file before writing this segment. */
  newFile: boolean;
  chunks: Buffer[];
  bytes: number;
}

export interface FileState {
  /** Whether a file is open to append to. */
  open: boolean;
  /** Its size in bytes. */
  size: number;
}

export function planRollover(chunks: readonly Buffer[], state: FileState, maxFileBytes: number): Segment[] {
  const segments: Segment[] = [];
  let current: Segment | undefined;
  let size = state.size;
  let needFile = !state.open;

  for (const chunk of chunks) {
    let rest = chunk;
    while (rest.length > 0) {
      if (needFile) size = 0;
      const room = maxFileBytes - size;
      let take: number;
      if (rest.length <= room) {
        take = rest.length;
      } else {
        // Whole lines that still fit (lastIndexOf searches backwards from room - 1).
        take = room > 0 ? rest.lastIndexOf(NEWLINE, room - 1) + 1 : 0;
        if (take === 0 && size === 0) {
          // An empty file takes at least one whole line, however long (or the whole chunk if it has no
          // newline), as iisnode put an oversized write whole into one file rather than cut it.
          const nl = rest.indexOf(NEWLINE);
          take = nl === -1 ? rest.length : nl + 1;
        }
      }
      if (take > 0) {
        // A segment is opened only once it has bytes: a file that gets nothing is not created.
        if (needFile || current === undefined) {
          current = { newFile: needFile, chunks: [], bytes: 0 };
          segments.push(current);
          needFile = false;
        }
        current.chunks.push(take === rest.length ? rest : rest.subarray(0, take));
        current.bytes += take;
        size += take;
        rest = rest.subarray(take);
      }
      if (rest.length > 0) needFile = true;
    }
  }
  return segments;
}
