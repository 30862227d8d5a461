// The `$management` operations @azure/service-bus 7.9 uses, one function each
// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-request-response). Each takes
// the decoded request body and returns a status and a response body; engine errors propagate to
// management.ts, which maps them.
import type { ServiceBusEngine } from '../engine/engine.js';
import { EngineError } from '../engine/errors.js';
import type { Receivable } from '../engine/receivable.js';
import { peekMessages } from '../engine/receivable-views.js';
import {
  findLockedSession, getSessionState, listSessions, renewSessionLock, setSessionState,
} from '../engine/session-ops.js';
import type { PropertyValue } from '../engine/types.js';
import { messageFromRhea, messageToRhea, toNumber, uuidString } from './codec.js';
import { rhea } from './rhea-types.js';
import { ruleFromRequest, ruleToTyped } from './rule-codec.js';

export interface OpResult {
  readonly status: number;
  readonly body?: unknown;
}

export interface OpTarget {
  readonly engine: ServiceBusEngine;
  /** The entity path (`q1`, `t1`, `t1/Subscriptions/s1`). */
  readonly path: string;
  readonly deadLetter: boolean;
  receivable(): Receivable;
}

type Body = Record<string, unknown>;
const OK: OpResult = { status: 200, body: {} };

function seqList(v: unknown): number[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(toNumber);
}

function tokens(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).map((t) => (Buffer.isBuffer(t) ? uuidString(t) : String(t)));
}

function sessionIdOf(body: Body): string | undefined {
  const s = body['session-id'];
  return s === undefined || s === null ? undefined : String(s);
}

function encoded(m: Parameters<typeof messageToRhea>[0], d?: Parameters<typeof messageToRhea>[1]): Buffer {
  return rhea.message.encode(messageToRhea(m, d));
}

export const OPERATIONS: Record<string, (target: OpTarget, body: Body) => OpResult> = {
  'com.microsoft:peek-message': (target, body) => {
    const from = toNumber(body['from-sequence-number'] ?? 0);
    const count = toNumber(body['message-count'] ?? 1);
    const found = peekMessages(target.receivable(), from, count, target.deadLetter, sessionIdOf(body));
    if (found.length === 0) return { status: 204, body: {} };
    return { status: 200, body: { messages: found.map((m) => ({ message: encoded(m) })) } };
  },

  'com.microsoft:renew-lock': (target, body) => {
    const r = target.receivable();
    return { status: 200, body: { expirations: tokens(body['lock-tokens']).map((t) => new Date(r.renewLock(t))) } };
  },

  'com.microsoft:schedule-message': (target, body) => {
    const entries = (body.messages ?? []) as Body[];
    const inputs = entries.map((e) => {
      const buf = e.message as Buffer;
      const input = messageFromRhea(rhea.message.decode(buf), buf.length);
      input.messageId ??= e['message-id'] === undefined ? undefined : String(e['message-id']);
      return input;
    });
    const seqs = target.engine.schedule(target.path, inputs);
    return { status: 200, body: { 'sequence-numbers': seqs } };
  },

  'com.microsoft:cancel-scheduled-message': (target, body) => {
    target.engine.cancelScheduled(target.path, seqList(body['sequence-numbers']));
    return OK;
  },

  'com.microsoft:receive-by-sequence-number': (target, body) => {
    const r = target.receivable();
    const mode = toNumber(body['receiver-settle-mode'] ?? 1) === 0 ? 'receiveAndDelete' : 'peekLock';
    const sid = sessionIdOf(body);
    const session = sid === undefined ? undefined : findLockedSession(r, target.engine.context, sid);
    const deliveries = r.receiveDeferred(seqList(body['sequence-numbers']), mode, session);
    return {
      status: 200,
      body: {
        messages: deliveries.map((d) => ({
          message: encoded(d.message, d),
          ...(d.lockToken ? { 'lock-token': rhea.types.wrap_uuid(rhea.string_to_uuid(d.lockToken)) } : {}),
        })),
      },
    };
  },

  'com.microsoft:update-disposition': (target, body) => {
    const r = target.receivable();
    const status = String(body['disposition-status']);
    const props = (body['properties-to-modify'] ?? undefined) as Record<string, PropertyValue> | undefined;
    for (const t of tokens(body['lock-tokens'])) {
      if (status === 'completed') r.complete(t);
      else if (status === 'abandoned') r.abandon(t, props);
      else if (status === 'defered' || status === 'deferred') r.defer(t, props);
      else if (status === 'suspended') {
        const reason = body['deadletter-reason'];
        const description = body['deadletter-description'];
        r.deadLetter(t, reason === undefined ? undefined : String(reason), description === undefined ? undefined : String(description), props);
      } else throw new EngineError('BadArgument', `Unknown disposition-status '${status}'.`);
    }
    return OK;
  },

  'com.microsoft:renew-session-lock': (target, body) => {
    const until = renewSessionLock(target.receivable(), target.engine.context, String(body['session-id']));
    return { status: 200, body: { expiration: new Date(until) } };
  },

  'com.microsoft:set-session-state': (target, body) => {
    const state = body['session-state'];
    const buf = state === undefined || state === null ? null : Buffer.isBuffer(state) ? state : Buffer.from(String(state));
    setSessionState(target.receivable(), target.engine.context, String(body['session-id']), buf);
    return OK;
  },

  'com.microsoft:get-session-state': (target, body) => {
    const state = getSessionState(target.receivable(), target.engine.context, String(body['session-id']));
    return { status: 200, body: { 'session-state': state } };
  },

  'com.microsoft:get-message-sessions': (target, body) => {
    const skip = toNumber(body.skip ?? 0);
    const top = toNumber(body.top ?? 100);
    const since = body['last-updated-time'] instanceof Date ? body['last-updated-time'].getTime() : 0;
    const ids = listSessions(target.receivable(), target.engine.context, skip, top, since);
    if (ids.length === 0) return { status: 204, body: {} };
    return { status: 200, body: { skip: skip + ids.length, 'sessions-ids': ids } };
  },

  'com.microsoft:add-rule': (target, body) => {
    const [topic, sub] = subscriptionOf(target.path);
    target.engine.registry.addRule(topic, sub, ruleFromRequest(String(body['rule-name']), body['rule-description'] as Body | undefined));
    return OK;
  },

  'com.microsoft:remove-rule': (target, body) => {
    const [topic, sub] = subscriptionOf(target.path);
    target.engine.registry.removeRule(topic, sub, String(body['rule-name']));
    return OK;
  },

  'com.microsoft:enumerate-rules': (target, body) => {
    const [topic, sub] = subscriptionOf(target.path);
    const skip = toNumber(body.skip ?? 0);
    const top = toNumber(body.top ?? 2 ** 31 - 1);
    const rules = target.engine.registry.rules(topic, sub).slice(skip, skip + top);
    if (rules.length === 0) return { status: 204, body: {} };
    return { status: 200, body: { rules: rules.map(ruleToTyped) } };
  },
};

function subscriptionOf(path: string): [string, string] {
  const m = /^(.*)\/subscriptions\/([^/]+)$/i.exec(path);
  if (!m) throw new EngineError('InvalidOperation', `Rules belong to subscriptions; '${path}' is not one.`);
  return [m[1] as string, m[2] as string];
}
