// Keeps the error catalogue, its types and docs/errors.md in step (STYLE.md Part 2 §5): a code added to
// runtime/shared/errors.ts without a row in the docs, a row for a code that no longer exists, a template whose
// placeholders cannot be filled or a status that is not HTTP all fail here.
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CloudbenchError, ERRORS, cbError, formatTemplate, isCloudbenchError, templateParams } from '../../../runtime/shared/errors.js';
import type { ErrorCode, ErrorInfo, ErrorSpec } from '../../../runtime/shared/errors.js';

const AREAS = ['CLI', 'PROJECT', 'CONFIG', 'HOSTING', 'WORKERS', 'CONTROL', 'TERMINAL', 'UI', 'LOGS', 'EMULATORS', 'SHELL', 'DEBUG', 'SERVICEBUS', 'FABRIC', 'STORAGE'] as const;
type Area = (typeof AREAS)[number];

const CODES = Object.keys(ERRORS) as ErrorCode[];
const DOCS_FILE = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url));

function areaOf(code: string): string {
  return code.split('_')[2] ?? '';
}

interface DocRow {
  readonly code: string;
  readonly description: string;
  readonly fix: string;
  /** The `## ` heading the table sits under. */
  readonly section: string;
  readonly line: number;
}

/** Splits `| a | b | c |` into its trimmed cells. */
function cells(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
}

/**
 * Reads every markdown table of docs/errors.md. Each table must have the header `Code | Description | How to
 * fix`; rows give the code in backticks. Returns the rows with the heading they sit under.
 */
function parseDocTables(markdown: string): { rows: DocRow[]; tableSections: string[] } {
  const lines = markdown.split(/\r?\n/);
  const rows: DocRow[] = [];
  const tableSections: string[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heading = /^##\s+(.+?)\s*$/.exec(line);
    if (heading) {
      section = heading[1] as string;
      continue;
    }
    if (!line.trim().startsWith('|')) continue;
    // The start of a table: header, separator, then rows until a line that is not a row.
    const header = cells(line);
    if (header.join(' | ') !== 'Code | Description | How to fix') {
      throw new Error(`docs/errors.md:${i + 1}: a table header must be "Code | Description | How to fix", got "${header.join(' | ')}"`);
    }
    const separator = cells(lines[i + 1] ?? '');
    if (separator.length !== 3 || !separator.every((c) => /^:?-{3,}:?$/.test(c))) {
      throw new Error(`docs/errors.md:${i + 2}: expected the |---|---|---| separator under the header`);
    }
    tableSections.push(section);
    i += 2;
    for (; i < lines.length && (lines[i] as string).trim().startsWith('|'); i++) {
      const row = cells(lines[i] as string);
      if (row.length !== 3) throw new Error(`docs/errors.md:${i + 1}: expected 3 cells, got ${row.length}`);
      const code = /^`([^`]+)`$/.exec(row[0] as string)?.[1];
      if (code === undefined) throw new Error(`docs/errors.md:${i + 1}: the Code cell must be a code in backticks, got "${row[0]}"`);
      rows.push({ code, description: row[1] as string, fix: row[2] as string, section, line: i + 1 });
    }
    i--;
  }
  return { rows, tableSections };
}

/** A value for every placeholder of the code's message and fix, distinct and easy to find in the output. */
function paramsFor(code: ErrorCode): Record<string, string> {
  const spec: ErrorSpec = ERRORS[code];
  const names = new Set([...templateParams(spec.message), ...templateParams(spec.fix)]);
  return Object.fromEntries([...names].map((n) => [n, `<${n}-value>`]));
}

describe('error catalogue: codes', () => {
  it('has codes at all (a parse that finds nothing must not pass the other checks vacuously)', () => {
    expect(CODES.length).toBeGreaterThanOrEqual(20);
  });

  it.each(CODES)('%s follows CB_ERR_<AREA>_<NAME> with a known area', (code) => {
    expect(code).toMatch(/^CB_ERR_[A-Z]+_[A-Z_]+$/);
    expect(AREAS).toContain(areaOf(code));
  });

  it('keeps the area prefixes and the docs areas the same set (an area with no codes is a stale table)', () => {
    expect(new Set(CODES.map(areaOf))).toEqual(new Set(AREAS));
  });

  it.each(CODES)('%s has an HTTP error status that Node knows', (code) => {
    const { status } = ERRORS[code];
    expect(Number.isInteger(status)).toBe(true);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThanOrEqual(599);
    expect(STATUS_CODES[status]).toBeTypeOf('string');
  });

  it.each(CODES)('%s has a message and a fix in plain words', (code) => {
    const spec: ErrorSpec = ERRORS[code];
    expect(spec.message.trim()).not.toBe('');
    expect(spec.fix.trim().length).toBeGreaterThan(10);
    // Only {name} placeholders: a stray brace is a template typo that formatTemplate would print as is.
    expect(spec.message.replace(/\{\w+\}/g, '')).not.toMatch(/[{}]/);
    expect(spec.fix.replace(/\{\w+\}/g, '')).not.toMatch(/[{}]/);
  });

  it('types every code as CB_ERR_<AREA>_<NAME> with one of the areas (checked by tsc)', () => {
    expectTypeOf<ErrorCode>().toExtend<`CB_ERR_${Area}_${string}`>();
    expectTypeOf(ERRORS).toExtend<Record<ErrorCode, ErrorSpec>>();
    expectTypeOf<ErrorInfo['code']>().toEqualTypeOf<ErrorCode>();
    expectTypeOf(new CloudbenchError('CB_ERR_CLI_USAGE').code).toEqualTypeOf<ErrorCode>();
    // @ts-expect-error an unknown code is a compile error, not a runtime surprise
    expect(() => new CloudbenchError('CB_ERR_CLI_NOPE')).toThrow();
  });
});

describe('error catalogue: docs/errors.md', () => {
  const markdown = readFileSync(DOCS_FILE, 'utf8');
  const { rows, tableSections } = parseDocTables(markdown);

  it('has one table per area, under a heading named after the area', () => {
    expect(tableSections).toEqual([...AREAS]);
  });

  it('documents every code of the catalogue exactly once', () => {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.code, (counts.get(r.code) ?? 0) + 1);
    const missing = CODES.filter((c) => !counts.has(c));
    const repeated = [...counts].filter(([, n]) => n > 1).map(([c]) => c);
    expect(missing, 'codes with no row in docs/errors.md').toEqual([]);
    expect(repeated, 'codes with more than one row').toEqual([]);
  });

  it('documents no code that the catalogue does not have', () => {
    const unknown = rows.filter((r) => !(r.code in ERRORS)).map((r) => `${r.code} (line ${r.line})`);
    expect(unknown).toEqual([]);
  });

  it('puts each code in the table of its own area', () => {
    const misplaced = rows.filter((r) => r.section !== areaOf(r.code)).map((r) => `${r.code} under "${r.section}"`);
    expect(misplaced).toEqual([]);
  });

  it('gives every row a description and a way to fix it', () => {
    const thin = rows.filter((r) => r.description.length < 20 || r.fix.length < 10).map((r) => r.code);
    expect(thin).toEqual([]);
  });

  it('reads the tables it is given (the parser itself finds a planted row and rejects a bad header)', () => {
    const sample = ['## CLI', '', '| Code | Description | How to fix |', '|---|---|---|', '| `CB_ERR_CLI_USAGE` | what it means | what to do |', '', 'text'].join('\n');
    expect(parseDocTables(sample).rows).toEqual([{ code: 'CB_ERR_CLI_USAGE', description: 'what it means', fix: 'what to do', section: 'CLI', line: 5 }]);
    expect(() => parseDocTables('| Code | Meaning | Fix |\n|---|---|---|\n')).toThrow(/table header/);
  });
});

describe('CloudbenchError', () => {
  it.each(CODES)('%s fills every placeholder of its message and fix when given all parameters', (code) => {
    const params = paramsFor(code);
    const err = new CloudbenchError(code, params);
    expect(err.message).not.toMatch(/\{\w+\}/);
    expect(err.fix).not.toMatch(/\{\w+\}/);
    for (const name of templateParams(ERRORS[code].message)) expect(err.message).toContain(params[name]);
    for (const name of templateParams(ERRORS[code].fix)) expect(err.fix).toContain(params[name]);
    expect(err.code).toBe(code);
    expect(err.status).toBe(ERRORS[code].status);
    expect(err.name).toBe('CloudbenchError');
    expect(err).toBeInstanceOf(Error);
  });

  it.each(CODES)('%s serializes through toJSON to plain data that survives JSON', (code) => {
    const err = cbError(code, paramsFor(code), new Error('the cause'));
    const json = JSON.parse(JSON.stringify(err)) as ErrorInfo;
    expect(json).toEqual({ code, status: ERRORS[code].status, message: err.message, fix: err.fix, params: paramsFor(code) });
    // The cause (an Error, possibly holding sockets or circular references) stays out of the wire form.
    expect(Object.keys(json).sort()).toEqual(['code', 'fix', 'message', 'params', 'status']);
  });

  it('keeps the cause given to cbError and leaves it unset otherwise', () => {
    const cause = new Error('EADDRINUSE');
    expect(cbError('CB_ERR_HOSTING_LISTEN', {}, cause).cause).toBe(cause);
    expect('cause' in cbError('CB_ERR_HOSTING_LISTEN', {})).toBe(false);
  });

  it('formats numbers as parameters', () => {
    const err = new CloudbenchError('CB_ERR_HOSTING_QUEUE_FULL', { instance: 'web_0', limit: 1000 });
    expect(err.message).toBe('The request queue of web_0 is full (1000 requests wait for a worker).');
  });

  it('isCloudbenchError narrows by class and optionally by code', () => {
    const err = cbError('CB_ERR_CLI_USAGE', { detail: 'x' });
    expect(isCloudbenchError(err)).toBe(true);
    expect(isCloudbenchError(err, 'CB_ERR_CLI_USAGE')).toBe(true);
    expect(isCloudbenchError(err, 'CB_ERR_CLI_UNKNOWN_COMMAND')).toBe(false);
    expect(isCloudbenchError(Object.assign(new Error('x'), { code: 'CB_ERR_CLI_USAGE' }))).toBe(false);
    expect(isCloudbenchError(undefined)).toBe(false);
  });
});

describe('formatTemplate and templateParams', () => {
  it('leaves an unknown placeholder visible instead of printing "undefined"', () => {
    expect(formatTemplate('port {port} on {host}', { port: 80 })).toBe('port 80 on {host}');
    expect(formatTemplate('{a}{a}', {})).toBe('{a}{a}');
  });

  it('does not take inherited properties for parameters', () => {
    expect(formatTemplate('{toString} {constructor}', {})).toBe('{toString} {constructor}');
  });

  it('replaces every occurrence and does not re-expand a value that looks like a placeholder', () => {
    expect(formatTemplate('{a} and {a}', { a: '{b}', b: 'no' })).toBe('{b} and {b}');
  });

  it('lists parameter names once, in order of first use', () => {
    expect(templateParams('{file}:{line}:{column}: {detail} ({line})')).toEqual(['file', 'line', 'column', 'detail']);
    expect(templateParams('no placeholders')).toEqual([]);
  });
});
