// Domain types of the Service Bus engine. Nothing here knows AMQP or HTTP: bodies are opaque bytes tagged
// with the AMQP body kind so that a message sent over one protocol reads back the same over the other.
import type { MessageSession } from './sessions.js';

/** A property value as messages carry them (AMQP simple types the SDKs use). */
export type PropertyValue = string | number | boolean | null | Date | Buffer;

export interface MessageBody {
  /** `data`: the bytes are the body; `value`/`sequence`: the bytes are an AMQP-encoded body section. */
  readonly kind: 'data' | 'value' | 'sequence';
  readonly bytes: Buffer;
}

/** What a sender supplies (AMQP properties section + Service Bus annotations). */
export interface MessageInput {
  body: MessageBody;
  messageId?: string;
  correlationId?: string;
  sessionId?: string;
  replyTo?: string;
  replyToSessionId?: string;
  to?: string;
  subject?: string;
  contentType?: string;
  partitionKey?: string;
  /** Milliseconds; the entity's default applies when absent. */
  timeToLive?: number;
  /** Epoch ms; the message stays scheduled until then. */
  scheduledEnqueueTime?: number;
  applicationProperties: Record<string, PropertyValue>;
  /** Message annotations the sender set that are not the broker's own x-opt-* fields. */
  annotations?: Record<string, PropertyValue>;
  /** Encoded size in bytes, measured by the adapter; checked against the entity's limit. */
  size: number;
}

export type MessageState = 'active' | 'deferred' | 'scheduled';

/** A message held by a queue or subscription (or its dead-letter queue). */
export interface StoredMessage extends MessageInput {
  /** Unique row id across the namespace (persistence key). */
  readonly id: number;
  /** Key of the owning queue or subscription (lower-case path). */
  entity: string;
  deadLettered: boolean;
  sequenceNumber: number;
  enqueuedSequenceNumber?: number;
  enqueuedTime: number;
  state: MessageState;
  /** Deliveries so far; the AMQP header's delivery-count is this value at delivery time. */
  deliveryCount: number;
  /** Epoch ms; Infinity when the message never expires. */
  expiresAt: number;
  deadLetterSource?: string;
  lockToken?: string;
  lockedUntil?: number;
}

/** A message handed to a receiver: a snapshot plus the lock (peek-lock only). */
export interface Delivery {
  readonly message: StoredMessage;
  readonly lockToken?: string;
  readonly lockedUntil?: number;
  /** The delivery count to report (deliveries before this one). */
  readonly deliveryCount: number;
}

export interface QueueProperties {
  lockDurationMs: number;
  maxDeliveryCount: number;
  defaultMessageTimeToLiveMs: number;
  deadLetteringOnMessageExpiration: boolean;
  requiresSession: boolean;
  requiresDuplicateDetection: boolean;
  duplicateDetectionHistoryTimeWindowMs: number;
  forwardTo: string;
  forwardDeadLetteredMessagesTo: string;
  maxSizeInMegabytes: number;
  maxMessageSizeInKilobytes: number;
  enableBatchedOperations: boolean;
  enablePartitioning: boolean;
  status: string;
  userMetadata: string;
  autoDeleteOnIdleMs: number;
}

export interface TopicProperties {
  defaultMessageTimeToLiveMs: number;
  requiresDuplicateDetection: boolean;
  duplicateDetectionHistoryTimeWindowMs: number;
  maxSizeInMegabytes: number;
  maxMessageSizeInKilobytes: number;
  enableBatchedOperations: boolean;
  enablePartitioning: boolean;
  supportOrdering: boolean;
  status: string;
  userMetadata: string;
  autoDeleteOnIdleMs: number;
}

export interface SubscriptionProperties {
  lockDurationMs: number;
  maxDeliveryCount: number;
  defaultMessageTimeToLiveMs: number;
  deadLetteringOnMessageExpiration: boolean;
  deadLetteringOnFilterEvaluationExceptions: boolean;
  requiresSession: boolean;
  forwardTo: string;
  forwardDeadLetteredMessagesTo: string;
  enableBatchedOperations: boolean;
  status: string;
  userMetadata: string;
  autoDeleteOnIdleMs: number;
}

export interface CorrelationFilter {
  correlationId?: string;
  messageId?: string;
  to?: string;
  replyTo?: string;
  subject?: string;
  sessionId?: string;
  replyToSessionId?: string;
  contentType?: string;
  properties?: Record<string, PropertyValue>;
}

export type RuleFilter =
  | { readonly type: 'sql'; readonly expression: string }
  | { readonly type: 'correlation'; readonly correlation: CorrelationFilter }
  | { readonly type: 'true' }
  | { readonly type: 'false' };

export interface RuleDescription {
  readonly name: string;
  readonly filter: RuleFilter;
  /** A SQL action (`SET …; REMOVE …`), or undefined for none. */
  readonly action?: string;
}

export type EntityKind = 'queue' | 'topic' | 'subscription';

export interface EntityTimes {
  createdAt: number;
  updatedAt: number;
  accessedAt: number;
}

export interface QueueInfo extends EntityTimes {
  readonly name: string;
  readonly properties: QueueProperties;
}

export interface TopicInfo extends EntityTimes {
  readonly name: string;
  readonly properties: TopicProperties;
}

export interface SubscriptionInfo extends EntityTimes {
  readonly topic: string;
  readonly name: string;
  readonly properties: SubscriptionProperties;
}

export interface RuntimeCounts {
  activeMessageCount: number;
  deadLetterMessageCount: number;
  scheduledMessageCount: number;
  transferMessageCount: number;
  transferDeadLetterMessageCount: number;
  totalMessageCount: number;
  sizeInBytes: number;
}

export const MAX_DURATION_MS = 10_675_199 * 86_400_000; // TimeSpan.MaxValue in whole days, the service's "never"

export const QUEUE_DEFAULTS: QueueProperties = Object.freeze({
  lockDurationMs: 60_000,
  maxDeliveryCount: 10,
  defaultMessageTimeToLiveMs: MAX_DURATION_MS,
  deadLetteringOnMessageExpiration: false,
  requiresSession: false,
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowMs: 600_000,
  forwardTo: '',
  forwardDeadLetteredMessagesTo: '',
  maxSizeInMegabytes: 1024,
  maxMessageSizeInKilobytes: 256,
  enableBatchedOperations: true,
  enablePartitioning: false,
  status: 'Active',
  userMetadata: '',
  autoDeleteOnIdleMs: MAX_DURATION_MS,
});

export const TOPIC_DEFAULTS: TopicProperties = Object.freeze({
  defaultMessageTimeToLiveMs: MAX_DURATION_MS,
  requiresDuplicateDetection: false,
  duplicateDetectionHistoryTimeWindowMs: 600_000,
  maxSizeInMegabytes: 1024,
  maxMessageSizeInKilobytes: 256,
  enableBatchedOperations: true,
  enablePartitioning: false,
  supportOrdering: true,
  status: 'Active',
  userMetadata: '',
  autoDeleteOnIdleMs: MAX_DURATION_MS,
});

export const SUBSCRIPTION_DEFAULTS: SubscriptionProperties = Object.freeze({
  lockDurationMs: 60_000,
  maxDeliveryCount: 10,
  defaultMessageTimeToLiveMs: MAX_DURATION_MS,
  deadLetteringOnMessageExpiration: false,
  deadLetteringOnFilterEvaluationExceptions: true,
  requiresSession: false,
  forwardTo: '',
  forwardDeadLetteredMessagesTo: '',
  enableBatchedOperations: true,
  status: 'Active',
  userMetadata: '',
  autoDeleteOnIdleMs: MAX_DURATION_MS,
});

/** The properties a queue or subscription's message store works with. */
export interface ReceivableSettings {
  lockDurationMs: number;
  maxDeliveryCount: number;
  defaultMessageTimeToLiveMs: number;
  deadLetteringOnMessageExpiration: boolean;
  requiresSession: boolean;
  forwardTo: string;
  forwardDeadLetteredMessagesTo: string;
}

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

export interface ReceiveOptions {
  max: number;
  mode: ReceiveMode;
  deadLetter?: boolean;
  session?: MessageSession;
}
