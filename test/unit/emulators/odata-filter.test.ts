// The $filter front end: grammar, literal types, positioned errors, and a fuzz loop (random input must never
// throw anything but FilterSyntaxError), plus the SQL it compiles to.
import { describe, expect, it } from 'vitest';
import { FilterSyntaxError } from '../../../runtime/emulators/tables/odata/filter-error.js';
import { parseFilter } from '../../../runtime/emulators/tables/odata/parser.js';
import { filterToSql } from '../../../runtime/emulators/tables/odata/to-sql.js';

function errorOf(filter: string): FilterSyntaxError {
  try {
    parseFilter(filter);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return error;
    throw error;
  }
  throw new Error(`"${filter}" parsed`);
}

describe('parseFilter', () => {
  it('builds comparisons with precedence not > and > or', () => {
    const ast = parseFilter("a eq 1 or b eq 'x' and not c lt 2.5");
    expect(ast.kind).toBe('or');
    if (ast.kind !== 'or') return;
    expect(ast.right.kind).toBe('and');
  });

  it('types literals: Int32, Int64 (suffix or range), Double, Boolean, DateTime to 100 ns, Guid, Binary', () => {
    const lit = (f: string) => {
      const ast = parseFilter(`p eq ${f}`);
      if (ast.kind !== 'compare') throw new Error('not a comparison');
      return [ast.literal.type, ast.literal.value];
    };
    expect(lit('5')).toEqual(['Edm.Int32', 5]);
    expect(lit('5L')).toEqual(['Edm.Int64', 5n]);
    expect(lit('9223372036854775807L')).toEqual(['Edm.Int64', 9223372036854775807n]);
    expect(lit('3000000000')).toEqual(['Edm.Int64', 3000000000n]);
    expect(lit('1.5')).toEqual(['Edm.Double', 1.5]);
    expect(lit('2d')).toEqual(['Edm.Double', 2]);
    expect(lit('true')).toEqual(['Edm.Boolean', true]);
    expect(lit("datetime'2024-01-31T12:00:00.1234567Z'")).toEqual(['Edm.DateTime', '2024-01-31T12:00:00.1234567Z']);
    expect(lit("datetime'2024-01-31T13:00:00+01:00'")).toEqual(['Edm.DateTime', '2024-01-31T12:00:00.0000000Z']);
    expect(lit("guid'C9DA6455-213D-42C9-9A79-3E9149A57833'")).toEqual(['Edm.Guid', 'c9da6455-213d-42c9-9a79-3e9149a57833']);
    expect(lit("X'0aff'")).toEqual(['Edm.Binary', 'Cv8=']);
    expect(lit("'it''s'")).toEqual(['Edm.String', "it's"]);
  });

  it('puts the property on the left when the literal comes first', () => {
    const ast = parseFilter('5 lt n');
    expect(ast).toMatchObject({ kind: 'compare', op: 'gt', property: { name: 'n' } });
  });

  it('reports errors with their 1-based position', () => {
    expect(errorOf("a eq 'x").message).toMatch(/position 6: unterminated string/);
    expect(errorOf('a eq 1 and').message).toMatch(/position 11: expected a property or a literal, found the end/);
    expect(errorOf('(a eq 1').message).toMatch(/position 8: expected "\)"/);
    expect(errorOf('1 eq 1').message).toMatch(/position 1: a comparison needs a property/);
    expect(errorOf('a eq b').message).toMatch(/position 6: comparing two properties/);
    expect(errorOf('a eq 1 b').message).toMatch(/position 8: unexpected "b"/);
    expect(errorOf("a eq datetime'nope'").message).toMatch(/position 6: "nope" is not a valid datetime/);
    expect(errorOf('a eq 99999999999999999999L').message).toMatch(/Int64/);
    expect(errorOf('').code).toBe('InvalidInput');
  });

  it('never throws anything but FilterSyntaxError on random input (fuzz)', () => {
    const pieces = ['a', 'PartitionKey', 'eq', 'ne', 'lt', 'and', 'or', 'not', '(', ')', "'x'", "'", '1', '1L', '-', '.5', 'true', "datetime'", "guid'", "X'0", '$', ' ', '9e999', '\u00e9', "''"];
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 5000; i++) {
      const n = 1 + Math.floor(random() * 12);
      let text = '';
      for (let j = 0; j < n; j++) text += (random() < 0.1 ? String.fromCharCode(Math.floor(random() * 128)) : pieces[Math.floor(random() * pieces.length)]) + (random() < 0.7 ? ' ' : '');
      try {
        const ast = parseFilter(text);
        filterToSql(ast, 'entities');
      } catch (error) {
        if (!(error instanceof FilterSyntaxError)) throw new Error(`"${text}" threw ${String(error)}`, { cause: error });
      }
    }
    expect(() => parseFilter('not '.repeat(200) + 'a')).toThrow(FilterSyntaxError);
  });
});

describe('filterToSql', () => {
  it('turns key comparisons into column comparisons the index can range-scan', () => {
    const sql = filterToSql(parseFilter("PartitionKey eq 'p' and RowKey ge 'a' and RowKey lt 'b'"), 'entities');
    expect(sql.sql).toBe('((pk = ?) AND (rk >= ?)) AND (rk < ?)');
    expect(sql.params).toEqual(['p', 'a', 'b']);
  });

  it('makes type mismatches false and binds every value', () => {
    expect(filterToSql(parseFilter('PartitionKey eq 5'), 'entities').sql).toBe('0');
    const sql = filterToSql(parseFilter('big gt 5L'), 'entities');
    expect(sql.sql).toContain("'Edm.Int64'");
    expect(sql.params).toEqual(['$."big@odata.type"', '$."big"', 5n]);
    expect(filterToSql(parseFilter("TableName ge 'a'"), 'tables')).toEqual({ sql: 'name >= ?', params: ['a'] });
  });
});
