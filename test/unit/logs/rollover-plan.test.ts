import { describe, it, expect } from 'vitest';
import { planRollover } from '../../../runtime/logs/rollover-plan.js';
import type { Segment } from '../../../runtime/logs/rollover-plan.js';

function show(segments: Segment[]): [boolean, string][] {
  return segments.map((s) => [s.newFile, Buffer.concat(s.chunks).toString()]);
}
const b = (text: string): Buffer => Buffer.from(text);

describe('planRollover', () => {
  it('opens the first file, then appends while the limit holds', () => {
    expect(show(planRollover([b('ab\n'), b('cd\n')], { open: false, size: 0 }, 10))).toEqual([[true, 'ab\ncd\n']]);
    expect(show(planRollover([b('ab\n')], { open: true, size: 7 }, 10))).toEqual([[false, 'ab\n']]);
  });

  it('rolls over when a write would exceed the limit: two full writes make two files', () => {
    const kb = b('x'.repeat(1023) + '\n');
    expect(show(planRollover([kb, kb], { open: false, size: 0 }, 1024)).map(([n, t]) => [n, t.length])).toEqual([
      [true, 1024],
      [true, 1024],
    ]);
  });

  it('cuts a chunk of many lines at the last newline that fits', () => {
    expect(show(planRollover([b('aaa\nbbb\nccc\n')], { open: true, size: 2 }, 10))).toEqual([
      [false, 'aaa\nbbb\n'],
      [true, 'ccc\n'],
    ]);
  });

  it('puts one line longer than the limit, or a chunk with no newline, whole into a file of its own', () => {
    expect(show(planRollover([b('long line!!\nok\n')], { open: true, size: 3 }, 5))).toEqual([
      [true, 'long line!!\n'],
      [true, 'ok\n'],
    ]);
    expect(show(planRollover([b('no-newline-at-all')], { open: false, size: 0 }, 5))).toEqual([[true, 'no-newline-at-all']]);
  });

  it('with a limit of 0 gives each line its own file', () => {
    expect(show(planRollover([b('a\nb\n')], { open: false, size: 0 }, 0))).toEqual([
      [true, 'a\n'],
      [true, 'b\n'],
    ]);
  });
});
