// Domain errors of the Service Bus engine (STYLE.md Part 2 §6): they name what went wrong in Service Bus
// terms and know nothing about AMQP or HTTP. The adapters map `kind` to an AMQP condition
// (amqp/error-map.ts) or an HTTP status and body (http/error-map.ts).

export type EngineErrorKind =
  | 'EntityNotFound'
  | 'EntityAlreadyExists'
  | 'MessageLockLost'
  | 'SessionLockLost'
  | 'SessionCannotBeLocked'
  | 'MessageNotFound'
  | 'MessageTooLarge'
  | 'InvalidOperation'
  | 'BadArgument'
  | 'SqlSyntax';

export class EngineError extends Error {
  readonly kind: EngineErrorKind;
  constructor(kind: EngineErrorKind, message: string) {
    super(message);
    this.name = 'EngineError';
    this.kind = kind;
  }
}

/** A syntax error in a SQL filter or action, with the 1-based position in the expression. */
export class SqlSyntaxError extends EngineError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  constructor(detail: string, source: string, offset: number) {
    const before = source.slice(0, offset).split('\n');
    const line = before.length;
    const column = (before[before.length - 1] ?? '').length + 1;
    super('SqlSyntax', `SQL syntax error at line ${line}, column ${column}: ${detail} (in "${source}")`);
    this.offset = offset;
    this.line = line;
    this.column = column;
  }
}

export function entityNotFound(path: string): EngineError {
  // The wording matches the service's, which core-amqp recognises (/The messaging entity .* could not be found/).
  return new EngineError('EntityNotFound', `The messaging entity '${path}' could not be found.`);
}

export function lockLost(): EngineError {
  return new EngineError(
    'MessageLockLost',
    'The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue.',
  );
}

export function isEngineError(e: unknown, kind?: EngineErrorKind): e is EngineError {
  return e instanceof EngineError && (kind === undefined || e.kind === kind);
}
