import { describe, it, expect } from 'vitest';
import { ByteTail } from '../../../runtime/logs/byte-tail.js';

describe('ByteTail', () => {
  it('keeps only the last `capacity` bytes over many chunks', () => {
    const tail = new ByteTail(10);
    for (const chunk of ['abcd', 'efgh', 'ijkl', 'mnop']) tail.push(Buffer.from(chunk));
    expect(tail.read(100)).toBe('ghijklmnop');
    expect(tail.read(3)).toBe('nop');
    expect(tail.read(0)).toBe('');
  });

  it('keeps the end of a single chunk larger than the capacity', () => {
    const tail = new ByteTail(4);
    tail.push(Buffer.from('0123456789'));
    expect(tail.read(100)).toBe('6789');
  });

  it('starts at a whole character when the cut falls inside one', () => {
    const tail = new ByteTail(100);
    tail.push(Buffer.from('x€y')); // € is 3 bytes: e2 82 ac
    expect(tail.read(3)).toBe('y'); // the last 3 bytes are 82 ac 79: the two continuation bytes are skipped
    expect(tail.read(4)).toBe('€y');
  });
});
