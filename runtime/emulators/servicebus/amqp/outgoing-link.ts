// A client's receiver link on a queue, subscription or dead-letter queue. The client's settle modes pick
// the receive mode (snd-settle-mode settled = receive-and-delete, else peek-lock). Messages go out as long
// as the client gives credit; when it drains (flow with drain=true, the SDK's end of a receiveMessages
// wait) and nothing is left, the credit is consumed with set_drained. Peek-lock deliveries carry the lock
// token as the delivery tag; the client's outcome settles the message: accepted → complete,
// released/modified → abandon (modified with undeliverable-here → defer), rejected → dead-letter. The
// broker then settles the delivery itself, because the SDK waits for that settled disposition.
import type { ServiceBusEngine } from '../engine/engine.js';
import type { ParsedAddress } from '../engine/address.js';
import type { Receivable } from '../engine/receivable.js';
import { release } from '../engine/session-ops.js';
import type { MessageSession } from '../engine/sessions.js';
import type { Delivery, PropertyValue } from '../engine/types.js';
import { lockTokenTag, messageToRhea } from './codec.js';
import { toAmqpError } from './error-map.js';
import { rhea, type RheaDelivery, type RheaLink } from './rhea-types.js';

export class OutgoingLink {
  readonly #tokens = new WeakMap<RheaDelivery, string>();
  #unsubscribe: (() => void) | undefined;
  #closed = false;
  #flushing = false;

  constructor(
    private readonly engine: ServiceBusEngine,
    private readonly link: RheaLink,
    private readonly receivable: Receivable,
    private readonly address: ParsedAddress,
    private readonly peekLock: boolean,
    readonly session: MessageSession | undefined,
    readonly owner: string,
  ) {
    this.#unsubscribe = engine.onAvailable(address.deadLetter ? receivable.dlqKey : receivable.key, () => this.pump());
  }

  /**
   * Sends up to the client's credit and answers a drain when nothing is left. rhea takes credit only when
   * it writes the transfers (on the next tick), so after one batch the link waits a turn before looking at
   * its credit again; otherwise it would hand out more messages than the client asked for.
   */
  pump(): void {
    if (this.#closed || this.#flushing || !this.link.is_open()) return;
    const credit = this.#credit();
    if (credit > 0) {
      let batch: Delivery[];
      try {
        batch = this.receivable.receive({
          max: credit, mode: this.peekLock ? 'peekLock' : 'receiveAndDelete', deadLetter: this.address.deadLetter, session: this.session,
        });
      } catch (err) {
        this.link.close(toAmqpError(err));
        return;
      }
      if (batch.length > 0) {
        for (const d of batch) this.#send(d);
        this.#flushing = true;
        setImmediate(() => {
          this.#flushing = false;
          this.pump();
        });
        return;
      }
    }
    if (this.link._draining && this.link.credit > 0) {
      this.link.set_drained(true);
      // set_drained only marks the flow as due; ask the connection to write it now.
      (this.link.connection as unknown as { _register(): void })._register();
    }
  }

  /**
   * The client's credit minus deliveries rhea still holds unsent (its session window can hold them back;
   * the SDK gives every link its own session, so the session's queue is this link's).
   */
  #credit(): number {
    const out = (this.link as unknown as { session?: { outgoing?: { next_delivery_id: number; next_pending_delivery: number } } }).session?.outgoing;
    const unsent = out ? out.next_delivery_id - out.next_pending_delivery : 0;
    return this.link.credit - Math.max(0, unsent);
  }

  #send(d: Delivery): void {
    const msg = messageToRhea(d.message, d);
    if (d.lockToken !== undefined) {
      const delivery = this.link.send(msg, lockTokenTag(d.lockToken));
      this.#tokens.set(delivery, d.lockToken);
    } else {
      this.link.send(msg);
    }
  }

  /** The client's outcome for a peek-lock delivery. */
  onOutcome(kind: 'accepted' | 'released' | 'modified' | 'rejected', delivery: RheaDelivery): void {
    const token = this.#tokens.get(delivery);
    if (token === undefined || delivery.settled) return;
    const r = this.receivable;
    try {
      const state = delivery.remote_state;
      if (kind === 'accepted') r.complete(token);
      else if (kind === 'released') r.abandon(token);
      else if (kind === 'modified') {
        const props = propertyChanges(state?.message_annotations);
        if (state?.undeliverable_here) r.defer(token, props);
        else r.abandon(token, props);
      } else {
        const info = { ...(state?.error?.info ?? {}) } as Record<string, unknown>;
        const reason = info.DeadLetterReason;
        const description = info.DeadLetterErrorDescription;
        delete info.DeadLetterReason;
        delete info.DeadLetterErrorDescription;
        r.deadLetter(token, reason === undefined ? undefined : String(reason), description === undefined ? undefined : String(description), propertyChanges(info));
      }
      // The echo must be a plain outcome: a rejected state with its error makes the SDK fail deadLetter().
      const outcome = kind === 'accepted' ? rhea.message.accepted() : kind === 'rejected' ? rhea.message.rejected() : rhea.message.modified();
      delivery.update(true, (outcome as { described(): unknown }).described());
    } catch (err) {
      const e = toAmqpError(err);
      delivery.update(true, (rhea.message.rejected({ error: { condition: e.condition, description: e.description } }) as { described(): unknown }).described());
    }
    this.#tokens.delete(delivery);
    forget(delivery);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    if (this.session) release(this.receivable, this.engine.context, this.session, this.owner);
  }
}

/**
 * In rcv-settle-mode "second" the client has sent its outcome and settles when it sees ours; it sends
 * nothing more (AMQP 1.0 §2.6.12). rhea frees a session's outgoing delivery slot only once it has seen the
 * peer settle, so without this a session would run out of its 2,048 slots after that many messages.
 */
function forget(delivery: RheaDelivery): void {
  (delivery as unknown as { remote_settled: boolean }).remote_settled = true;
}

function propertyChanges(o: Record<string, unknown> | undefined): Record<string, PropertyValue> | undefined {
  if (!o || Object.keys(o).length === 0) return undefined;
  const out: Record<string, PropertyValue> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = v === undefined ? null : typeof v === 'object' && v !== null && !(v instanceof Date) && !Buffer.isBuffer(v) ? String(v) : (v as PropertyValue);
  }
  return out;
}
