// Read-only and bulk views of a queue or subscription: peek (what `$management` peek-message, the REST
// explorer and the admin counts see) and purge. Peek sorts the sequence numbers it looks at; it is an
// inspection call, not on the delivery path.
import { inputOf } from './context.js';
import type { Receivable } from './receivable.js';
import type { RuntimeCounts, StoredMessage } from './types.js';

/** Messages in sequence order from `fromSeq`, whatever their state (peek never locks). */
export function peekMessages(r: Receivable, fromSeq: number, count: number, deadLetter: boolean, sessionId?: string): StoredMessage[] {
  const source = deadLetter ? r.dlq : r.messages;
  const seqs = [...source.keys()].filter((s) => s >= fromSeq).sort((a, b) => a - b);
  const out: StoredMessage[] = [];
  for (const seq of seqs) {
    const m = source.get(seq) as StoredMessage;
    if (sessionId !== undefined && m.sessionId !== sessionId) continue;
    out.push(m);
    if (out.length >= count) break;
  }
  return out;
}

/** Deletes every unlocked message of the main queue or the DLQ; returns how many. */
export function purgeMessages(r: Receivable, deadLetter: boolean, transaction: <T>(fn: () => T) => T): number {
  const all = [...(deadLetter ? r.dlq : r.messages).values()].filter((m) => m.lockToken === undefined);
  transaction(() => {
    for (const m of all) {
      r.queueFor(m).remove(m.sequenceNumber);
      r.discard(m);
    }
  });
  return all.length;
}

/** The runtime counts of the ATOM API's CountDetails (active includes locked and deferred messages). */
export function countMessages(r: Receivable): RuntimeCounts {
  let active = 0;
  let scheduled = 0;
  let size = 0;
  for (const m of r.messages.values()) {
    size += m.size;
    if (m.state === 'scheduled') scheduled++;
    else active++;
  }
  for (const m of r.dlq.values()) size += m.size;
  const dead = r.dlq.size;
  return {
    activeMessageCount: active, deadLetterMessageCount: dead, scheduledMessageCount: scheduled, transferMessageCount: 0,
    transferDeadLetterMessageCount: 0, totalMessageCount: r.messages.size + dead, sizeInBytes: size,
  };
}

/**
 * Moves dead-lettered messages back to their queue or subscription (the explorer's "resubmit"): each gets
 * a new sequence number and loses its dead-letter reason, as a resend would. Locked ones are skipped.
 */
export function resubmitDeadLetters(r: Receivable, seqs: number[], transaction: <T>(fn: () => T) => T): number {
  const found = seqs.map((s) => r.dlq.get(s)).filter((m): m is StoredMessage => m !== undefined && m.lockToken === undefined);
  transaction(() => {
    for (const m of found) {
      r.dlqAvailable.remove(m.sequenceNumber);
      r.discard(m);
      const input = inputOf(m);
      delete input.applicationProperties.DeadLetterReason;
      delete input.applicationProperties.DeadLetterErrorDescription;
      r.enqueue(input);
    }
  });
  return found.length;
}
