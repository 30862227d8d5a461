// The SQL filter language: parsing with positioned errors, three-valued evaluation, LIKE/IN/EXISTS,
// arithmetic, actions, and a fuzz loop (every mutation parses or fails with a SqlSyntaxError).
import { describe, expect, it } from 'vitest';
import { SqlSyntaxError } from '../../../../runtime/emulators/servicebus/engine/errors.js';
import { compileRule } from '../../../../runtime/emulators/servicebus/filters/rule.js';
import { parseSqlFilter } from '../../../../runtime/emulators/servicebus/filters/sql-parser.js';
import type { FilterableMessage } from '../../../../runtime/emulators/servicebus/filters/message-view.js';

const msg = (props: Record<string, unknown> = {}, sys: Partial<FilterableMessage> = {}): FilterableMessage => ({
  body: { kind: 'data', bytes: Buffer.alloc(0) }, applicationProperties: props as FilterableMessage['applicationProperties'], size: 10, ...sys,
});
const match = (expr: string, m: FilterableMessage): boolean => compileRule({ name: 'r', filter: { type: 'sql', expression: expr } }).match(m);

describe('SQL filters', () => {
  it.each([
    ["color = 'red'", true], ["color <> 'red'", false], ['n > 5 AND n <= 10', true], ['n + 1 = 8', true], ['n * 2 - 4 = 10', true], ['n % 4 = 3', true],
    ["color LIKE 'r%'", true], ["color LIKE '_ed'", true], ["color NOT LIKE 'b%'", true], ["name LIKE 'a!%b' ESCAPE '!'", true],
    ["color IN ('blue', 'red')", true], ["color NOT IN ('red')", false], ['missing IS NULL', true], ['color IS NOT NULL', true],
    ['EXISTS(color)', true], ['EXISTS(missing)', false], ["sys.Label = 'L'", true], ["sys.MessageId = 'm1'", true],
    ['missing = 1', false], ['NOT (missing = 1)', false], ['missing = 1 OR n = 7', true], ["NOT color = 'blue'", true], ['1=1', true], ['1=0', false],
    ["user.color = 'red'", true], ['[color] = \'red\'', true], ["COLOR = 'red'", true], ['flag = TRUE', true], ['ratio > 0.25', true],
  ])('%s → %s', (expr, expected) => {
    expect(match(expr, msg({ color: 'red', n: 7, name: 'a%b', flag: true, ratio: 0.5 }, { subject: 'L', messageId: 'm1' }))).toBe(expected);
  });

  it('reports the position of a syntax error', () => {
    const err = (() => { try { parseSqlFilter("a = 1 AND\n  b = = 2"); } catch (e) { return e; } })() as SqlSyntaxError;
    expect(err).toBeInstanceOf(SqlSyntaxError);
    expect([err.line, err.column]).toEqual([2, 7]);
  });

  it('applies SET and REMOVE actions', () => {
    const rule = compileRule({ name: 'r', filter: { type: 'true' }, action: "SET n = n * 2; SET sys.Label = 'x'; REMOVE color" });
    const m = msg({ color: 'red', n: 7 });
    rule.apply?.(m);
    expect(m.applicationProperties).toEqual({ n: 14 });
    expect(m.subject).toBe('x');
  });

  it('fuzz: 5,000 mutations parse or fail with a SqlSyntaxError', () => {
    const seeds = ["a = 1 AND b LIKE 'x%' ESCAPE '!'", "sys.To IN ('a', 'b') OR NOT EXISTS(c)", '(x + 2) * 3 >= y % 4', "[weird name] IS NOT NULL"];
    const junk = ["'", '(', ')', '=', 'AND', ' ', '[', ']', ',', '.', '%', '-', 'NOT', 'IN', '1.5e3', '!', '@'];
    let seed = 42;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 5000; i++) {
      let s = seeds[rnd(seeds.length)] as string;
      for (let k = 0; k <= rnd(3); k++) {
        const at = rnd(s.length + 1);
        s = rnd(2) ? s.slice(0, at) + junk[rnd(junk.length)] + s.slice(at) : s.slice(0, at) + s.slice(at + 1 + rnd(3));
      }
      try {
        const tree = parseSqlFilter(s);
        compileRule({ name: 'f', filter: { type: 'sql', expression: s } }).match(msg({ a: 1, x: 2 }));
        expect(tree).toBeDefined();
      } catch (e) {
        if (!(e instanceof SqlSyntaxError)) throw new Error(`"${s}" threw ${String(e)}`, { cause: e });
      }
    }
  });
});
