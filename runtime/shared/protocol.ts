// The control protocol: every HTTP request and response and every WebSocket message between the runtime's
// control API and its clients (the renderer, the CLI, tests), as zod schemas with the types inferred from
// them. Both ends validate. Shared code: no Node, no DOM.
import { z } from 'zod';
import {
  SbConnectSchema,
  SbConnectionSchema,
  SbCreateQueueSchema,
  SbCreateRuleSchema,
  SbUpdateRuleSchema,
  SbCreateSubscriptionSchema,
  SbCreateTopicSchema,
  SbDeadLettersResultSchema,
  SbDeadLettersSchema,
  SbEntitiesSchema,
  SbMessagesSchema,
  SbPeekQuerySchema,
  SbPurgeSchema,
  SbPurgedSchema,
  SbReceiveSchema,
  SbRulesSchema,
  SbSendSchema,
  SbSentSchema,
} from './servicebus-protocol.js';

export * from './servicebus-protocol.js';

export const PROTOCOL_VERSION = 1;

// ---- entities ------------------------------------------------------------------------------------------

export const ErrorInfoSchema = z.object({
  code: z.string(),
  status: z.number().int(),
  message: z.string(),
  fix: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type ErrorInfoMessage = z.infer<typeof ErrorInfoSchema>;

export const WorkerStateSchema = z.enum(['starting', 'ready', 'draining', 'stopping', 'exited']);
export const WorkerViewSchema = z.object({
  id: z.string(),
  ordinal: z.number().int(),
  generation: z.number().int(),
  pid: z.number().int().optional(),
  state: WorkerStateSchema,
  /** Percent of one core over the last second. */
  cpu: z.number().optional(),
  /** Resident set size in bytes. */
  rss: z.number().optional(),
  active: z.number().int(),
  total: z.number().int(),
  startedAt: z.number(),
  exitCode: z.number().int().nullable().optional(),
});
export type WorkerView = z.infer<typeof WorkerViewSchema>;

export const InstanceStateSchema = z.enum(['starting', 'running', 'failed', 'stopped']);
export const InstanceViewSchema = z.object({
  name: z.string(),
  state: InstanceStateSchema,
  generation: z.number().int(),
  workerCount: z.number().int(),
  queued: z.number().int(),
  workers: z.array(WorkerViewSchema),
  /** Last exit code per worker slot (ordinal). */
  lastExitCodes: z.record(z.string(), z.number().int().nullable()),
  /** Why the instance is failed, when it is. */
  failure: z.string().optional(),
  /** Why the load balancer sends it no new requests although it runs (the app said busy, a failing health probe). */
  outOfRotation: z.string().optional(),
});
export type InstanceView = z.infer<typeof InstanceViewSchema>;

export const ProjectViewSchema = z.object({
  folder: z.string(),
  entry: z.string(),
  entrySource: z.string(),
  /** Where the app listens. */
  url: z.string(),
  environment: z.string(),
  warnings: z.array(z.string()),
  instances: z.array(InstanceViewSchema),
});
export type ProjectView = z.infer<typeof ProjectViewSchema>;

export const TopologySchema = z.object({
  version: z.literal(PROTOCOL_VERSION),
  /** The open project, if any. */
  project: ProjectViewSchema.nullable(),
  /** Why the last attempt to open a project failed (with file and line when it is a config error). */
  projectError: ErrorInfoSchema.nullable(),
  cores: z.number().int(),
  emulators: z.array(z.object({ name: z.string(), url: z.string(), state: z.string() })),
});
export type Topology = z.infer<typeof TopologySchema>;

export const LogStreamSchema = z.enum(['stdout', 'stderr']);
export const LogRecordSchema = z.object({
  seq: z.number().int(),
  time: z.number(),
  instance: z.string(),
  worker: z.string(),
  pid: z.number().int(),
  stream: LogStreamSchema,
  text: z.string(),
});
export type LogRecordMessage = z.infer<typeof LogRecordSchema>;

export const RequestRecordSchema = z.object({
  id: z.number().int(),
  time: z.number(),
  method: z.string(),
  url: z.string(),
  status: z.number().int(),
  durationMs: z.number(),
  queueMs: z.number(),
  instance: z.string(),
  worker: z.string().nullable(),
  pid: z.number().int().nullable(),
  retries: z.number().int(),
  error: z.string().nullable(),
  /** Flat [name, value, …] lists as sent. */
  requestHeaders: z.array(z.string()),
  responseHeaders: z.array(z.string()),
});
export type RequestRecordMessage = z.infer<typeof RequestRecordSchema>;

export const TerminalInfoSchema = z.object({
  id: z.string(),
  title: z.string(),
  cwd: z.string(),
  cols: z.number().int(),
  rows: z.number().int(),
  alive: z.boolean(),
  exitCode: z.number().int().nullable(),
});
export type TerminalInfo = z.infer<typeof TerminalInfoSchema>;

export const SiteEventSchema = z.object({
  time: z.number(),
  kind: z.enum(['project.opened', 'project.closed', 'recycling', 'serving', 'worker.exited', 'failed', 'warning', 'fabric']),
  message: z.string(),
  instance: z.string().optional(),
});
export type SiteEvent = z.infer<typeof SiteEventSchema>;

// ---- HTTP API --------------------------------------------------------------------------------------------

const intText = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const LogQuerySchema = z.object({
  instance: z.string().optional(),
  worker: z.string().optional(),
  stream: LogStreamSchema.optional(),
  text: z.string().max(1000).optional(),
  afterSeq: intText(0, Number.MAX_SAFE_INTEGER).optional(),
  beforeSeq: intText(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: intText(1, 100_000).optional(),
});
export type LogQueryMessage = z.infer<typeof LogQuerySchema>;

export const RequestQuerySchema = z.object({
  text: z.string().max(1000).optional(),
  afterId: intText(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: intText(1, 10_000).optional(),
});

export const OkSchema = z.object({ ok: z.literal(true) });
/** Recent projects, and the samples bundled with Cloudbench (offered on first run). */
export const RecentSchema = z.object({
  recent: z.array(z.object({ folder: z.string(), openedAt: z.number() })),
  samples: z.array(z.object({ name: z.string(), folder: z.string(), description: z.string() })),
});
export const OpenProjectSchema = z.object({ folder: z.string().min(1).max(4096) });
export const WorkerCountSchema = z.object({ count: z.number().int().min(1).max(64) });
export const TerminalSizeSchema = z.object({ cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) });
export const LogsSchema = z.object({ records: z.array(LogRecordSchema) });
export const RequestsSchema = z.object({ records: z.array(RequestRecordSchema) });
export const TerminalsSchema = z.object({ terminals: z.array(TerminalInfoSchema) });
export const ErrorResponseSchema = z.object({ error: ErrorInfoSchema });

// ---- debugger (runtime/debug; docs/debugging.md) --------------------------------------------------------------

export const DebugTargetSchema = z.object({
  worker: z.string(),
  instance: z.string(),
  ordinal: z.number().int(),
  generation: z.number().int(),
  pid: z.number().int().optional(),
  /** How the inspector was opened: on demand in a running worker, or by restarting it with --inspect-brk. */
  mode: z.enum(['attach', 'start']),
  /** Stopped in the debugger: the front end routes no new requests to it. */
  paused: z.boolean(),
  /** The worker's own inspector, on 127.0.0.1 only (for chrome://inspect and VS Code). */
  port: z.number().int(),
  inspectorUrl: z.string(),
  /** The CDP proxy on the control port; its last segment is a key valid until detach. */
  proxyPath: z.string(),
  since: z.number(),
});
export type DebugTarget = z.infer<typeof DebugTargetSchema>;
export const DebugTargetsSchema = z.object({ targets: z.array(DebugTargetSchema) });
/** An entry of the inspector's `/json/list`, as Node serves it (webSocketDebuggerUrl points at our proxy). */
export const JsonListEntrySchema = z.object({
  description: z.string(),
  devtoolsFrontendUrl: z.string(),
  devtoolsFrontendUrlCompat: z.string(),
  faviconUrl: z.string(),
  id: z.string(),
  title: z.string(),
  type: z.string(),
  url: z.string(),
  webSocketDebuggerUrl: z.string(),
});
export const JsonVersionSchema = z.object({ Browser: z.string(), 'Protocol-Version': z.string() });
export const LaunchConfigSchema = z.object({ file: z.string(), name: z.string(), port: z.number().int() });
export const DebugFileQuerySchema = z.object({ url: z.string().min(1).max(4096) });
export const DebugFileSchema = z.object({ url: z.string(), text: z.string() });
/** WebSocket path prefix of the CDP proxy: `<prefix><worker>/<key>`. */
export const DEBUG_CDP_PREFIX = '/api/debug/cdp/';

// ---- Fabric ---------------------------------------------------------------------------------------------------

export const SlotNameSchema = z.enum(['production', 'staging']);
export const BalancerPolicySchema = z.enum(['round-robin', 'least-connections', 'sticky']);
const DeploymentSchema = z.object({ id: z.string(), folder: z.string(), source: z.string(), createdAt: z.number(), files: z.number().int() });
const SwapStepSchema = z.object({ name: z.string(), startedAt: z.number(), endedAt: z.number().optional(), ok: z.boolean().optional(), detail: z.string().optional() });
export const SwapRecordSchema = z.object({
  environment: z.string(),
  action: z.enum(['swap', 'preview']),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  before: z.object({ production: z.string().nullable(), staging: z.string().nullable() }),
  result: z.enum(['running', 'previewing', 'completed', 'cancelled', 'failed']),
  steps: z.array(SwapStepSchema),
});
/** A worker role of a site and its instances' names (no VIP, no balancer). */
export const WorkerRoleViewSchema = z.object({ name: z.string(), instances: z.array(z.string()) });
export const FabricStateSchema = z.object({
  sources: z.array(z.string()),
  local: z.object({ url: z.string(), instances: z.array(z.string()), balancer: BalancerPolicySchema, workerRoles: z.array(WorkerRoleViewSchema) }).nullable(),
  environments: z.array(
    z.object({
      name: z.string(),
      instances: z.number().int(),
      pending: z.boolean(),
      slots: z.array(z.object({ name: SlotNameSchema, url: z.string(), deployment: DeploymentSchema.nullable(), instances: z.array(z.string()), settings: z.record(z.string(), z.string()), balancer: BalancerPolicySchema.nullable(), workerRoles: z.array(WorkerRoleViewSchema) })),
    }),
  ),
  history: z.array(SwapRecordSchema),
});
export type FabricState = z.infer<typeof FabricStateSchema>;
const EnvironmentName = z.string().min(1).max(64);
export const DeploySchema = z.object({ environment: EnvironmentName, folder: z.string().min(1).max(4096).optional(), slot: SlotNameSchema.optional() });
export const SwapSchema = z.object({ environment: EnvironmentName, action: z.enum(['swap', 'preview', 'complete', 'cancel']).optional() });
/** `environment: "local"` scales the live folder's site (slot ignored); with `role`, that worker role. */
export const ScaleSchema = z.object({ environment: EnvironmentName, slot: SlotNameSchema.optional(), role: z.string().min(1).max(64).optional(), instances: z.number().int().min(1).max(64) });
export const PromoteSchema = z.object({ from: EnvironmentName, to: EnvironmentName });
export const BalancerSchema = z.object({ environment: EnvironmentName, slot: SlotNameSchema.optional(), policy: BalancerPolicySchema });
export const LoadStartSchema = z.object({
  environment: EnvironmentName,
  slot: SlotNameSchema.optional(),
  path: z.string().startsWith('/').max(2048).default('/'),
  concurrency: z.number().int().min(1).max(256),
  rate: z.number().int().min(0).max(100_000),
  durationSec: z.number().int().min(1).max(600),
});
export const LoadStateSchema = z.object({
  running: z.boolean(),
  settings: z.object({ url: z.string(), concurrency: z.number(), rate: z.number(), durationSec: z.number() }).nullable(),
  samples: z.array(z.object({ time: z.number(), requests: z.number(), failed: z.number(), p50: z.number(), p99: z.number(), byInstance: z.record(z.string(), z.number()) })),
});
export type LoadState = z.infer<typeof LoadStateSchema>;
export const KillInstanceSchema = z.object({ environment: EnvironmentName, slot: SlotNameSchema.optional(), instance: z.string().min(1).max(128) });

// ---- Storage explorer (runtime/control/storage-explorer.ts; docs/storage.md "The explorer") -------------------

export const EdmTypeSchema = z.enum(['String', 'Int32', 'Int64', 'Double', 'Boolean', 'DateTime', 'Guid', 'Binary']);
export type EdmType = z.infer<typeof EdmTypeSchema>;
/** A property as typed text: Int64 stays exact, DateTime is ISO 8601, Binary is base64. */
export const TypedValueSchema = z.object({ type: EdmTypeSchema, value: z.string().max(1_100_000) });
export type TypedValue = z.infer<typeof TypedValueSchema>;
export const StorageEntitySchema = z.object({
  partitionKey: z.string().max(1024),
  rowKey: z.string().max(1024),
  /** Set by the service; absent when sending. */
  timestamp: z.string().optional(),
  etag: z.string().optional(),
  properties: z.record(z.string(), TypedValueSchema),
});
export type StorageEntity = z.infer<typeof StorageEntitySchema>;
/** The account the explorer talks to; the key never leaves the runtime. */
export const StorageConnectionSchema = z.object({
  source: z.enum(['emulator', 'custom']),
  account: z.string().nullable(),
  tableEndpoint: z.string().nullable(),
  queueEndpoint: z.string().nullable(),
  /** Why there is nothing to explore (no emulator running), when so. */
  unavailable: z.string().nullable(),
});
export type StorageConnection = z.infer<typeof StorageConnectionSchema>;
/** No connection string (or null): back to the local emulator. */
export const StorageConnectSchema = z.object({ connectionString: z.string().max(4096).nullable().optional() });
const StorageName = z.string().min(1).max(63);
const ContinuationText = z.string().min(1).max(8192);
export const StorageNameSchema = z.object({ name: StorageName });
export const StorageListQuerySchema = z.object({ prefix: z.string().max(63).optional(), top: intText(1, 1000).optional(), continuation: ContinuationText.optional() });
export const StorageTablesSchema = z.object({ tables: z.array(z.string()), continuation: z.string().nullable() });
export const StorageEntityQuerySchema = z.object({
  filter: z.string().max(16_384).optional(),
  /** Comma-separated property names. */
  select: z.string().max(4096).optional(),
  top: intText(1, 1000).optional(),
  continuation: ContinuationText.optional(),
});
export const StorageEntitiesSchema = z.object({ entities: z.array(StorageEntitySchema), continuation: z.string().nullable() });
export const StorageEntityKeySchema = z.object({ partitionKey: z.string().max(1024), rowKey: z.string().max(1024) });
/** insert fails when it exists; replace and merge upsert, or with an ETag update only that version (412 otherwise). */
export const StorageWriteEntitySchema = z.object({ entity: StorageEntitySchema, mode: z.enum(['insert', 'replace', 'merge']), etag: z.string().max(256).optional() });
export const StorageDeleteEntitySchema = StorageEntityKeySchema.extend({ etag: z.string().max(256).optional() });
export const StorageEtagSchema = z.object({ etag: z.string() });
export const StorageQueueSchema = z.object({ name: z.string(), approximateMessagesCount: z.number().int().nullable() });
export const StorageQueuesSchema = z.object({ queues: z.array(StorageQueueSchema), continuation: z.string().nullable() });
export const StorageMessageSchema = z.object({
  messageId: z.string(),
  messageText: z.string(),
  insertedOn: z.string().nullable(),
  expiresOn: z.string().nullable(),
  dequeueCount: z.number().int(),
  nextVisibleOn: z.string().nullable().optional(),
});
export const StorageMessagesSchema = z.object({ messages: z.array(StorageMessageSchema) });
export const StoragePeekQuerySchema = z.object({ count: intText(1, 32).optional() });
export const StorageSendSchema = z.object({
  text: z.string().max(65_536),
  /** Seconds; -1 never expires. */
  ttlSeconds: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).optional(),
  visibilitySeconds: z.number().int().min(0).max(7 * 24 * 3600).optional(),
});
export const StorageDequeueSchema = z.object({ count: z.number().int().min(1).max(32).optional() });

/**
 * Every route: method, path (`:name` segments are parameters), body and response schemas. The server
 * dispatches from this table and the client builds its calls from it, so neither writes a URL by hand.
 */
export const ROUTES = {
  state: { method: 'GET', path: '/api/state', body: null, response: TopologySchema },
  openProject: { method: 'POST', path: '/api/project/open', body: OpenProjectSchema, response: TopologySchema },
  closeProject: { method: 'POST', path: '/api/project/close', body: null, response: TopologySchema },
  recent: { method: 'GET', path: '/api/recent', body: null, response: RecentSchema },
  recycle: { method: 'POST', path: '/api/instances/:instance/recycle', body: null, response: OkSchema },
  restart: { method: 'POST', path: '/api/instances/:instance/restart', body: null, response: OkSchema },
  setWorkerCount: { method: 'POST', path: '/api/instances/:instance/workers', body: WorkerCountSchema, response: OkSchema },
  killWorker: { method: 'POST', path: '/api/workers/:worker/kill', body: null, response: OkSchema },
  logs: { method: 'GET', path: '/api/logs', body: null, query: LogQuerySchema, response: LogsSchema },
  requests: { method: 'GET', path: '/api/requests', body: null, query: RequestQuerySchema, response: RequestsSchema },
  terminals: { method: 'GET', path: '/api/terminals', body: null, response: TerminalsSchema },
  openTerminal: { method: 'POST', path: '/api/terminals', body: TerminalSizeSchema, response: TerminalInfoSchema },
  resizeTerminal: { method: 'POST', path: '/api/terminals/:terminal/resize', body: TerminalSizeSchema, response: OkSchema },
  closeTerminal: { method: 'DELETE', path: '/api/terminals/:terminal', body: null, response: OkSchema },
  debugTargets: { method: 'GET', path: '/api/debug/targets', body: null, response: DebugTargetsSchema },
  debugAttach: { method: 'POST', path: '/api/debug/workers/:worker/attach', body: null, response: DebugTargetSchema },
  debugDetach: { method: 'POST', path: '/api/debug/workers/:worker/detach', body: null, response: OkSchema },
  debugStart: { method: 'POST', path: '/api/debug/workers/:worker/start', body: null, response: DebugTargetSchema },
  debugResume: { method: 'POST', path: '/api/debug/workers/:worker/resume', body: null, response: OkSchema },
  debugVsCode: { method: 'POST', path: '/api/debug/workers/:worker/vscode', body: null, response: LaunchConfigSchema },
  debugFile: { method: 'GET', path: '/api/debug/file', body: null, query: DebugFileQuerySchema, response: DebugFileSchema },
  debugJsonList: { method: 'GET', path: '/api/debug/json/list', body: null, response: z.array(JsonListEntrySchema) },
  debugJsonVersion: { method: 'GET', path: '/api/debug/json/version', body: null, response: JsonVersionSchema },
  fabric: { method: 'GET', path: '/api/fabric', body: null, response: FabricStateSchema },
  fabricDeploy: { method: 'POST', path: '/api/fabric/deploy', body: DeploySchema, response: FabricStateSchema },
  fabricSwap: { method: 'POST', path: '/api/fabric/swap', body: SwapSchema, response: SwapRecordSchema },
  fabricScale: { method: 'POST', path: '/api/fabric/scale', body: ScaleSchema, response: FabricStateSchema },
  fabricPromote: { method: 'POST', path: '/api/fabric/promote', body: PromoteSchema, response: FabricStateSchema },
  fabricBalancer: { method: 'POST', path: '/api/fabric/balancer', body: BalancerSchema, response: FabricStateSchema },
  fabricKillInstance: { method: 'POST', path: '/api/fabric/kill-instance', body: KillInstanceSchema, response: FabricStateSchema },
  fabricLoad: { method: 'GET', path: '/api/fabric/load', body: null, response: LoadStateSchema },
  fabricLoadStart: { method: 'POST', path: '/api/fabric/load', body: LoadStartSchema, response: LoadStateSchema },
  fabricLoadStop: { method: 'POST', path: '/api/fabric/load/stop', body: null, response: LoadStateSchema },
  storageConnection: { method: 'GET', path: '/api/storage/connection', body: null, response: StorageConnectionSchema },
  storageConnect: { method: 'POST', path: '/api/storage/connection', body: StorageConnectSchema, response: StorageConnectionSchema },
  storageTables: { method: 'GET', path: '/api/storage/tables', body: null, query: StorageListQuerySchema, response: StorageTablesSchema },
  storageCreateTable: { method: 'POST', path: '/api/storage/tables', body: StorageNameSchema, response: OkSchema },
  storageDeleteTable: { method: 'DELETE', path: '/api/storage/tables/:table', body: null, response: OkSchema },
  storageEntities: { method: 'GET', path: '/api/storage/tables/:table/entities', body: null, query: StorageEntityQuerySchema, response: StorageEntitiesSchema },
  storageEntity: { method: 'GET', path: '/api/storage/tables/:table/entity', body: null, query: StorageEntityKeySchema, response: StorageEntitySchema },
  storageWriteEntity: { method: 'POST', path: '/api/storage/tables/:table/entity', body: StorageWriteEntitySchema, response: StorageEtagSchema },
  storageDeleteEntity: { method: 'POST', path: '/api/storage/tables/:table/entity/delete', body: StorageDeleteEntitySchema, response: OkSchema },
  storageQueues: { method: 'GET', path: '/api/storage/queues', body: null, query: StorageListQuerySchema, response: StorageQueuesSchema },
  storageCreateQueue: { method: 'POST', path: '/api/storage/queues', body: StorageNameSchema, response: OkSchema },
  storageDeleteQueue: { method: 'DELETE', path: '/api/storage/queues/:queue', body: null, response: OkSchema },
  storagePeek: { method: 'GET', path: '/api/storage/queues/:queue/messages', body: null, query: StoragePeekQuerySchema, response: StorageMessagesSchema },
  storageSend: { method: 'POST', path: '/api/storage/queues/:queue/messages', body: StorageSendSchema, response: StorageMessageSchema },
  storageDequeue: { method: 'POST', path: '/api/storage/queues/:queue/dequeue', body: StorageDequeueSchema, response: StorageMessagesSchema },
  storageClear: { method: 'DELETE', path: '/api/storage/queues/:queue/messages', body: null, response: OkSchema },
  servicebusConnection: { method: 'GET', path: '/api/servicebus/connection', body: null, response: SbConnectionSchema },
  servicebusConnect: { method: 'POST', path: '/api/servicebus/connection', body: SbConnectSchema, response: SbConnectionSchema },
  servicebusEntities: { method: 'GET', path: '/api/servicebus/entities', body: null, response: SbEntitiesSchema },
  servicebusCreateQueue: { method: 'POST', path: '/api/servicebus/queues', body: SbCreateQueueSchema, response: OkSchema },
  servicebusDeleteQueue: { method: 'DELETE', path: '/api/servicebus/queues/:queue', body: null, response: OkSchema },
  servicebusCreateTopic: { method: 'POST', path: '/api/servicebus/topics', body: SbCreateTopicSchema, response: OkSchema },
  servicebusDeleteTopic: { method: 'DELETE', path: '/api/servicebus/topics/:topic', body: null, response: OkSchema },
  servicebusCreateSubscription: { method: 'POST', path: '/api/servicebus/topics/:topic/subscriptions', body: SbCreateSubscriptionSchema, response: OkSchema },
  servicebusDeleteSubscription: { method: 'DELETE', path: '/api/servicebus/topics/:topic/subscriptions/:subscription', body: null, response: OkSchema },
  servicebusRules: { method: 'GET', path: '/api/servicebus/topics/:topic/subscriptions/:subscription/rules', body: null, response: SbRulesSchema },
  servicebusCreateRule: { method: 'POST', path: '/api/servicebus/topics/:topic/subscriptions/:subscription/rules', body: SbCreateRuleSchema, response: OkSchema },
  servicebusUpdateRule: { method: 'PUT', path: '/api/servicebus/topics/:topic/subscriptions/:subscription/rules/:rule', body: SbUpdateRuleSchema, response: OkSchema },
  servicebusDeleteRule: { method: 'DELETE', path: '/api/servicebus/topics/:topic/subscriptions/:subscription/rules/:rule', body: null, response: OkSchema },
  servicebusPeek: { method: 'GET', path: '/api/servicebus/messages', body: null, query: SbPeekQuerySchema, response: SbMessagesSchema },
  servicebusSend: { method: 'POST', path: '/api/servicebus/messages', body: SbSendSchema, response: SbSentSchema },
  servicebusReceive: { method: 'POST', path: '/api/servicebus/receive', body: SbReceiveSchema, response: SbMessagesSchema },
  servicebusDeadLetters: { method: 'POST', path: '/api/servicebus/dead-letters', body: SbDeadLettersSchema, response: SbDeadLettersResultSchema },
  servicebusPurge: { method: 'POST', path: '/api/servicebus/purge', body: SbPurgeSchema, response: SbPurgedSchema },
} as const;
export type RouteName = keyof typeof ROUTES;

/** Plain-text download of the logs matching a query (not JSON, so not in ROUTES). */
export const LOG_EXPORT_PATH = '/api/logs/export';

// ---- WebSocket ----------------------------------------------------------------------------------------------

/** The stream endpoint; the token travels as a subprotocol (`cloudbench.token.<token>`), never in the URL. */
export const STREAM_PATH = '/api/stream';
export const STREAM_PROTOCOL = 'cloudbench.v1';
export const TOKEN_PROTOCOL_PREFIX = 'cloudbench.token.';

export const TopicSchema = z.enum(['topology', 'metrics', 'logs', 'requests', 'events', 'terminals', 'debug']);
export type Topic = z.infer<typeof TopicSchema>;

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('subscribe'), topics: z.array(TopicSchema).min(1) }),
  z.object({ type: z.literal('unsubscribe'), topics: z.array(TopicSchema).min(1) }),
  /** Start receiving a terminal's output; the reply begins with its scrollback. */
  z.object({ type: z.literal('terminal.attach'), id: z.string() }),
  z.object({ type: z.literal('terminal.detach'), id: z.string() }),
  z.object({ type: z.literal('terminal.input'), id: z.string(), data: z.string().max(65536) }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const ServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), version: z.literal(PROTOCOL_VERSION) }),
  z.object({ type: z.literal('topology'), topology: TopologySchema }),
  z.object({ type: z.literal('metrics'), time: z.number(), instances: z.array(z.object({ name: z.string(), queued: z.number().int(), workers: z.array(WorkerViewSchema) })) }),
  z.object({ type: z.literal('logs'), records: z.array(LogRecordSchema) }),
  z.object({ type: z.literal('requests'), records: z.array(RequestRecordSchema) }),
  z.object({ type: z.literal('event'), event: SiteEventSchema }),
  z.object({ type: z.literal('terminals'), terminals: z.array(TerminalInfoSchema) }),
  z.object({ type: z.literal('terminal.output'), id: z.string(), data: z.string() }),
  z.object({ type: z.literal('terminal.exit'), id: z.string(), exitCode: z.number().int().nullable() }),
  z.object({ type: z.literal('error'), error: ErrorInfoSchema }),
  /** The attached workers, whenever one is attached, detached, paused or resumed. */
  z.object({ type: z.literal('debug'), targets: z.array(DebugTargetSchema) }),
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** What travels on the socket from the server: messages gathered for ~16 ms, in order. */
export const ServerFrameSchema = z.object({ type: z.literal('batch'), messages: z.array(ServerMessageSchema) });
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Fills `:name` segments of a route path. */
export function routePath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}
