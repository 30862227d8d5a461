import { describe, expect, it } from 'vitest';
import type * as Properties from '~renderer/features/servicebus/properties';
import { load } from '../../load-renderer.js';

const { toProperties } = await load<typeof Properties>('features/servicebus/properties');

describe('toProperties', () => {
  it('types rows as Service Bus carries them and skips unnamed ones', () => {
    expect(toProperties([{ key: 'a', type: 'string', value: '1' }, { key: 'n', type: 'number', value: '2.5' }, { key: 'f', type: 'boolean', value: 'true' }, { key: ' ', type: 'string', value: 'x' }])).toEqual({ properties: { a: '1', n: 2.5, f: true } });
  });
  it('names the row whose value does not parse', () => {
    expect(toProperties([{ key: 'n', type: 'number', value: 'ten' }])).toEqual({ error: 'Property "n": "ten" is not a number.' });
    expect(toProperties([{ key: 'f', type: 'boolean', value: 'yes' }])).toEqual({ error: 'Property "f": write true or false.' });
  });
});
