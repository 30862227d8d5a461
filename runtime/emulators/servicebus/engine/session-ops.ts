// Session operations on a session-enabled queue or subscription: accept (a named session or the next one
// with messages), renew, release, state, and listing. A session lock is exclusive to one owner (a link or
// an HTTP caller) until it expires or is released; expiry returns the messages delivered under it.
import type { EngineContext } from './context.js';
import { EngineError } from './errors.js';
import type { Receivable } from './receivable.js';
import { cannotLock, type MessageSession } from './sessions.js';

function requireSessions(r: Receivable): void {
  if (!r.settings.requiresSession) {
    throw new EngineError('InvalidOperation', `The entity '${r.path}' does not require sessions; use a non-session receiver.`);
  }
}

function lock(r: Receivable, ctx: EngineContext, s: MessageSession, owner: string): MessageSession {
  s.owner = owner;
  s.lockedUntil = ctx.now() + r.settings.lockDurationMs;
  armExpiry(r, ctx, s);
  return s;
}

function armExpiry(r: Receivable, ctx: EngineContext, s: MessageSession): void {
  const until = s.lockedUntil;
  const owner = s.owner;
  ctx.timers.at(until, () => {
    if (s.owner !== owner || s.lockedUntil !== until) return; // renewed or released
    release(r, ctx, s, owner);
  });
}

/**
 * Locks `sessionId` for `owner`, or (sessionId undefined) the first unlocked session with available
 * messages; returns undefined when none is free, so the caller can wait for one.
 */
export function acceptSession(r: Receivable, ctx: EngineContext, sessionId: string | undefined, owner: string): MessageSession | undefined {
  requireSessions(r);
  const now = ctx.now();
  if (sessionId !== undefined) {
    const s = r.session(sessionId);
    if (s.isLocked(now) && s.owner !== owner) throw cannotLock(sessionId);
    return lock(r, ctx, s, owner);
  }
  for (const s of r.sessions.values()) {
    if (!s.isLocked(now) && s.available.size > 0) return lock(r, ctx, s, owner);
  }
  return undefined;
}

export function findLockedSession(r: Receivable, ctx: EngineContext, sessionId: string, owner?: string): MessageSession {
  requireSessions(r);
  const s = r.sessions.get(sessionId);
  if (s === undefined) throw new EngineError('SessionLockLost', `The session lock for session '${sessionId}' has expired or was released.`);
  s.checkOwner(owner, ctx.now());
  return s;
}

export function renewSessionLock(r: Receivable, ctx: EngineContext, sessionId: string, owner?: string): number {
  const s = findLockedSession(r, ctx, sessionId, owner);
  s.lockedUntil = ctx.now() + r.settings.lockDurationMs;
  for (const t of s.lockedTokens) {
    const m = r.locks.get(t);
    if (m) m.lockedUntil = s.lockedUntil;
  }
  armExpiry(r, ctx, s);
  return s.lockedUntil;
}

/** Gives the session up (receiver closed, or lock expired): its locked messages become available again. */
export function release(r: Receivable, ctx: EngineContext, s: MessageSession, owner: string | undefined): void {
  if (owner !== undefined && s.owner !== owner) return;
  s.owner = undefined;
  s.lockedUntil = 0;
  r.releaseSessionMessages(s);
  if (s.isIdle(ctx.now())) r.sessions.delete(s.id);
  else if (s.available.size > 0) ctx.notify(r.key);
}

export function setSessionState(r: Receivable, ctx: EngineContext, sessionId: string, state: Buffer | null, owner?: string): void {
  const s = findLockedSession(r, ctx, sessionId, owner);
  s.state = state;
  s.updatedAt = ctx.now();
  ctx.store.putSession({ entity: r.key, sessionId, state, updatedAt: s.updatedAt });
}

export function getSessionState(r: Receivable, ctx: EngineContext, sessionId: string, owner?: string): Buffer | null {
  return findLockedSession(r, ctx, sessionId, owner).state;
}

/** Sessions with messages or state, as get-message-sessions lists them (skip/top paging). */
export function listSessions(r: Receivable, ctx: EngineContext, skip: number, top: number, updatedSince = 0): string[] {
  requireSessions(r);
  const now = ctx.now();
  const ids: string[] = [];
  for (const s of r.sessions.values()) {
    const hasMessages = s.available.size > 0 || s.lockedTokens.size > 0;
    if (hasMessages || (s.state !== null && s.updatedAt >= updatedSince)) ids.push(s.id);
    else if (s.isIdle(now)) r.sessions.delete(s.id);
  }
  return ids.slice(skip, skip + top);
}
