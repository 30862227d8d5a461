// The Service Bus explorer's part of the control protocol (runtime/control/servicebus-explorer.ts; docs/servicebus.md
// "The explorer"). Kept beside protocol.ts, which re-exports it and lists the routes in ROUTES.
//
// An entity is named by its Service Bus path: `orders` (a queue or a topic) or `orders/Subscriptions/audit`.
import { z } from 'zod';

const count = z.number().int().min(0);
const EntityName = z.string().min(1).max(260).regex(/^[A-Za-z0-9][\w.\-/~]*$/, 'letters, digits, ".", "-", "_", "/" and "~", starting with a letter or digit');
const SubscriptionName = z.string().min(1).max(50).regex(/^[A-Za-z0-9][\w.\-~]*$/, 'letters, digits, ".", "-", "_" and "~", starting with a letter or digit');
/** `queue` or `topic/Subscriptions/subscription`. */
export const SbEntityPath = z.string().min(1).max(400);
const intText = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** A query flag: `true`/`false` in the URL; the UI client checks the boolean before it becomes text. */
const boolText = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');

/** Where the explorer points; the connection string's key never goes back to the page. */
export const SbConnectionSchema = z.object({
  source: z.enum(['emulator', 'custom']),
  /** `sb://host[:port]` of the namespace. */
  endpoint: z.string().nullable(),
  /** Why there is nothing to explore (no emulator running), when so. */
  unavailable: z.string().nullable(),
});
export type SbConnection = z.infer<typeof SbConnectionSchema>;
/** No connection string (or null): back to the local emulator. */
export const SbConnectSchema = z.object({ connectionString: z.string().max(4096).nullable().optional() });

export const SbCountsSchema = z.object({ active: count, deadLetter: count, scheduled: count });
export type SbCounts = z.infer<typeof SbCountsSchema>;
export const SbSubscriptionInfoSchema = z.object({ name: z.string(), path: z.string(), requiresSession: z.boolean(), counts: SbCountsSchema });
export const SbQueueInfoSchema = z.object({ name: z.string(), path: z.string(), requiresSession: z.boolean(), maxDeliveryCount: z.number().int(), counts: SbCountsSchema });
export const SbTopicInfoSchema = z.object({ name: z.string(), scheduled: count, subscriptions: z.array(SbSubscriptionInfoSchema) });
export type SbQueueInfo = z.infer<typeof SbQueueInfoSchema>;
export type SbTopicInfo = z.infer<typeof SbTopicInfoSchema>;
export type SbSubscriptionInfo = z.infer<typeof SbSubscriptionInfoSchema>;
/** The tree with runtime counts; the page polls it (about every 2 s) only while the Service Bus view is open. */
export const SbEntitiesSchema = z.object({ queues: z.array(SbQueueInfoSchema), topics: z.array(SbTopicInfoSchema), time: z.string() });
export type SbEntities = z.infer<typeof SbEntitiesSchema>;

export const SbCreateQueueSchema = z.object({
  name: EntityName,
  requiresSession: z.boolean().optional(),
  maxDeliveryCount: z.number().int().min(1).max(2000).optional(),
  /** ISO 8601 duration, e.g. PT30S. */
  lockDuration: z.string().max(32).optional(),
  deadLetteringOnMessageExpiration: z.boolean().optional(),
});
export const SbCreateTopicSchema = z.object({ name: EntityName });
export const SbCreateSubscriptionSchema = z.object({
  name: SubscriptionName,
  requiresSession: z.boolean().optional(),
  maxDeliveryCount: z.number().int().min(1).max(2000).optional(),
});

export const SbPropertyValue = z.union([z.string().max(32_768), z.number(), z.boolean(), z.null()]);
export const SbMessageSchema = z.object({
  sequenceNumber: z.number().int(),
  messageId: z.string().nullable(),
  enqueuedTime: z.string().nullable(),
  subject: z.string().nullable(),
  contentType: z.string().nullable(),
  correlationId: z.string().nullable(),
  sessionId: z.string().nullable(),
  /** The body as text: a string as is, JSON for objects, UTF-8 (or base64 when not text) for bytes. */
  body: z.string(),
  bodyKind: z.enum(['text', 'json', 'bytes', 'base64']),
  applicationProperties: z.record(z.string(), SbPropertyValue),
  deliveryCount: z.number().int().nullable(),
  state: z.enum(['active', 'deferred', 'scheduled']),
  scheduledEnqueueTime: z.string().nullable(),
  expiresAt: z.string().nullable(),
  deadLetterReason: z.string().nullable(),
  deadLetterErrorDescription: z.string().nullable(),
  deadLetterSource: z.string().nullable(),
});
export type SbMessage = z.infer<typeof SbMessageSchema>;
export const SbMessagesSchema = z.object({ messages: z.array(SbMessageSchema) });

export const SbPeekQuerySchema = z.object({
  entity: SbEntityPath,
  deadLetter: boolText.optional(),
  count: intText(1, 250).optional(),
  /** Peek from this sequence number on (the next page: the last one shown + 1). @default 0, the head */
  fromSequenceNumber: intText(0, Number.MAX_SAFE_INTEGER).optional(),
});

export const SbSendSchema = z.object({
  /** A queue or a topic. */
  entity: SbEntityPath,
  body: z.string().max(256 * 1024),
  /** json: the body is parsed and sent as a JSON value (so receivers get an object). */
  bodyKind: z.enum(['text', 'json']).optional(),
  contentType: z.string().max(256).optional(),
  subject: z.string().max(256).optional(),
  messageId: z.string().max(128).optional(),
  correlationId: z.string().max(128).optional(),
  sessionId: z.string().max(128).optional(),
  applicationProperties: z.record(z.string().min(1).max(256), z.union([z.string().max(32_768), z.number(), z.boolean()])).optional(),
  /** ISO 8601: the message becomes visible then (a scheduled message). */
  scheduledEnqueueTime: z.string().max(64).optional(),
  timeToLiveMs: z.number().int().min(1).optional(),
});
export type SbSend = z.infer<typeof SbSendSchema>;
export const SbSentSchema = z.object({ sent: z.literal(true), scheduledSequenceNumber: z.number().int().nullable() });

export const SbReceiveSchema = z.object({
  entity: SbEntityPath,
  deadLetter: z.boolean().optional(),
  count: z.number().int().min(1).max(100).optional(),
  /** receiveAndDelete, or peekLock followed by `settle`. @default peekLock */
  mode: z.enum(['peekLock', 'receiveAndDelete']).optional(),
  /** What to do with each peek-locked message. @default complete */
  settle: z.enum(['complete', 'abandon', 'deadLetter', 'defer']).optional(),
  deadLetterReason: z.string().max(1024).optional(),
  deadLetterErrorDescription: z.string().max(4096).optional(),
  /** For session-enabled entities: which session (else the next one that has messages). */
  sessionId: z.string().max(128).optional(),
  /** How long to wait for the first message. @default 2000 */
  waitMs: z.number().int().min(0).max(30_000).optional(),
});

/** Dead-letter queue actions: resubmit (a copy to the entity, then the DLQ message is completed) or delete. */
export const SbDeadLettersSchema = z.object({
  entity: SbEntityPath,
  action: z.enum(['resubmit', 'delete']),
  /** Which messages; all of them when absent. */
  sequenceNumbers: z.array(z.number().int().min(0)).max(1000).optional(),
});
export const SbDeadLettersResultSchema = z.object({ count: z.number().int(), sentTo: z.string().nullable() });

export const SbPurgeSchema = z.object({ entity: SbEntityPath, deadLetter: z.boolean().optional() });
export const SbPurgedSchema = z.object({ purged: z.number().int() });

export const SbRuleFilterSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sql'), expression: z.string().min(1).max(4096) }),
  z.object({
    type: z.literal('correlation'),
    correlationId: z.string().max(128).optional(),
    messageId: z.string().max(128).optional(),
    to: z.string().max(128).optional(),
    replyTo: z.string().max(128).optional(),
    subject: z.string().max(128).optional(),
    sessionId: z.string().max(128).optional(),
    replyToSessionId: z.string().max(128).optional(),
    contentType: z.string().max(128).optional(),
    applicationProperties: z.record(z.string().min(1).max(256), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
  z.object({ type: z.literal('true') }),
  z.object({ type: z.literal('false') }),
]);
export type SbRuleFilter = z.infer<typeof SbRuleFilterSchema>;
export const SbRuleSchema = z.object({ name: z.string(), filter: SbRuleFilterSchema, action: z.string().nullable() });
export type SbRule = z.infer<typeof SbRuleSchema>;
export const SbRulesSchema = z.object({ rules: z.array(SbRuleSchema) });
export const SbCreateRuleSchema = z.object({
  name: z.string().min(1).max(50).regex(/^[A-Za-z0-9$][\w.\-~$]*$/, 'letters, digits, ".", "-", "_" and "~"'),
  filter: SbRuleFilterSchema,
  /** A SQL rule action such as `SET sys.label = 'x'`. */
  action: z.string().max(4096).optional(),
});
/** Replaces an existing rule's filter and action (no action: the rule gets none). */
export const SbUpdateRuleSchema = SbCreateRuleSchema.omit({ name: true });
