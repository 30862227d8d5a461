// Every attribute of iisnode's <iisnode> element (src/config/iisnode_schema.xml, 34 attributes) with its
// type, default and iisnode.yml key. See ../shared/reference/iisnode.md §1 for what each one means.
//
// `use` says what Cloudbench does with it: 'honoured' (implemented), 'always' (accepted without a warning:
// Cloudbench always behaves as its useful value asks) or 'windows' (meaningless off IIS: accepted with a
// warning, so real iisnode projects load unchanged).

export type AttributeType = 'bool' | 'uint' | 'string';
export type AttributeUse = 'honoured' | 'always' | 'windows';

export interface AttributeSpec {
  readonly type: AttributeType;
  readonly default: boolean | number | string;
  /** Key accepted in iisnode.yml (case-insensitive); null when yml cannot set it. */
  readonly ymlKey: string | null;
  /** iisnode expands %VAR% environment references in these. */
  readonly expand?: boolean;
  /** uint attributes declared allowInfinite accept 4294967295 as "no limit". */
  readonly allowInfinite?: boolean;
  readonly use: AttributeUse;
}

export const IISNODE_ATTRIBUTES = {
  node_env: { type: 'string', default: '%node_env%', ymlKey: 'node_env', expand: true, use: 'honoured' },
  nodeProcessCommandLine: { type: 'string', default: 'node', ymlKey: 'nodeProcessCommandLine', expand: true, use: 'honoured' },
  interceptor: { type: 'string', default: '', ymlKey: 'interceptor', expand: true, use: 'windows' },
  nodeProcessCountPerApplication: { type: 'uint', default: 1, ymlKey: 'nodeProcessCountPerApplication', use: 'honoured' },
  nodeProcessStickySessions: { type: 'bool', default: false, ymlKey: 'nodeProcessStickySessions', use: 'honoured' },
  maxConcurrentRequestsPerProcess: { type: 'uint', default: 1024, ymlKey: 'maxConcurrentRequestsPerProcess', allowInfinite: true, use: 'honoured' },
  maxNamedPipeConnectionRetry: { type: 'uint', default: 100, ymlKey: 'maxNamedPipeConnectionRetry', use: 'honoured' },
  namedPipeConnectionRetryDelay: { type: 'uint', default: 250, ymlKey: 'namedPipeConnectionRetryDelay', use: 'honoured' },
  maxNamedPipeConnectionPoolSize: { type: 'uint', default: 512, ymlKey: 'maxNamedPipeConnectionPoolSize', use: 'honoured' },
  maxNamedPipePooledConnectionAge: { type: 'uint', default: 30000, ymlKey: 'maxNamedPipePooledConnectionAge', use: 'honoured' },
  asyncCompletionThreadCount: { type: 'uint', default: 0, ymlKey: 'asyncCompletionThreadCount', use: 'windows' },
  initialRequestBufferSize: { type: 'uint', default: 4096, ymlKey: 'initialRequestBufferSize', use: 'windows' },
  maxRequestBufferSize: { type: 'uint', default: 65536, ymlKey: 'maxRequestBufferSize', use: 'honoured' },
  watchedFiles: { type: 'string', default: '*.js;iisnode.yml', ymlKey: 'watchedFiles', expand: true, use: 'honoured' },
  uncFileChangesPollingInterval: { type: 'uint', default: 5000, ymlKey: 'uncFileChangesPollingInterval', use: 'windows' },
  gracefulShutdownTimeout: { type: 'uint', default: 60000, ymlKey: 'gracefulShutdownTimeout', use: 'honoured' },
  loggingEnabled: { type: 'bool', default: true, ymlKey: 'loggingEnabled', use: 'honoured' },
  logDirectory: { type: 'string', default: 'iisnode', ymlKey: 'logDirectory', expand: true, use: 'honoured' },
  maxLogFileSizeInKB: { type: 'uint', default: 128, ymlKey: 'maxLogFileSizeInKB', use: 'honoured' },
  maxTotalLogFileSizeInKB: { type: 'uint', default: 1024, ymlKey: 'maxTotalLogFileSizeInKB', use: 'honoured' },
  maxLogFiles: { type: 'uint', default: 20, ymlKey: 'maxLogFiles', use: 'honoured' },
  devErrorsEnabled: { type: 'bool', default: true, ymlKey: 'devErrorsEnabled', use: 'honoured' },
  // The front end writes what a worker sent at the end of each event-loop turn, so responses always stream
  // as with flushResponse="true"; "false" (coalescing chunks inside IIS) would only add latency here.
  flushResponse: { type: 'bool', default: false, ymlKey: 'flushResponse', use: 'always' },
  enableXFF: { type: 'bool', default: false, ymlKey: 'enableXFF', use: 'honoured' },
  promoteServerVars: { type: 'string', default: '', ymlKey: 'promoteServerVars', use: 'honoured' },
  configOverrides: { type: 'string', default: 'iisnode.yml', ymlKey: null, expand: true, use: 'honoured' },
  debuggingEnabled: { type: 'bool', default: true, ymlKey: 'debuggingEnabled', use: 'honoured' },
  debuggerPathSegment: { type: 'string', default: 'debug', ymlKey: 'debuggerPathSegment', expand: true, use: 'honoured' },
  // The yml key really is debugPortRange (iisnode's quirk; its own sample uses the ignored debuggerPortRange).
  debuggerPortRange: { type: 'string', default: '5058-6058', ymlKey: 'debugPortRange', use: 'honoured' },
  debuggerExtensionDll: { type: 'string', default: 'iisnode-inspector-0.7.3.dll', ymlKey: 'debuggerExtensionDll', use: 'windows' },
  debuggerVirtualDir: { type: 'string', default: '', ymlKey: 'debuggerVirtualDir', use: 'windows' },
  debugHeaderEnabled: { type: 'bool', default: false, ymlKey: 'debugHeaderEnabled', use: 'honoured' },
  recycleSignalEnabled: { type: 'bool', default: false, ymlKey: 'recycleSignalEnabled', use: 'honoured' },
  idlePageOutTimePeriod: { type: 'uint', default: 0, ymlKey: 'idlePageOutTimePeriod', use: 'windows' },
} as const satisfies Record<string, AttributeSpec>;

export type IisnodeAttribute = keyof typeof IISNODE_ATTRIBUTES;

type ValueOf<T extends AttributeType> = T extends 'bool' ? boolean : T extends 'uint' ? number : string;

/** The resolved <iisnode> settings: every attribute with a value of its type. */
export type IisnodeSettings = {
  -readonly [K in IisnodeAttribute]: ValueOf<(typeof IISNODE_ATTRIBUTES)[K]['type']>;
};

export const IISNODE_ATTRIBUTE_NAMES = Object.keys(IISNODE_ATTRIBUTES) as IisnodeAttribute[];

export function defaultIisnodeSettings(): IisnodeSettings {
  const out: Record<string, unknown> = {};
  for (const name of IISNODE_ATTRIBUTE_NAMES) out[name] = IISNODE_ATTRIBUTES[name].default;
  return out as IisnodeSettings;
}

const UINT_MAX = 4294967295;

/** Parses a web.config / environment value. Returns undefined when the text is not of the type. */
export function parseAttributeValue(name: IisnodeAttribute, text: string): boolean | number | string | undefined {
  const spec: AttributeSpec = IISNODE_ATTRIBUTES[name];
  switch (spec.type) {
    case 'bool': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return undefined;
    }
    case 'uint': {
      const t = text.trim();
      if (!/^\d+$/.test(t)) return undefined;
      const n = Number(t);
      return n <= UINT_MAX ? n : undefined;
    }
    case 'string':
      return text;
  }
}

export function describeType(name: IisnodeAttribute): string {
  const spec: AttributeSpec = IISNODE_ATTRIBUTES[name];
  if (spec.type === 'bool') return 'true or false';
  if (spec.type === 'uint') return `a whole number from 0 to ${UINT_MAX}`;
  return 'text';
}

/** Expands %VAR% references from env, as iisnode does for `expand` attributes; unknown ones stay as written. */
export function expandEnvironment(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/%([^%]+)%/g, (whole, name: string) => {
    const hit = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
    return hit !== undefined && env[hit] !== undefined ? (env[hit] as string) : whole;
  });
}
