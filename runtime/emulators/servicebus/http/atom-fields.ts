// The description elements of the ATOM management API (QueueDescription, TopicDescription,
// SubscriptionDescription), in the order the service writes them
// (https://learn.microsoft.com/rest/api/servicebus/queues and the SDK's serializers), mapped to engine
// properties. `duration` values are ISO 8601 TimeSpans.
import { formatDuration, parseDuration } from '../iso-duration.js';
import { child, type XmlNode } from './xml.js';

export type FieldType = 'duration' | 'int' | 'bool' | 'string';
export type FieldSpec = readonly [element: string, property: string, type: FieldType];

export const QUEUE_FIELDS: readonly FieldSpec[] = [
  ['LockDuration', 'lockDurationMs', 'duration'],
  ['MaxSizeInMegabytes', 'maxSizeInMegabytes', 'int'],
  ['RequiresDuplicateDetection', 'requiresDuplicateDetection', 'bool'],
  ['RequiresSession', 'requiresSession', 'bool'],
  ['DefaultMessageTimeToLive', 'defaultMessageTimeToLiveMs', 'duration'],
  ['DeadLetteringOnMessageExpiration', 'deadLetteringOnMessageExpiration', 'bool'],
  ['DuplicateDetectionHistoryTimeWindow', 'duplicateDetectionHistoryTimeWindowMs', 'duration'],
  ['MaxDeliveryCount', 'maxDeliveryCount', 'int'],
  ['EnableBatchedOperations', 'enableBatchedOperations', 'bool'],
  ['Status', 'status', 'string'],
  ['ForwardTo', 'forwardTo', 'string'],
  ['UserMetadata', 'userMetadata', 'string'],
  ['AutoDeleteOnIdle', 'autoDeleteOnIdleMs', 'duration'],
  ['EnablePartitioning', 'enablePartitioning', 'bool'],
  ['ForwardDeadLetteredMessagesTo', 'forwardDeadLetteredMessagesTo', 'string'],
  ['MaxMessageSizeInKilobytes', 'maxMessageSizeInKilobytes', 'int'],
];

export const TOPIC_FIELDS: readonly FieldSpec[] = [
  ['DefaultMessageTimeToLive', 'defaultMessageTimeToLiveMs', 'duration'],
  ['MaxSizeInMegabytes', 'maxSizeInMegabytes', 'int'],
  ['RequiresDuplicateDetection', 'requiresDuplicateDetection', 'bool'],
  ['DuplicateDetectionHistoryTimeWindow', 'duplicateDetectionHistoryTimeWindowMs', 'duration'],
  ['EnableBatchedOperations', 'enableBatchedOperations', 'bool'],
  ['Status', 'status', 'string'],
  ['UserMetadata', 'userMetadata', 'string'],
  ['SupportOrdering', 'supportOrdering', 'bool'],
  ['AutoDeleteOnIdle', 'autoDeleteOnIdleMs', 'duration'],
  ['EnablePartitioning', 'enablePartitioning', 'bool'],
  ['MaxMessageSizeInKilobytes', 'maxMessageSizeInKilobytes', 'int'],
];

export const SUBSCRIPTION_FIELDS: readonly FieldSpec[] = [
  ['LockDuration', 'lockDurationMs', 'duration'],
  ['RequiresSession', 'requiresSession', 'bool'],
  ['DefaultMessageTimeToLive', 'defaultMessageTimeToLiveMs', 'duration'],
  ['DeadLetteringOnMessageExpiration', 'deadLetteringOnMessageExpiration', 'bool'],
  ['DeadLetteringOnFilterEvaluationExceptions', 'deadLetteringOnFilterEvaluationExceptions', 'bool'],
  ['MaxDeliveryCount', 'maxDeliveryCount', 'int'],
  ['EnableBatchedOperations', 'enableBatchedOperations', 'bool'],
  ['Status', 'status', 'string'],
  ['ForwardTo', 'forwardTo', 'string'],
  ['UserMetadata', 'userMetadata', 'string'],
  ['ForwardDeadLetteredMessagesTo', 'forwardDeadLetteredMessagesTo', 'string'],
  ['AutoDeleteOnIdle', 'autoDeleteOnIdleMs', 'duration'],
];

export function readFields(description: XmlNode | undefined, fields: readonly FieldSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [element, prop, type] of fields) {
    const node = child(description, element);
    if (node === undefined) continue;
    const text = node.text.trim();
    if (type === 'duration') out[prop] = parseDuration(text);
    else if (type === 'int') out[prop] = Number.parseInt(text, 10);
    else if (type === 'bool') out[prop] = text.toLowerCase() === 'true';
    else out[prop] = text;
  }
  return out;
}

export function writeFields(props: Record<string, unknown>, fields: readonly FieldSpec[]): string {
  let xml = '';
  for (const [element, prop, type] of fields) {
    const v = props[prop];
    if (v === undefined || (type === 'string' && v === '' && element !== 'Status')) continue;
    const text = type === 'duration' ? formatDuration(v as number) : String(v);
    xml += `<${element}>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${element}>`;
  }
  return xml;
}
