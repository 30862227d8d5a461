// iisnode.yml is iisnode's own line format, not YAML. Functional test 126 pins which lines are errors and which
// are quietly ignored; reading a line iisnode ignores as an error would stop real projects from loading, and
// ignoring one iisnode rejects would hide a typo.
import { describe, expect, it } from 'vitest';
import { parseIisnodeYml } from '../../../runtime/project/iisnode-yml.js';
import type { YmlOverride } from '../../../runtime/project/iisnode-yml.js';
import { coded } from './project-test-helpers.js';

const FILE = '/site/iisnode.yml';

function parse(text: string): YmlOverride[] {
  return parseIisnodeYml(text, FILE);
}

function values(text: string): Record<string, unknown> {
  return Object.fromEntries(parse(text).map((o) => [o.name, o.value]));
}

describe('iisnode functional test 126: the eight syntax cases', () => {
  it('empty file: no overrides', () => {
    expect(parse('')).toEqual([]);
  });

  it('": foo": an error (no key before the colon)', () => {
    const err = coded('CB_ERR_CONFIG_YML', () => parse(': foo'));
    expect(err.message).toBe(`${FILE}:1:1: ": foo" has no key before the colon`);
  });

  it('"   : bar": an error (spaces are not a key)', () => {
    const err = coded('CB_ERR_CONFIG_YML', () => parse('   : bar'));
    expect(err.message).toMatch(/:1:4: .*no key before the colon/);
  });

  it('"foo:": ignored (empty value)', () => {
    expect(parse('foo:')).toEqual([]);
  });

  it('"foo:    # comment": ignored (empty value after the comment is cut)', () => {
    expect(parse('foo:    # comment')).toEqual([]);
  });

  it('unknown keys: ignored', () => {
    expect(parse('foo: bar\nbaz: 12')).toEqual([]);
  });

  it('"loggingEnabled: foobar": an error naming the key, the value and what is accepted', () => {
    const err = coded('CB_ERR_CONFIG_YML', () => parse('loggingEnabled: foobar'));
    expect(err.message).toBe(`${FILE}:1:17: loggingEnabled is "foobar"; expected true, false, 1, 0, yes or no`);
  });

  it('blank lines between entries: fine', () => {
    expect(parse('foo:bar\n\n\nbaz:7')).toEqual([]);
    expect(values('\n\nnodeProcessCountPerApplication: 3\n\n')).toEqual({ nodeProcessCountPerApplication: 3 });
  });
});

describe('parseIisnodeYml: values', () => {
  it('reads booleans as true/false/1/0/yes/no in any case', () => {
    const t = 'loggingEnabled: YES\ndevErrorsEnabled: no\nenableXFF: 1\nflushResponse: False\ndebuggingEnabled: 0\ndebugHeaderEnabled: TRUE';
    expect(values(t)).toEqual({ loggingEnabled: true, devErrorsEnabled: false, enableXFF: true, flushResponse: false, debuggingEnabled: false, debugHeaderEnabled: true });
  });

  it('reads whole numbers up to 4294967295', () => {
    expect(values('nodeProcessCountPerApplication: 0\nmaxLogFiles: 4294967295')).toEqual({ nodeProcessCountPerApplication: 0, maxLogFiles: 4294967295 });
  });

  // iisnode's atol() turned "two" into 0; Cloudbench reports it instead (see the module's header).
  it.each(['two', '-1', '1.5', '4294967296', '12abc', '0x10'])('rejects the number "%s" with the line and column', (value) => {
    const err = coded('CB_ERR_CONFIG_YML', () => parse(`# processes\nnodeProcessCountPerApplication: ${value}`));
    expect(err.message).toBe(`${FILE}:2:33: nodeProcessCountPerApplication is "${value}"; expected a whole number from 0 to 4294967295`);
  });

  it('keeps strings as written, quotes included (they pass into the command line, as in iisnode)', () => {
    expect(values('nodeProcessCommandLine: "C:\\Program Files\\nodejs\\node.exe" --harmony')).toEqual({ nodeProcessCommandLine: '"C:\\Program Files\\nodejs\\node.exe" --harmony' });
    expect(values('watchedFiles: *.js;lib/*.js')).toEqual({ watchedFiles: '*.js;lib/*.js' });
  });

  it('keeps a colon inside the value', () => {
    expect(values('logDirectory: C:\\logs\\app')).toEqual({ logDirectory: 'C:\\logs\\app' });
    expect(values('node_env: a:b')).toEqual({ node_env: 'a:b' });
  });

  it('cuts a # comment anywhere on the line, also inside a value', () => {
    expect(values('# whole line\nmaxLogFiles: 5 # trailing\nlogDirectory: logs#1')).toEqual({ maxLogFiles: 5, logDirectory: 'logs' });
  });

  it('matches keys case-insensitively and keeps the last of repeated keys in order', () => {
    expect(parse('NODEPROCESSCOUNTPERAPPLICATION: 2\nnodeprocesscountperapplication: 4')).toEqual([
      { name: 'nodeProcessCountPerApplication', value: 2, line: 1 },
      { name: 'nodeProcessCountPerApplication', value: 4, line: 2 },
    ]);
  });

  it('leaves the web.config value in place for a known key with an empty value', () => {
    expect(parse('loggingEnabled:\nmaxLogFiles:   # nothing')).toEqual([]);
  });

  it('ignores configOverrides, which iisnode.yml cannot set', () => {
    expect(parse('configOverrides: other.yml')).toEqual([]);
  });
});

describe('parseIisnodeYml: the debugPortRange quirk', () => {
  it('sets debuggerPortRange through the key debugPortRange', () => {
    expect(parse('debugPortRange: 6000-6100')).toEqual([{ name: 'debuggerPortRange', value: '6000-6100', line: 1 }]);
  });

  it('ignores debuggerPortRange, as iisnode does (its own sample uses it, to no effect)', () => {
    expect(parse('debuggerPortRange: 6000-6100')).toEqual([]);
  });
});

describe('parseIisnodeYml: line structure and errors', () => {
  it('rejects a line without a colon', () => {
    const err = coded('CB_ERR_CONFIG_YML', () => parse('loggingEnabled: true\nnodeProcessCountPerApplication 2'));
    expect(err.message).toBe(`${FILE}:2:1: "nodeProcessCountPerApplication 2" has no colon; expected key: value`);
  });

  it('rejects a key with a space in it', () => {
    const err = coded('CB_ERR_CONFIG_YML', () => parse('\n\nlogging Enabled: true'));
    expect(err.message).toBe(`${FILE}:3:1: the key "logging Enabled" contains a space`);
  });

  it('rejects syntax errors in lines with unknown keys too (the grammar is checked before the key)', () => {
    expect(() => parse('some key: x')).toThrow(/contains a space/);
  });

  it('counts lines the same in CRLF files and reads their values without the CR', () => {
    expect(parse('# c\r\nloggingEnabled: no\r\n\r\nmaxLogFiles: 7\r\n')).toEqual([
      { name: 'loggingEnabled', value: false, line: 2 },
      { name: 'maxLogFiles', value: 7, line: 4 },
    ]);
    const err = coded('CB_ERR_CONFIG_YML', () => parse('a: 1\r\nb: 2\r\nflushResponse: sometimes\r\n'));
    expect(err.params['line']).toBe(3);
    expect(err.message).not.toContain('\r');
  });

  it('ignores a byte order mark', () => {
    expect(parse('\uFEFFmaxLogFiles: 3')).toEqual([{ name: 'maxLogFiles', value: 3, line: 1 }]);
  });

  it('tolerates leading and trailing spaces and tabs on a line', () => {
    expect(values('   maxLogFiles:\t9\t  ')).toEqual({ maxLogFiles: 9 });
  });
});
