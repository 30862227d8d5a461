// A client's sender link (to a queue or topic): every transfer is a message, or a batch in format
// 0x80013700. The delivery is accepted once the engine has stored it, or rejected with the condition the
// SDK maps (amqp:not-found, amqp:link:message-size-exceeded, …); a rejected delivery leaves the link open.
import { randomUUID } from 'node:crypto';
import type { ServiceBusEngine } from '../engine/engine.js';
import type { ParsedAddress } from '../engine/address.js';
import { BATCH_FORMAT, decodeBatch, messageFromRhea } from './codec.js';
import { toAmqpError } from './error-map.js';
import type { RheaContext } from './rhea-types.js';

export class IncomingLink {
  constructor(
    private readonly engine: ServiceBusEngine,
    private readonly address: ParsedAddress,
  ) {}

  onMessage(ctx: RheaContext): void {
    const delivery = ctx.delivery;
    if (delivery === undefined || ctx.message === undefined) return;
    try {
      const inputs = ctx.format === BATCH_FORMAT
        ? decodeBatch(ctx.message as Buffer)
        : [messageFromRhea(ctx.message as Record<string, unknown>)];
      // The service assigns a message id when the sender gave none (the SDK's lock renewer needs one).
      for (const input of inputs) input.messageId ??= randomUUID().replace(/-/g, '');
      this.engine.send(this.address.path, inputs);
      delivery.accept();
    } catch (err) {
      const e = toAmqpError(err);
      delivery.reject({ condition: e.condition, description: e.description });
    }
  }
}
