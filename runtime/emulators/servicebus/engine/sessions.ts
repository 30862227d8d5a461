// Message sessions of one session-enabled queue or subscription
// (https://learn.microsoft.com/azure/service-bus-messaging/message-sessions): each session id has its own
// ordered messages, an exclusive lock held by one receiver (renewable, expiring) and a state blob.
import { EngineError } from './errors.js';
import { OrderedMessages } from './ordered-messages.js';

export class MessageSession {
  readonly available = new OrderedMessages();
  /** Lock tokens of messages delivered under the current session lock. */
  readonly lockedTokens = new Set<string>();
  owner: string | undefined;
  lockedUntil = 0;
  state: Buffer | null = null;
  updatedAt: number;

  constructor(
    readonly id: string,
    now: number,
  ) {
    this.updatedAt = now;
  }

  isLocked(now: number): boolean {
    return this.owner !== undefined && this.lockedUntil > now;
  }

  /** Nothing keeps it: no messages, no state, no lock. */
  isIdle(now: number): boolean {
    return this.available.size === 0 && this.lockedTokens.size === 0 && this.state === null && !this.isLocked(now);
  }

  checkOwner(owner: string | undefined, now: number): void {
    if (!this.isLocked(now) || (owner !== undefined && this.owner !== owner)) {
      throw new EngineError('SessionLockLost', `The session lock for session '${this.id}' has expired or was released.`);
    }
  }
}

export function cannotLock(sessionId: string): EngineError {
  return new EngineError(
    'SessionCannotBeLocked',
    `The requested session '${sessionId}' cannot be accepted. It may be locked by another receiver.`,
  );
}
