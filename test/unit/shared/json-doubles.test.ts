// Finding the properties a Table service response wrote as Doubles (`2.0`, `1e+21`), per entity.
import { describe, expect, it } from 'vitest';
import { doublesPerEntity } from '../../../runtime/shared/json-doubles.js';

describe('doublesPerEntity', () => {
  it('reads a single entity', () => {
    expect(doublesPerEntity('{"a":2.0,"b":2,"c":"2.0","d":1e+21,"e":-0.5,"f":true,"g":null}')).toEqual([new Set(['a', 'd', 'e'])]);
  });

  it('reads each entity of a page, in order, past nested values and escapes', () => {
    const page = '{"odata.metadata":"x","value":[ {"a":1,"s":"quote \\" 3.0 , }"}, {"a":1.0,"arr":[1.0,{"z":2.0}]} , {} ]}';
    expect(doublesPerEntity(page)).toEqual([new Set(), new Set(['a']), new Set()]);
  });

  it('gives nothing for what is not an object', () => {
    expect(doublesPerEntity('')).toEqual([]);
    expect(doublesPerEntity('[1.0]')).toEqual([]);
    expect(doublesPerEntity('{"a":')).toEqual([new Set()]);
  });
});
