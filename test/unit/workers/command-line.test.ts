// nodeProcessCommandLine comes from web.config, written for Windows: `"C:\Program Files\nodejs\node.exe"
// --harmony`. A wrong split spawns "C:\Program" or loses a flag.
import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../../runtime/workers/command-line.js';

describe('splitCommandLine', () => {
  it('splits on runs of whitespace', () => {
    expect(splitCommandLine('node --max-old-space-size=512  --trace-warnings')).toEqual(['node', '--max-old-space-size=512', '--trace-warnings']);
    expect(splitCommandLine('node\t--a\n--b')).toEqual(['node', '--a', '--b']);
  });

  it('keeps a quoted path with spaces as one word, backslashes intact', () => {
    expect(splitCommandLine('"C:\\Program Files\\nodejs\\node.exe" --harmony')).toEqual(['C:\\Program Files\\nodejs\\node.exe', '--harmony']);
    expect(splitCommandLine('"/opt/my node/bin/node"')).toEqual(['/opt/my node/bin/node']);
  });

  it('joins quoted and unquoted parts of one word', () => {
    expect(splitCommandLine('node --title="my app" x')).toEqual(['node', '--title=my app', 'x']);
    expect(splitCommandLine('a"b c"d')).toEqual(['ab cd']);
  });

  it('keeps an empty quoted argument', () => {
    expect(splitCommandLine('node "" x')).toEqual(['node', '', 'x']);
  });

  it('returns no words for an empty or blank command line', () => {
    expect(splitCommandLine('')).toEqual([]);
    expect(splitCommandLine('   \t ')).toEqual([]);
  });

  it('ignores leading and trailing whitespace', () => {
    expect(splitCommandLine('  node  ')).toEqual(['node']);
  });

  it('runs an unclosed quote to the end of the line', () => {
    expect(splitCommandLine('"C:\\Program Files\\node.exe --x')).toEqual(['C:\\Program Files\\node.exe --x']);
  });

  it('has no shell features: $, |, & and single quotes are plain characters', () => {
    expect(splitCommandLine("node $HOME|x & 'a b'")).toEqual(['node', '$HOME|x', '&', "'a", "b'"]);
  });
});
