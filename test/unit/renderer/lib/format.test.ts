import { describe, expect, it } from 'vitest';
import type * as FormatModule from '~renderer/lib/format';
import { load } from '../load-renderer.js';

const { formatBytesMB, formatPercent, formatMs, formatClock, formatAge, headerPairs, statusClass, formatLogLine } =
  await load<typeof FormatModule>('lib/format');

const MB = 1024 * 1024;

describe('formatBytesMB', () => {
  it('shows one decimal below 10 MB and none above', () => {
    expect(formatBytesMB(0)).toBe('0.0 MB');
    expect(formatBytesMB(1.5 * MB)).toBe('1.5 MB');
    expect(formatBytesMB(10 * MB)).toBe('10 MB');
    expect(formatBytesMB(123.4 * MB)).toBe('123 MB');
  });

  it('shows a dash when the number is not known yet', () => {
    expect(formatBytesMB(undefined)).toBe('–');
  });
});

describe('formatPercent', () => {
  it('shows one decimal below 10 % and none above', () => {
    expect(formatPercent(0)).toBe('0.0 %');
    expect(formatPercent(3.14)).toBe('3.1 %');
    expect(formatPercent(12.6)).toBe('13 %');
    expect(formatPercent(187.2)).toBe('187 %');
    expect(formatPercent(undefined)).toBe('–');
  });
});

describe('formatMs', () => {
  it('keeps about three significant digits, and switches to seconds from 10 s', () => {
    expect(formatMs(0)).toBe('0.00 ms');
    expect(formatMs(0.256)).toBe('0.26 ms');
    expect(formatMs(1)).toBe('1.0 ms');
    expect(formatMs(7.25)).toBe('7.3 ms');
    expect(formatMs(10)).toBe('10 ms');
    expect(formatMs(1234.4)).toBe('1234 ms');
    expect(formatMs(10_000)).toBe('10.0 s');
    expect(formatMs(65_432)).toBe('65.4 s');
  });
});

describe('formatClock', () => {
  it('shows local time with zero-padded milliseconds', () => {
    expect(formatClock(new Date(2024, 0, 2, 3, 4, 5, 6).getTime())).toBe('03:04:05.006');
    expect(formatClock(new Date(2024, 11, 31, 23, 59, 59, 999).getTime())).toBe('23:59:59.999');
  });
});

describe('formatAge', () => {
  const now = 1_700_000_000_000;
  it('uses the largest whole unit', () => {
    expect(formatAge(now, now)).toBe('0 s');
    expect(formatAge(now - 59_000, now)).toBe('59 s');
    expect(formatAge(now - 60_000, now)).toBe('1 min');
    expect(formatAge(now - 3_599_000, now)).toBe('59 min');
    expect(formatAge(now - 3_600_000, now)).toBe('1 h');
    expect(formatAge(now - 86_399_000, now)).toBe('23 h');
    expect(formatAge(now - 86_400_000 * 3, now)).toBe('3 d');
  });

  it('shows 0 s for a time slightly in the future (clock skew), not a negative age', () => {
    expect(formatAge(now + 5_000, now)).toBe('0 s');
  });

  it('measures from the current time by default', () => {
    expect(formatAge(Date.now() - 5_000)).toBe('5 s');
  });
});

describe('headerPairs', () => {
  it('pairs a flat [name, value, …] list in order, keeping repeated names', () => {
    expect(headerPairs(['host', 'x', 'set-cookie', 'a=1', 'set-cookie', 'b=2'])).toEqual([
      ['host', 'x'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(headerPairs([])).toEqual([]);
  });

  it('drops a trailing name without a value instead of pairing it with undefined', () => {
    expect(headerPairs(['a', '1', 'b'])).toEqual([['a', '1']]);
  });
});

describe('statusClass', () => {
  it('classes each status by its hundred, and 0 (no response) as none', () => {
    const cases: Array<[number, string]> = [
      [0, 'none'], [99, 'none'], [100, 'ok'], [200, 'ok'], [299, 'ok'], [300, 'redirect'], [399, 'redirect'],
      [400, 'client'], [499, 'client'], [500, 'server'], [599, 'server'],
    ];
    for (const [status, expected] of cases) expect(statusClass(status), String(status)).toBe(expected);
  });
});

describe('formatLogLine', () => {
  it('writes the runtime export format: ISO time, instance, worker:pid, stream, text', () => {
    const line = formatLogLine({ time: Date.UTC(2024, 4, 6, 7, 8, 9, 10), instance: 'site', worker: 'w1', pid: 4242, stream: 'stderr', text: 'boom  x' });
    expect(line).toBe('2024-05-06T07:08:09.010Z site w1:4242 stderr boom  x');
  });
});
