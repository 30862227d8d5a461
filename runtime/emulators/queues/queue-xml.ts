// The Queue service's XML bodies, element for element as Azure writes them.
// https://learn.microsoft.com/rest/api/storageservices/put-message  …/get-messages  …/peek-messages  …/list-queues1
import { domainError } from '../storage/domain-error.js';
import { XML_DECL, childText, el, escapeXml, parseXml } from '../storage/xml.js';
import type { Metadata, QueueMessage } from './queue-engine.js';

const rfc1123 = (ms: number) => new Date(ms).toUTCString();

function metadataXml(metadata: Metadata): string {
  return `<Metadata>${Object.entries(metadata).map(([k, v]) => el(k, v)).join('')}</Metadata>`;
}

export function listQueuesXml(endpoint: string, q: { prefix: string; marker: string; max?: number; withMetadata: boolean }, queues: readonly { name: string; metadata: Metadata }[], next?: string): string {
  const items = queues.map((x) => `<Queue>${el('Name', x.name)}${q.withMetadata ? metadataXml(x.metadata) : ''}</Queue>`).join('');
  return (
    `${XML_DECL}<EnumerationResults ServiceEndpoint="${escapeXml(endpoint)}">` +
    (q.prefix ? el('Prefix', q.prefix) : '') +
    (q.marker ? el('Marker', q.marker) : '') +
    (q.max !== undefined ? el('MaxResults', q.max) : '') +
    `<Queues>${items}</Queues>${el('NextMarker', next)}</EnumerationResults>`
  );
}

export function putMessageXml(m: QueueMessage): string {
  return (
    `${XML_DECL}<QueueMessagesList><QueueMessage>${el('MessageId', m.id)}${el('InsertionTime', rfc1123(m.inserted))}` +
    `${el('ExpirationTime', rfc1123(m.expires))}${el('PopReceipt', m.popReceipt)}${el('TimeNextVisible', rfc1123(m.visible))}</QueueMessage></QueueMessagesList>`
  );
}

export function messagesXml(messages: readonly QueueMessage[], peek: boolean): string {
  const items = messages.map(
    (m) =>
      `<QueueMessage>${el('MessageId', m.id)}${el('InsertionTime', rfc1123(m.inserted))}${el('ExpirationTime', rfc1123(m.expires))}` +
      (peek ? '' : `${el('PopReceipt', m.popReceipt)}${el('TimeNextVisible', rfc1123(m.visible))}`) +
      `${el('DequeueCount', m.dequeueCount)}<MessageText>${escapeXml(m.text)}</MessageText></QueueMessage>`,
  );
  return `${XML_DECL}<QueueMessagesList>${items.join('')}</QueueMessagesList>`;
}

/**
 * The body every client sends: an optional declaration, then <QueueMessage><MessageText>…</MessageText></QueueMessage>
 * with text that needs no XML decoding (no `&`, `<`, `]`, CR, or characters outside printable ASCII, tab and LF).
 * Such a body reads the same through the full parser; any other goes through it.
 */
const PLAIN_MESSAGE =
  /^(?:<\?xml version=(?:"1\.0"|'1\.0')(?: encoding=(?:"[A-Za-z][\w.-]*"|'[A-Za-z][\w.-]*'))?(?: standalone=(?:"(?:yes|no)"|'(?:yes|no)'))? ?\?>)?[ \t\r\n]*<QueueMessage>[ \t\r\n]*<MessageText>([\t\n\x20-\x25\x27-\x3b\x3d-\x5c\x5e-\x7e]*)<\/MessageText>[ \t\r\n]*<\/QueueMessage>[ \t\r\n]*$/;

/** The MessageText of a body in the plain shape, or undefined for any other body (exported for its test). */
export function plainMessageText(body: string): string | undefined {
  return PLAIN_MESSAGE.exec(body)?.[1];
}

/** The MessageText of a Put/Update Message body. */
export function parseMessageText(body: string): string {
  const plain = plainMessageText(body);
  if (plain !== undefined) return plain;
  const root = parseXml(body);
  if (root.name !== 'QueueMessage') throw domainError('InvalidXmlDocument', `Expected <QueueMessage>, found <${root.name}>.`);
  const text = childText(root, 'MessageText');
  if (text === undefined) throw domainError('InvalidXmlDocument', 'The <QueueMessage> element has no <MessageText>.');
  return text;
}
