// The 34 <iisnode> attributes are a compatibility contract: a real iisnode project must load unchanged and
// mean the same thing. The expected table below is transcribed from iisnode's schema
// (src/config/iisnode_schema.xml, summarised in iisnode.md §1.1), not from our code.
import { describe, expect, it } from 'vitest';
import {
  IISNODE_ATTRIBUTES,
  IISNODE_ATTRIBUTE_NAMES,
  defaultIisnodeSettings,
  describeType,
  expandEnvironment,
  parseAttributeValue,
} from '../../../runtime/project/iisnode-schema.js';
import type { AttributeSpec, IisnodeAttribute } from '../../../runtime/project/iisnode-schema.js';

type Row = readonly [name: string, type: 'bool' | 'uint' | 'string', def: boolean | number | string, ymlKey: string | null, expanded: boolean];

// iisnode's schema, attribute by attribute: type, default, iisnode.yml key, %VAR% expansion.
const IISNODE_SCHEMA: readonly Row[] = [
  ['node_env', 'string', '%node_env%', 'node_env', true],
  ['nodeProcessCommandLine', 'string', 'node.exe', 'nodeProcessCommandLine', true],
  ['interceptor', 'string', '"%programfiles%\\iisnode\\interceptor.js"', 'interceptor', true],
  ['nodeProcessCountPerApplication', 'uint', 1, 'nodeProcessCountPerApplication', false],
  ['nodeProcessStickySessions', 'bool', false, 'nodeProcessStickySessions', false],
  ['maxConcurrentRequestsPerProcess', 'uint', 1024, 'maxConcurrentRequestsPerProcess', false],
  ['maxNamedPipeConnectionRetry', 'uint', 100, 'maxNamedPipeConnectionRetry', false],
  ['namedPipeConnectionRetryDelay', 'uint', 250, 'namedPipeConnectionRetryDelay', false],
  ['maxNamedPipeConnectionPoolSize', 'uint', 512, 'maxNamedPipeConnectionPoolSize', false],
  ['maxNamedPipePooledConnectionAge', 'uint', 30000, 'maxNamedPipePooledConnectionAge', false],
  ['asyncCompletionThreadCount', 'uint', 0, 'asyncCompletionThreadCount', false],
  ['initialRequestBufferSize', 'uint', 4096, 'initialRequestBufferSize', false],
  ['maxRequestBufferSize', 'uint', 65536, 'maxRequestBufferSize', false],
  ['watchedFiles', 'string', '*.js;iisnode.yml', 'watchedFiles', true],
  ['uncFileChangesPollingInterval', 'uint', 5000, 'uncFileChangesPollingInterval', false],
  ['gracefulShutdownTimeout', 'uint', 60000, 'gracefulShutdownTimeout', false],
  ['loggingEnabled', 'bool', true, 'loggingEnabled', false],
  ['logDirectory', 'string', 'iisnode', 'logDirectory', true],
  ['maxLogFileSizeInKB', 'uint', 128, 'maxLogFileSizeInKB', false],
  ['maxTotalLogFileSizeInKB', 'uint', 1024, 'maxTotalLogFileSizeInKB', false],
  ['maxLogFiles', 'uint', 20, 'maxLogFiles', false],
  ['devErrorsEnabled', 'bool', true, 'devErrorsEnabled', false],
  ['flushResponse', 'bool', false, 'flushResponse', false],
  ['enableXFF', 'bool', false, 'enableXFF', false],
  ['promoteServerVars', 'string', '', 'promoteServerVars', false],
  ['configOverrides', 'string', 'iisnode.yml', null, true],
  ['debuggingEnabled', 'bool', true, 'debuggingEnabled', false],
  ['debuggerPathSegment', 'string', 'debug', 'debuggerPathSegment', true],
  ['debuggerPortRange', 'string', '5058-6058', 'debugPortRange', false],
  ['debuggerExtensionDll', 'string', 'iisnode-inspector-0.7.3.dll', 'debuggerExtensionDll', false],
  ['debuggerVirtualDir', 'string', '', 'debuggerVirtualDir', false],
  ['debugHeaderEnabled', 'bool', false, 'debugHeaderEnabled', false],
  ['recycleSignalEnabled', 'bool', false, 'recycleSignalEnabled', false],
  ['idlePageOutTimePeriod', 'uint', 0, 'idlePageOutTimePeriod', false],
];

// Deliberate differences from iisnode's defaults, each because the Windows value cannot work here.
const CLOUDBENCH_DEFAULTS: Readonly<Record<string, string>> = {
  // node.exe exists only on Windows; PATH lookup of `node` finds the same program everywhere.
  nodeProcessCommandLine: 'node',
  // There is no interceptor.js under %programfiles%; Cloudbench captures output itself (use: 'windows').
  interceptor: '',
};

function spec(name: string): AttributeSpec {
  return IISNODE_ATTRIBUTES[name as IisnodeAttribute];
}

describe('IISNODE_ATTRIBUTES against the iisnode schema', () => {
  it('has exactly the 34 attributes of the schema, in its order', () => {
    expect(IISNODE_ATTRIBUTE_NAMES).toHaveLength(34);
    expect(IISNODE_ATTRIBUTE_NAMES).toEqual(IISNODE_SCHEMA.map(([name]) => name));
  });

  it.each(IISNODE_SCHEMA)('%s: type %s, default %j, yml key %s', (name, type, def, ymlKey, expanded) => {
    const s = spec(name);
    expect(s.type).toBe(type);
    expect(s.default).toBe(CLOUDBENCH_DEFAULTS[name] ?? def);
    expect(s.ymlKey).toBe(ymlKey);
    expect(s.expand === true).toBe(expanded);
    expect(typeof s.default).toBe(type === 'bool' ? 'boolean' : type === 'uint' ? 'number' : 'string');
  });

  it('differs from iisnode only in the two Windows paths', () => {
    const differing = IISNODE_SCHEMA.filter(([name, , def]) => spec(name).default !== def).map(([name]) => name);
    expect(differing.sort()).toEqual(Object.keys(CLOUDBENCH_DEFAULTS).sort());
  });

  it('marks only maxConcurrentRequestsPerProcess as allowInfinite', () => {
    expect(IISNODE_ATTRIBUTE_NAMES.filter((n) => spec(n).allowInfinite)).toEqual(['maxConcurrentRequestsPerProcess']);
  });

  it('classifies the IIS-only attributes as windows', () => {
    const windows = IISNODE_ATTRIBUTE_NAMES.filter((n) => spec(n).use === 'windows').sort();
    expect(windows).toEqual(['asyncCompletionThreadCount', 'debuggerExtensionDll', 'debuggerVirtualDir', 'idlePageOutTimePeriod', 'initialRequestBufferSize', 'interceptor', 'uncFileChangesPollingInterval']);
  });
});

describe('defaultIisnodeSettings', () => {
  it('gives every attribute its default, as a fresh object each time', () => {
    const a = defaultIisnodeSettings();
    expect(Object.keys(a)).toEqual(IISNODE_ATTRIBUTE_NAMES);
    for (const n of IISNODE_ATTRIBUTE_NAMES) expect(a[n]).toBe(spec(n).default);
    a.nodeProcessCountPerApplication = 8;
    expect(defaultIisnodeSettings().nodeProcessCountPerApplication).toBe(1);
  });
});

describe('parseAttributeValue', () => {
  it('reads booleans as true/false/1/0, case-insensitively, ignoring surrounding spaces', () => {
    for (const t of ['true', 'TRUE', 'True', '1', ' true ']) expect(parseAttributeValue('loggingEnabled', t)).toBe(true);
    for (const t of ['false', 'False', '0', '\tfalse']) expect(parseAttributeValue('loggingEnabled', t)).toBe(false);
  });

  it('refuses other boolean spellings (yes/no is iisnode.yml only)', () => {
    for (const t of ['yes', 'no', 'on', '', '2', 'truee']) expect(parseAttributeValue('devErrorsEnabled', t)).toBeUndefined();
  });

  it('reads unsigned 32-bit integers', () => {
    expect(parseAttributeValue('maxLogFiles', '0')).toBe(0);
    expect(parseAttributeValue('maxLogFiles', ' 20 ')).toBe(20);
    expect(parseAttributeValue('maxConcurrentRequestsPerProcess', '4294967295')).toBe(4294967295);
  });

  it.each(['-1', '1.5', '', ' ', '0x10', '1e3', '12abc', '4294967296', '99999999999999999999'])('refuses "%s" as a uint', (t) => {
    expect(parseAttributeValue('nodeProcessCountPerApplication', t)).toBeUndefined();
  });

  it('returns strings exactly as written, spaces included', () => {
    expect(parseAttributeValue('nodeProcessCommandLine', ' "C:\\node\\node.exe" --harmony ')).toBe(' "C:\\node\\node.exe" --harmony ');
    expect(parseAttributeValue('promoteServerVars', '')).toBe('');
  });
});

describe('describeType', () => {
  it('names what each type accepts, for error messages', () => {
    expect(describeType('loggingEnabled')).toBe('true or false');
    expect(describeType('maxLogFiles')).toBe('a whole number from 0 to 4294967295');
    expect(describeType('logDirectory')).toBe('text');
  });
});

describe('expandEnvironment', () => {
  it('replaces %VAR% with the variable, matching the name case-insensitively as Windows does', () => {
    expect(expandEnvironment('%node_env%', { NODE_ENV: 'production' })).toBe('production');
    expect(expandEnvironment('%Home%/logs', { HOME: '/home/a' })).toBe('/home/a/logs');
    expect(expandEnvironment('%a%-%B%', { A: '1', b: '2' })).toBe('1-2');
  });

  it('leaves unknown and undefined variables as written', () => {
    expect(expandEnvironment('%node_env%', {})).toBe('%node_env%');
    expect(expandEnvironment('%x%', { x: undefined })).toBe('%x%');
    expect(expandEnvironment('100% sure', { ' sure': 'no' })).toBe('100% sure');
  });

  it('expands to an empty variable', () => {
    expect(expandEnvironment('[%E%]', { E: '' })).toBe('[]');
  });

  it('does not expand the result again', () => {
    expect(expandEnvironment('%A%', { A: '%B%', B: 'deep' })).toBe('%B%');
  });

  it('leaves a lone or doubled percent sign alone', () => {
    expect(expandEnvironment('50%', { A: '1' })).toBe('50%');
    expect(expandEnvironment('%%', { A: '1' })).toBe('%%');
  });
});
