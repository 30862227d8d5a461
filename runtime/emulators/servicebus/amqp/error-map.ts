// Engine errors → AMQP error conditions and the status codes of management responses, as the service uses
// them; core-amqp turns each condition into the SDK's error code (MessagingEntityNotFound, MessageLockLost,
// SessionCannotBeLocked, MessageSizeExceeded, …). Anything unexpected is amqp:internal-error.
import { isEngineError, type EngineErrorKind } from '../engine/errors.js';

export interface AmqpError {
  readonly condition: string;
  readonly description: string;
  readonly status: number;
}

const BY_KIND: Record<EngineErrorKind, { condition: string; status: number }> = {
  EntityNotFound: { condition: 'amqp:not-found', status: 404 },
  EntityAlreadyExists: { condition: 'com.microsoft:entity-already-exists', status: 409 },
  MessageLockLost: { condition: 'com.microsoft:message-lock-lost', status: 410 },
  SessionLockLost: { condition: 'com.microsoft:session-lock-lost', status: 410 },
  SessionCannotBeLocked: { condition: 'com.microsoft:session-cannot-be-locked', status: 410 },
  MessageNotFound: { condition: 'com.microsoft:message-not-found', status: 404 },
  MessageTooLarge: { condition: 'amqp:link:message-size-exceeded', status: 403 },
  InvalidOperation: { condition: 'amqp:not-allowed', status: 400 },
  BadArgument: { condition: 'com.microsoft:argument-error', status: 400 },
  SqlSyntax: { condition: 'com.microsoft:argument-error', status: 400 },
};

export function toAmqpError(err: unknown): AmqpError {
  if (isEngineError(err)) return { ...BY_KIND[err.kind], description: err.message };
  return { condition: 'amqp:internal-error', status: 500, description: err instanceof Error ? err.message : String(err) };
}
