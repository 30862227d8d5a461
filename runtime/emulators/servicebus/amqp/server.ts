// The AMQP 1.0 listener (rhea) for @azure/service-bus with UseDevelopmentEmulator=true: plain TCP, SASL
// ANONYMOUS and PLAIN, `$cbs` put-token, entity links and `$management`. Links are dispatched by address
// when they attach; rhea's container-wide events are routed to the object that owns each link.
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { createDebug } from '../../../logs/debug.js';
import { parseAddress } from '../engine/address.js';
import type { ServiceBusEngine } from '../engine/engine.js';
import { EngineError } from '../engine/errors.js';
import type { SasKeys } from '../sas.js';
import { toAmqpError } from './error-map.js';
import { IncomingLink } from './incoming-link.js';
import { echoAttach } from './link-attach.js';
import { answerCbs, answerManagement, ReplyLinks } from './management.js';
import type { OutgoingLink } from './outgoing-link.js';
import { rhea, type RheaConnection, type RheaContext, type RheaLink } from './rhea-types.js';
import { attachReceiver } from './session-attach.js';

const debug = createDebug('servicebus:amqp');

type ReceiverRole = { kind: 'cbs' } | { kind: 'management'; address: string } | { kind: 'entity'; link: IncomingLink };

export interface AmqpServer {
  readonly server: net.Server;
  close(): Promise<void>;
}

export function createAmqpServer(engine: ServiceBusEngine, keys: SasKeys): AmqpServer {
  const container = rhea.create_container({ id: 'cloudbench-servicebus', autoaccept: false, treat_modified_as_released: false });
  container.sasl_server_mechanisms.enable_anonymous();
  container.sasl_server_mechanisms.enable_plain(() => true);
  const replies = new WeakMap<RheaConnection, ReplyLinks>();
  const receivers = new WeakMap<RheaLink, ReceiverRole>();
  const senders = new WeakMap<RheaLink, OutgoingLink>();
  const openSenders = new Map<RheaConnection, Set<OutgoingLink>>();
  const repliesOf = (c: RheaConnection): ReplyLinks => {
    let r = replies.get(c);
    if (!r) replies.set(c, (r = new ReplyLinks()));
    return r;
  };

  container.on('sender_open', (ctx: RheaContext) => {
    const link = ctx.sender as RheaLink;
    echoAttach(link);
    const address = String(link.remote.attach.source?.address ?? '');
    const a = parseAddress(address);
    if (address === '$cbs' || a.management) {
      repliesOf(ctx.connection).add(link);
      return;
    }
    attachReceiver(engine, link, a, randomUUID(), (outgoing) => {
      senders.set(link, outgoing);
      let set = openSenders.get(ctx.connection);
      if (!set) openSenders.set(ctx.connection, (set = new Set()));
      set.add(outgoing);
    });
  });

  container.on('receiver_open', (ctx: RheaContext) => {
    const link = ctx.receiver as RheaLink;
    echoAttach(link);
    const address = String(link.remote.attach.target?.address ?? '');
    const a = parseAddress(address);
    if (address === '$cbs') receivers.set(link, { kind: 'cbs' });
    else if (a.management) receivers.set(link, { kind: 'management', address });
    else {
      try {
        if (a.deadLetter || /\/subscriptions\//i.test(a.path)) {
          throw new EngineError('InvalidOperation', `Cannot send to '${address}': send to a queue or a topic.`);
        }
        engine.checkSendable(a.path);
        link.local.attach.max_message_size = 256 * 1024;
        receivers.set(link, { kind: 'entity', link: new IncomingLink(engine, a) });
      } catch (err) {
        link.close(toAmqpError(err));
      }
    }
  });

  container.on('message', (ctx: RheaContext) => {
    const role = receivers.get(ctx.receiver as RheaLink);
    const message = ctx.message as Record<string, unknown>;
    if (role?.kind === 'entity') return role.link.onMessage(ctx);
    ctx.delivery?.accept();
    if (role?.kind === 'cbs') answerCbs(message, repliesOf(ctx.connection), keys);
    else if (role?.kind === 'management') answerManagement(engine, role.address, message, repliesOf(ctx.connection));
  });

  for (const outcome of ['accepted', 'released', 'modified', 'rejected'] as const) {
    container.on(outcome, (ctx: RheaContext) => {
      if (ctx.delivery) senders.get(ctx.sender as RheaLink)?.onOutcome(outcome, ctx.delivery);
    });
  }
  for (const ev of ['sendable', 'sender_draining']) container.on(ev, (ctx: RheaContext) => senders.get(ctx.sender as RheaLink)?.pump());

  const closeSender = (ctx: RheaContext): void => {
    const link = ctx.sender as RheaLink;
    const o = senders.get(link);
    if (o) {
      o.close();
      openSenders.get(ctx.connection)?.delete(o);
    }
    replies.get(ctx.connection)?.remove(link);
    if (!link.is_closed()) link.close();
  };
  container.on('sender_close', closeSender);
  container.on('receiver_close', (ctx: RheaContext) => {
    const link = ctx.receiver as RheaLink;
    if (!link.is_closed()) link.close();
  });
  const dropConnection = (ctx: RheaContext): void => {
    for (const o of openSenders.get(ctx.connection) ?? []) o.close();
    openSenders.delete(ctx.connection);
  };
  container.on('connection_close', dropConnection);
  container.on('disconnected', dropConnection);
  // Without listeners rhea would rethrow these (an EventEmitter 'error'), taking the broker down.
  for (const ev of ['error', 'protocol_error', 'connection_error', 'session_error', 'sender_error', 'receiver_error']) {
    container.on(ev, (ctx: RheaContext) => debug('%s: %s', ev, String((ctx as unknown as { message?: unknown }).message ?? ctx.error ?? ctx)));
  }

  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    container.create_connection({ id: `sb-${randomUUID().slice(0, 8)}` }).accept(socket);
  });
  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
