// The control protocol: every HTTP request and response and every WebSocket message between the runtime's
// control API and its clients (the renderer, the CLI, tests), as zod schemas with the types inferred from
// them. Both ends validate. Shared code: no Node, no DOM.
import { z } from 'zod';

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
  kind: z.enum(['project.opened', 'project.closed', 'recycling', 'serving', 'worker.exited', 'failed']),
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
export const RecentSchema = z.object({ recent: z.array(z.object({ folder: z.string(), openedAt: z.number() })) });
export const OpenProjectSchema = z.object({ folder: z.string().min(1).max(4096) });
export const WorkerCountSchema = z.object({ count: z.number().int().min(1).max(64) });
export const TerminalSizeSchema = z.object({ cols: z.number().int().min(2).max(1000), rows: z.number().int().min(1).max(500) });
export const LogsSchema = z.object({ records: z.array(LogRecordSchema) });
export const RequestsSchema = z.object({ records: z.array(RequestRecordSchema) });
export const TerminalsSchema = z.object({ terminals: z.array(TerminalInfoSchema) });
export const ErrorResponseSchema = z.object({ error: ErrorInfoSchema });

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
} as const;
export type RouteName = keyof typeof ROUTES;

/** Plain-text download of the logs matching a query (not JSON, so not in ROUTES). */
export const LOG_EXPORT_PATH = '/api/logs/export';

// ---- WebSocket ----------------------------------------------------------------------------------------------

/** The stream endpoint; the token travels as a subprotocol (`cloudbench.token.<token>`), never in the URL. */
export const STREAM_PATH = '/api/stream';
export const STREAM_PROTOCOL = 'cloudbench.v1';
export const TOKEN_PROTOCOL_PREFIX = 'cloudbench.token.';

export const TopicSchema = z.enum(['topology', 'metrics', 'logs', 'requests', 'events', 'terminals']);
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
]);
export type ServerMessage = z.infer<typeof ServerMessageSchema>;

/** What travels on the socket from the server: messages gathered for ~16 ms, in order. */
export const ServerFrameSchema = z.object({ type: z.literal('batch'), messages: z.array(ServerMessageSchema) });
export type ServerFrame = z.infer<typeof ServerFrameSchema>;

/** Fills `:name` segments of a route path. */
export function routePath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}
