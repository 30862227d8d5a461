// Attaching a client's receiver link: a plain receiver on a queue, subscription or dead-letter queue, or a
// session receiver (source filter com.microsoft:session-filter). A named session is locked at once (or
// refused with session-cannot-be-locked); "next available" locks the first free session with messages
// and, when there is none, holds the attach until one appears or the client's com.microsoft:timeout
// passes, then answers with a com.microsoft:timeout detach, as the service does.
import type { ParsedAddress } from '../engine/address.js';
import type { ServiceBusEngine } from '../engine/engine.js';
import { EngineError } from '../engine/errors.js';
import type { Receivable } from '../engine/receivable.js';
import { acceptSession } from '../engine/session-ops.js';
import { toNumber } from './codec.js';
import { toAmqpError } from './error-map.js';
import { announceSession, holdAttach, requestedSession } from './link-attach.js';
import { OutgoingLink } from './outgoing-link.js';
import type { RheaLink } from './rhea-types.js';

const DEFAULT_SESSION_WAIT_MS = 60_000;

export function attachReceiver(
  engine: ServiceBusEngine,
  link: RheaLink,
  a: ParsedAddress,
  owner: string,
  register: (o: OutgoingLink) => void,
): void {
  let r: Receivable;
  try {
    r = engine.receivable(a);
    const req = requestedSession(link);
    const peekLock = link.remote.attach.snd_settle_mode !== 1;
    if (!req.session || a.deadLetter) {
      if (r.settings.requiresSession && !a.deadLetter) {
        throw new EngineError('InvalidOperation', `'${a.path}' requires sessions: receive with a session receiver (acceptSession / acceptNextSession).`);
      }
      register(new OutgoingLink(engine, link, r, a, peekLock, undefined, owner));
      return;
    }
    const session = acceptSession(r, engine.context, req.id, owner);
    if (session) {
      announceSession(link, session.id, session.lockedUntil);
      register(new OutgoingLink(engine, link, r, a, peekLock, session, owner));
      return;
    }
    waitForSession(engine, link, r, a, owner, peekLock, register);
  } catch (err) {
    refuse(link, err);
  }
}

/** The service answers a refused receiver with an attach without a source, then a detach with the error. */
function refuse(link: RheaLink, err: unknown): void {
  link.local.attach.source = null;
  link.close(toAmqpError(err));
}

function waitForSession(
  engine: ServiceBusEngine, link: RheaLink, r: Receivable, a: ParsedAddress, owner: string, peekLock: boolean, register: (o: OutgoingLink) => void,
): void {
  holdAttach(link);
  const requested = link.remote.attach.properties?.['com.microsoft:timeout'];
  const waitMs = requested === undefined ? DEFAULT_SESSION_WAIT_MS : toNumber(requested);
  const done = (): void => {
    unsubscribe();
    clearTimeout(timer);
  };
  const tryAccept = (): void => {
    if (!link.connection.is_open()) return done();
    const session = acceptSession(r, engine.context, undefined, owner);
    if (!session) return;
    done();
    announceSession(link, session.id, session.lockedUntil);
    link.open();
    register(new OutgoingLink(engine, link, r, a, peekLock, session, owner));
  };
  const unsubscribe = engine.onAvailable(r.key, tryAccept);
  const timer = setTimeout(() => {
    done();
    if (!link.connection.is_open()) return;
    link.open();
    link.local.attach.source = null;
    link.close({ condition: 'com.microsoft:timeout', description: `No session of '${a.path}' became available within ${waitMs} ms.` });
  }, waitMs);
  timer.unref();
}
