// The Service Bus explorer's message operations over the SDK: receive (receive-and-delete, or peek-lock and
// settle; session entities through a session receiver), dead-letter resubmit/delete and purge.
import { isServiceBusError } from '@azure/service-bus';
import type { ServiceBusReceivedMessage, ServiceBusReceiver, ServiceBusReceiverOptions } from '@azure/service-bus';
import type { z } from 'zod';
import { cbError } from '../shared/errors.js';
import type { SbDeadLettersSchema, SbPurgeSchema, SbReceiveSchema } from '../shared/protocol.js';
import type { SbClients } from './servicebus-connection.js';
import { resubmitCopy, sequenceOf, toSbMessage } from './servicebus-messages.js';

/** `queue` (or a topic, for sending) or `topic/Subscriptions/subscription`. */
export type SbAddress = { readonly queue: string } | { readonly topic: string; readonly subscription: string };

export function parseEntityPath(path: string): SbAddress {
  const m = /^(.+?)\/subscriptions\/([^/]+)$/i.exec(path);
  if (m) return { topic: m[1] as string, subscription: m[2] as string };
  if (/\/\$deadletterqueue$/i.test(path)) throw cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'entity', detail: 'name the queue or subscription and pass deadLetter: true instead of $DeadLetterQueue' });
  return { queue: path };
}

function receiverOf(c: SbClients, a: SbAddress, options: ServiceBusReceiverOptions): ServiceBusReceiver {
  return 'queue' in a ? c.sb.createReceiver(a.queue, options) : c.sb.createReceiver(a.topic, a.subscription, options);
}

export async function withReceiver<T>(c: SbClients, a: SbAddress, options: ServiceBusReceiverOptions, fn: (r: ServiceBusReceiver) => Promise<T>): Promise<T> {
  const receiver = receiverOf(c, a, options);
  try {
    return await fn(receiver);
  } finally {
    await receiver.close().catch(() => {});
  }
}

// ---- dead letters -----------------------------------------------------------------------------------------

/**
 * Receives the DLQ in peek-lock and, for each chosen message, sends a copy back (resubmit) and completes the
 * DLQ message, or only completes it (delete). Messages not chosen stay locked until the end so they are not
 * received twice, then are abandoned. A subscription's copy goes to its topic: Service Bus cannot send to one
 * subscription, so every subscription whose rules match gets it.
 */
export async function settleDeadLetters(c: SbClients, body: z.infer<typeof SbDeadLettersSchema>): Promise<{ count: number; sentTo: string | null }> {
  const address = parseEntityPath(body.entity);
  const wanted = body.sequenceNumbers ? new Set(body.sequenceNumbers) : undefined;
  const target = 'queue' in address ? address.queue : address.topic;
  const sender = body.action === 'resubmit' ? c.sb.createSender(target) : undefined;
  const skipped: ServiceBusReceivedMessage[] = [];
  let count = 0;
  try {
    await withReceiver(c, address, { subQueueType: 'deadLetter', receiveMode: 'peekLock' }, async (receiver) => {
      for (;;) {
        if (wanted && count >= wanted.size) break;
        const batch = await receiver.receiveMessages(100, { maxWaitTimeInMs: 1000 });
        if (batch.length === 0) break;
        for (const m of batch) {
          if (wanted && !wanted.has(sequenceOf(m))) {
            skipped.push(m);
            continue;
          }
          if (sender) await sender.sendMessages(resubmitCopy(m));
          await receiver.completeMessage(m);
          count++;
        }
      }
      for (const m of skipped) await receiver.abandonMessage(m).catch(() => {});
    });
  } finally {
    await sender?.close().catch(() => {});
  }
  return { count, sentTo: sender ? target : null };
}

/** Receive-and-delete in batches until a batch comes back empty; scheduled messages are not touched. */
export async function purge(c: SbClients, body: z.infer<typeof SbPurgeSchema>): Promise<{ purged: number }> {
  const address = parseEntityPath(body.entity);
  let purged = 0;
  await withReceiver(c, address, { receiveMode: 'receiveAndDelete', ...(body.deadLetter ? { subQueueType: 'deadLetter' as const } : {}) }, async (receiver) => {
    for (;;) {
      const batch = await receiver.receiveMessages(250, { maxWaitTimeInMs: purged === 0 ? 1000 : 300 });
      if (batch.length === 0) break;
      purged += batch.length;
    }
  });
  return { purged };
}

export async function receive(c: SbClients, body: z.infer<typeof SbReceiveSchema>): Promise<{ messages: ReturnType<typeof toSbMessage>[] }> {
  const address = parseEntityPath(body.entity);
  const mode = body.mode ?? 'peekLock';
  const options: ServiceBusReceiverOptions = { receiveMode: mode, ...(body.deadLetter ? { subQueueType: 'deadLetter' as const } : {}) };
  const settle = async (receiver: ServiceBusReceiver): Promise<{ messages: ReturnType<typeof toSbMessage>[] }> => {
    const got = await receiver.receiveMessages(body.count ?? 1, { maxWaitTimeInMs: body.waitMs ?? 2000 });
    const shown = got.map(toSbMessage);
    if (mode === 'peekLock') {
      for (const m of got) {
        switch (body.settle ?? 'complete') {
          case 'complete':
            await receiver.completeMessage(m);
            break;
          case 'abandon':
            await receiver.abandonMessage(m);
            break;
          case 'defer':
            await receiver.deferMessage(m);
            break;
          case 'deadLetter':
            await receiver.deadLetterMessage(m, { deadLetterReason: body.deadLetterReason ?? 'Explorer', deadLetterErrorDescription: body.deadLetterErrorDescription ?? 'Dead-lettered from the Cloudbench workbench' });
            break;
        }
      }
    }
    return { messages: shown };
  };
  // A dead-letter queue has no sessions; the entity itself needs a session receiver when it requires sessions.
  if (!body.deadLetter && (body.sessionId !== undefined || (await requiresSession(c, address)))) {
    const sessionOptions = { ...options, maxAutoLockRenewalDurationInMs: 0 };
    const accepting = 'queue' in address
      ? body.sessionId ? c.sb.acceptSession(address.queue, body.sessionId, sessionOptions) : c.sb.acceptNextSession(address.queue, sessionOptions)
      : body.sessionId ? c.sb.acceptSession(address.topic, address.subscription, body.sessionId, sessionOptions) : c.sb.acceptNextSession(address.topic, address.subscription, sessionOptions);
    // "Next session" waits for one with messages up to the SDK's operation timeout and ignores abort signals;
    // the explorer waits waitMs, as for a plain receiver, and closes a session that comes later.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), body.waitMs ?? 2000)));
    let receiver: ServiceBusReceiver | null;
    try {
      receiver = await Promise.race([accepting, waited]);
    } catch (err) {
      if (body.sessionId === undefined && isServiceBusError(err) && err.code === 'ServiceTimeout') return { messages: [] };
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (!receiver) {
      accepting.then((late) => late.close(), () => {}).catch(() => {});
      return { messages: [] };
    }
    try {
      return await settle(receiver);
    } finally {
      await receiver.close().catch(() => {});
    }
  }
  return withReceiver(c, address, options, settle);
}

async function requiresSession(c: SbClients, a: SbAddress): Promise<boolean> {
  const props = 'queue' in a ? (await c.admin.getQueue(a.queue)).requiresSession : (await c.admin.getSubscription(a.topic, a.subscription)).requiresSession;
  return props === true;
}

