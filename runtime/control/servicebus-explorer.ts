// The control API's Service Bus explorer: entities with runtime counts, create/delete, peek, send, receive
// (receive-and-delete or peek-lock + settle), dead-letter queue resubmit/delete, purge and subscription rules,
// through the real @azure/service-bus SDK (servicebus-connection.ts; messages in servicebus-receive.ts, rules in
// servicebus-rules.ts), so it explores the local emulator (in
// its child process, over its ports) or a real namespace alike.
import Long from 'long';
import type { z } from 'zod';
import type {
  RouteName,
  SbCreateQueueSchema,
  SbCreateRuleSchema,
  SbUpdateRuleSchema,
  SbCreateSubscriptionSchema,
  SbDeadLettersSchema,
  SbEntities,
  SbPeekQuerySchema,
  SbPurgeSchema,
  SbReceiveSchema,
  SbSend,
} from '../shared/protocol.js';
import { SbConnectionHolder, sbError } from './servicebus-connection.js';
import type { SbClients } from './servicebus-connection.js';
import { fromSend, toSbMessage } from './servicebus-messages.js';
import { parseEntityPath, purge, receive, settleDeadLetters, withReceiver } from './servicebus-receive.js';
import { fromRule, toRuleFilter } from './servicebus-rules.js';
import type { Workbench } from './workbench.js';

type Handler = (ctx: { params: Record<string, string>; body: unknown; query: unknown }) => Promise<unknown> | unknown;

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Queues, topics and subscriptions with their runtime counts, in name order. */
async function entities(c: SbClients): Promise<SbEntities> {
  const [queues, queueRuntime, topics, topicRuntime] = await Promise.all([
    all(c.admin.listQueues()),
    all(c.admin.listQueuesRuntimeProperties()),
    all(c.admin.listTopics()),
    all(c.admin.listTopicsRuntimeProperties()),
  ]);
  const qr = new Map(queueRuntime.map((r) => [r.name, r]));
  const tr = new Map(topicRuntime.map((r) => [r.name, r]));
  const topicViews = await Promise.all(
    topics.map(async (t) => {
      const [subs, subRuntime] = await Promise.all([all(c.admin.listSubscriptions(t.name)), all(c.admin.listSubscriptionsRuntimeProperties(t.name))]);
      const sr = new Map(subRuntime.map((r) => [r.subscriptionName, r]));
      return {
        name: t.name,
        scheduled: tr.get(t.name)?.scheduledMessageCount ?? 0,
        subscriptions: subs
          .map((s) => {
            const r = sr.get(s.subscriptionName);
            return {
              name: s.subscriptionName,
              path: `${t.name}/Subscriptions/${s.subscriptionName}`,
              requiresSession: s.requiresSession,
              counts: { active: r?.activeMessageCount ?? 0, deadLetter: r?.deadLetterMessageCount ?? 0, scheduled: 0 },
            };
          })
          .sort((a, b) => a.name.localeCompare(b.name)),
      };
    }),
  );
  return {
    queues: queues
      .map((q) => {
        const r = qr.get(q.name);
        return {
          name: q.name,
          path: q.name,
          requiresSession: q.requiresSession,
          maxDeliveryCount: q.maxDeliveryCount,
          counts: { active: r?.activeMessageCount ?? 0, deadLetter: r?.deadLetterMessageCount ?? 0, scheduled: r?.scheduledMessageCount ?? 0 },
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
    topics: topicViews.sort((a, b) => a.name.localeCompare(b.name)),
    time: new Date().toISOString(),
  };
}
export function servicebusHandlers(workbench: Workbench): Record<Extract<RouteName, `servicebus${string}`>, Handler> {
  const holder = new SbConnectionHolder(workbench);
  const ok = { ok: true as const };
  // Every SDK failure becomes a catalogue error naming what was asked for.
  const guarded = (what: (ctx: Parameters<Handler>[0]) => string, fn: (c: SbClients, ctx: Parameters<Handler>[0]) => Promise<unknown>): Handler => async (ctx) => {
    const clients = holder.clients();
    try {
      return await fn(clients, ctx);
    } catch (err) {
      throw sbError(err, what(ctx));
    }
  };
  const entity = (ctx: Parameters<Handler>[0]): string => {
    const b = (ctx.body ?? ctx.query) as { entity?: string } | undefined;
    return b?.entity ? `entity "${b.entity}"` : 'entity';
  };
  return {
    servicebusConnection: () => holder.describe(),
    servicebusConnect: ({ body }) => holder.connect((body as { connectionString?: string | null }).connectionString ?? null),
    servicebusEntities: guarded(() => 'namespace', (c) => entities(c)),
    servicebusCreateQueue: guarded(
      ({ body }) => `queue "${(body as { name: string }).name}"`,
      async (c, { body }) => {
        const { name, ...options } = body as z.infer<typeof SbCreateQueueSchema>;
        await c.admin.createQueue(name, options);
        return ok;
      },
    ),
    servicebusDeleteQueue: guarded(({ params }) => `queue "${params.queue}"`, async (c, { params }) => (await c.admin.deleteQueue(params.queue as string), ok)),
    servicebusCreateTopic: guarded(({ body }) => `topic "${(body as { name: string }).name}"`, async (c, { body }) => (await c.admin.createTopic((body as { name: string }).name), ok)),
    servicebusDeleteTopic: guarded(({ params }) => `topic "${params.topic}"`, async (c, { params }) => (await c.admin.deleteTopic(params.topic as string), ok)),
    servicebusCreateSubscription: guarded(
      ({ params }) => `topic "${params.topic}"`,
      async (c, { params, body }) => {
        const { name, ...options } = body as z.infer<typeof SbCreateSubscriptionSchema>;
        await c.admin.createSubscription(params.topic as string, name, options);
        return ok;
      },
    ),
    servicebusDeleteSubscription: guarded(
      ({ params }) => `subscription "${params.topic}/Subscriptions/${params.subscription}"`,
      async (c, { params }) => (await c.admin.deleteSubscription(params.topic as string, params.subscription as string), ok),
    ),
    servicebusRules: guarded(
      ({ params }) => `subscription "${params.topic}/Subscriptions/${params.subscription}"`,
      async (c, { params }) => ({ rules: (await all(c.admin.listRules(params.topic as string, params.subscription as string))).map(fromRule) }),
    ),
    servicebusCreateRule: guarded(
      ({ params }) => `subscription "${params.topic}/Subscriptions/${params.subscription}"`,
      async (c, { params, body }) => {
        const b = body as z.infer<typeof SbCreateRuleSchema>;
        const filter = toRuleFilter(b.filter) as { sqlExpression: string };
        if (b.action?.trim()) await c.admin.createRule(params.topic as string, params.subscription as string, b.name, filter, { sqlExpression: b.action });
        else await c.admin.createRule(params.topic as string, params.subscription as string, b.name, filter);
        return ok;
      },
    ),
    servicebusUpdateRule: guarded(
      ({ params }) => `rule "${params.rule}" of "${params.topic}/Subscriptions/${params.subscription}"`,
      async (c, { params, body }) => {
        const b = body as z.infer<typeof SbUpdateRuleSchema>;
        const filter = toRuleFilter(b.filter) as { sqlExpression: string };
        // No action: the SDK sends an EmptyRuleAction, which removes the old one.
        const action = (b.action?.trim() ? { sqlExpression: b.action } : {}) as { sqlExpression: string };
        // Typed as the SDK's own response object (WithResponse), but it reads only name, filter and action.
        const rule = { name: params.rule as string, filter, action } as unknown as Parameters<typeof c.admin.updateRule>[2];
        await c.admin.updateRule(params.topic as string, params.subscription as string, rule);
        return ok;
      },
    ),
    servicebusDeleteRule: guarded(
      ({ params }) => `rule "${params.rule}" of "${params.topic}/Subscriptions/${params.subscription}"`,
      async (c, { params }) => (await c.admin.deleteRule(params.topic as string, params.subscription as string, params.rule as string), ok),
    ),
    servicebusPeek: guarded(entity, async (c, { query }) => {
      const q = query as z.infer<typeof SbPeekQuerySchema>;
      const address = parseEntityPath(q.entity);
      const messages = await withReceiver(c, address, q.deadLetter ? { subQueueType: 'deadLetter' } : {}, (r) =>
        // Always from a sequence number: without one the SDK continues after the last message this connection
        // peeked on the entity (its management link is shared), so a second look would come back empty.
        r.peekMessages(q.count ?? 50, { fromSequenceNumber: Long.fromNumber(q.fromSequenceNumber ?? 0) }),
      );
      return { messages: messages.map(toSbMessage) };
    }),
    servicebusSend: guarded(entity, async (c, { body }) => {
      const b = body as SbSend;
      const message = fromSend(b);
      const sender = c.sb.createSender(b.entity);
      try {
        if (message.scheduledEnqueueTimeUtc) {
          const [seq] = await sender.scheduleMessages(message, message.scheduledEnqueueTimeUtc);
          return { sent: true, scheduledSequenceNumber: seq === undefined ? null : seq.toNumber() };
        }
        await sender.sendMessages(message);
        return { sent: true, scheduledSequenceNumber: null };
      } finally {
        await sender.close().catch(() => {});
      }
    }),
    servicebusReceive: guarded(entity, (c, { body }) => receive(c, body as z.infer<typeof SbReceiveSchema>)),
    servicebusDeadLetters: guarded(entity, (c, { body }) => settleDeadLetters(c, body as z.infer<typeof SbDeadLettersSchema>)),
    servicebusPurge: guarded(entity, (c, { body }) => purge(c, body as z.infer<typeof SbPurgeSchema>)),
  };
}
