// The worker state machine (STYLE.md Part 2 §9): every pair of states is either allowed or throws a coded
// error. Pinning all 25 pairs keeps a "small" change to the table (say, exited → starting) from going unseen.
import { describe, expect, it } from 'vitest';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';
import { assertTransition } from '../../../runtime/workers/worker-state.js';
import type { WorkerState } from '../../../runtime/workers/worker-state.js';

const STATES: WorkerState[] = ['starting', 'ready', 'draining', 'stopping', 'exited'];

const ALLOWED = new Set([
  'starting→ready',
  'starting→stopping',
  'starting→exited',
  'ready→draining',
  'ready→stopping',
  'ready→exited',
  'draining→stopping',
  'draining→exited',
  'stopping→exited',
]);

const PAIRS = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));

describe('assertTransition', () => {
  it.each(PAIRS.filter(([f, t]) => ALLOWED.has(`${f}→${t}`)))('allows %s → %s', (from, to) => {
    expect(() => assertTransition('w1', from, to)).not.toThrow();
  });

  it.each(PAIRS.filter(([f, t]) => !ALLOWED.has(`${f}→${t}`)))('forbids %s → %s with CB_ERR_WORKERS_INVALID_TRANSITION', (from, to) => {
    let caught: unknown;
    try {
      assertTransition('w7', from, to);
    } catch (err) {
      caught = err;
    }
    expect(isCloudbenchError(caught, 'CB_ERR_WORKERS_INVALID_TRANSITION')).toBe(true);
    expect((caught as Error).message).toBe(`Worker w7 cannot go from state ${from} to ${to}.`);
    expect((caught as { params: unknown }).params).toEqual({ worker: 'w7', from, to });
  });

  it('covers all 25 pairs, 9 of them allowed', () => {
    expect(PAIRS).toHaveLength(25);
    expect(PAIRS.filter(([f, t]) => ALLOWED.has(`${f}→${t}`))).toHaveLength(9);
  });

  it('lets no state go back to starting and nothing leave exited', () => {
    for (const from of STATES) expect(() => assertTransition('w', from, 'starting')).toThrow();
    for (const to of STATES) expect(() => assertTransition('w', 'exited', to)).toThrow();
  });
});
