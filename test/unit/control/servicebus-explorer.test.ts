// The Service Bus explorer's pure parts: entity paths, connection strings (the key never in a message), SDK
// errors → the catalogue, and the copy a dead-letter resubmit sends.
import { describe, expect, it } from 'vitest';
import { ServiceBusError } from '@azure/service-bus';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { parseEntityPath } from '../../../runtime/control/servicebus-receive.js';
import { sbEndpointOf, sbError } from '../../../runtime/control/servicebus-connection.js';
import { fromSend, resubmitCopy, toSbMessage } from '../../../runtime/control/servicebus-messages.js';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';

describe('parseEntityPath', () => {
  it('tells queues from subscriptions, case-insensitively, and refuses a $DeadLetterQueue path', () => {
    expect(parseEntityPath('orders')).toEqual({ queue: 'orders' });
    expect(parseEntityPath('a/b')).toEqual({ queue: 'a/b' });
    expect(parseEntityPath('t/Subscriptions/s')).toEqual({ topic: 't', subscription: 's' });
    expect(parseEntityPath('x/y/subscriptions/s')).toEqual({ topic: 'x/y', subscription: 's' });
    expect(() => parseEntityPath('q/$DeadLetterQueue')).toThrow(/deadLetter: true/);
  });
});

describe('sbEndpointOf', () => {
  it('returns sb://host[:port] and refuses strings without endpoint or key, never quoting the key', () => {
    expect(sbEndpointOf('Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=abc=')).toBe('sb://ns.servicebus.windows.net');
    expect(sbEndpointOf('Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=k;SharedAccessKey=x;UseDevelopmentEmulator=true;')).toBe('sb://127.0.0.1:5672');
    expect(() => sbEndpointOf('SharedAccessKey=secret')).toThrow(/no Endpoint/);
    expect(() => sbEndpointOf('Endpoint=sb://ns/;SharedAccessKeyName=k')).toThrow(/neither SharedAccessKey/);
    let caught: unknown;
    try {
      sbEndpointOf('Endpoint=sb://ns/;secretvalue');
    } catch (err) {
      caught = err;
    }
    expect(isCloudbenchError(caught, 'CB_ERR_SERVICEBUS_CONNECTION_STRING')).toBe(true);
    expect((caught as Error).message).toContain('part 2');
    expect((caught as Error).message).not.toContain('secretvalue');
  });
});

describe('sbError', () => {
  it('maps SDK and ATOM failures to the catalogue with the service detail', () => {
    expect(sbError(new ServiceBusError('no such entity', 'MessagingEntityNotFound'), 'queue "q"').code).toBe('CB_ERR_SERVICEBUS_NOT_FOUND');
    expect(sbError(new ServiceBusError('exists', 'MessagingEntityAlreadyExists'), 'x').code).toBe('CB_ERR_SERVICEBUS_CONFLICT');
    const atom = Object.assign(new Error('<Error><Code>400</Code><Detail>SQL syntax error at line 1, column 4: bad</Detail></Error>'), { statusCode: 400, code: 'ServiceError' });
    const e = sbError(atom, 'rule');
    expect(e.code).toBe('CB_ERR_SERVICEBUS_BAD_REQUEST');
    expect(e.message).toContain('SQL syntax error at line 1, column 4: bad');
    expect(sbError(new Error('connect ECONNREFUSED'), 'namespace').code).toBe('CB_ERR_SERVICEBUS_FAILED');
  });
});

describe('messages', () => {
  const received = {
    body: { id: 1 },
    sequenceNumber: { toNumber: () => 7 },
    messageId: 'm',
    subject: 's',
    contentType: 'application/json',
    correlationId: 'c',
    sessionId: undefined,
    applicationProperties: { tenant: 'acme', DeadLetterReason: 'R', DeadLetterErrorDescription: 'D', when: new Date(0) },
    deliveryCount: 2,
    state: 'active',
    enqueuedTimeUtc: new Date(1000),
    expiresAtUtc: new Date('+031197-09-14T00:00:00Z'),
    deadLetterReason: 'R',
    deadLetterErrorDescription: 'D',
    timeToLive: 60_000,
  } as unknown as ServiceBusReceivedMessage;

  it('shows a received message with a JSON body, its properties and dead-letter fields', () => {
    expect(toSbMessage(received)).toMatchObject({ sequenceNumber: 7, body: '{"id":1}', bodyKind: 'json', applicationProperties: { tenant: 'acme', when: '1970-01-01T00:00:00.000Z' }, deadLetterReason: 'R', deliveryCount: 2 });
    expect(toSbMessage({ ...received, body: Buffer.from([0xff, 0xfe]) } as ServiceBusReceivedMessage)).toMatchObject({ body: '//4=', bodyKind: 'base64' });
  });

  it('resubmits a copy without the broker dead-letter properties', () => {
    const copy = resubmitCopy(received);
    expect(copy).toMatchObject({ body: { id: 1 }, subject: 's', correlationId: 'c', messageId: 'm', timeToLive: 60_000 });
    expect(copy.applicationProperties).toEqual({ tenant: 'acme', when: new Date(0) });
  });

  it('sends JSON as a value and refuses a body or time that does not parse', () => {
    expect(fromSend({ entity: 'q', body: '{"a":1}', bodyKind: 'json' })).toMatchObject({ body: { a: 1 }, contentType: 'application/json' });
    expect(() => fromSend({ entity: 'q', body: '{', bodyKind: 'json' })).toThrow(/not JSON/);
    expect(() => fromSend({ entity: 'q', body: 'x', scheduledEnqueueTime: 'soon' })).toThrow(/ISO 8601/);
  });
});
