// Request/response over AMQP for `$cbs` and `<entity>/$management`: the client sends a request on a sender
// link and reads the answer on a receiver link it attached with the reply_to address as its name. The
// answer carries correlation_id = the request's message_id and the status in application properties
// (`statusCode` for management, which the SDK's peek checks by that name; `status-code` for CBS).
import { parseAddress } from '../engine/address.js';
import type { ServiceBusEngine } from '../engine/engine.js';
import type { SasKeys } from '../sas.js';
import { handlePutToken } from './cbs.js';
import { toAmqpError } from './error-map.js';
import { OPERATIONS, type OpResult } from './management-ops.js';
import type { RheaLink } from './rhea-types.js';

/** The reply links of one connection, by link name and by target address. */
export class ReplyLinks {
  readonly #links = new Map<string, RheaLink>();

  add(link: RheaLink): void {
    this.#links.set(link.name, link);
    const target = link.remote.attach.target?.address;
    if (typeof target === 'string') this.#links.set(target, link);
  }

  remove(link: RheaLink): void {
    for (const [k, v] of this.#links) if (v === link) this.#links.delete(k);
  }

  send(replyTo: unknown, message: Record<string, unknown>): void {
    const link = this.#links.get(String(replyTo));
    if (link && link.is_open()) link.send(message);
  }
}

export function answerCbs(request: Record<string, unknown>, replies: ReplyLinks, keys: SasKeys): void {
  const r = handlePutToken(request, keys, Date.now());
  replies.send(request.reply_to, {
    correlation_id: request.message_id,
    application_properties: { 'status-code': r.status, 'status-description': r.description },
  });
}

export function answerManagement(engine: ServiceBusEngine, address: string, request: Record<string, unknown>, replies: ReplyLinks): void {
  const props = (request.application_properties ?? {}) as Record<string, unknown>;
  const operation = String(props.operation);
  let result: OpResult;
  const app: Record<string, unknown> = {};
  try {
    const handler = OPERATIONS[operation];
    if (handler === undefined) {
      result = { status: 501, body: {} };
      app['error-condition'] = 'amqp:not-implemented';
      app.statusDescription = `The operation '${operation}' is not supported by the emulator.`;
    } else {
      const entity = parseAddress(parseAddress(address).path);
      result = handler(
        { engine, path: entity.path, deadLetter: entity.deadLetter, receivable: () => engine.receivable(entity) },
        (request.body ?? {}) as Record<string, unknown>,
      );
      app.statusDescription = result.status === 204 ? 'No Content' : 'OK';
    }
  } catch (err) {
    const e = toAmqpError(err);
    result = { status: e.status, body: {} };
    app['error-condition'] = e.condition;
    app.statusDescription = e.description;
  }
  app.statusCode = result.status;
  replies.send(request.reply_to, { correlation_id: request.message_id, application_properties: app, body: result.body });
}
