// Azure error code → HTTP status, as the REST reference lists them. Codes not listed here are 400 (most of
// Azure's input errors are). https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes

const STATUS: Readonly<Record<string, number>> = {
  AuthenticationFailed: 403,
  AuthorizationFailure: 403,
  AuthorizationPermissionMismatch: 403,
  AuthorizationProtocolMismatch: 403,
  AuthorizationResourceTypeMismatch: 403,
  AuthorizationServiceMismatch: 403,
  AuthorizationSourceIPMismatch: 403,
  CorsPreflightFailure: 403,
  InsufficientAccountPermissions: 403,
  ResourceNotFound: 404,
  TableNotFound: 404,
  QueueNotFound: 404,
  MessageNotFound: 404,
  EntityNotFound: 404,
  TableAlreadyExists: 409,
  QueueAlreadyExists: 409,
  QueueBeingDeleted: 409,
  TableBeingDeleted: 409,
  EntityAlreadyExists: 409,
  UpdateConditionNotSatisfied: 412,
  ConditionNotMet: 412,
  RequestBodyTooLarge: 413,
  AtomFormatNotSupported: 415,
  MediaTypeNotSupported: 415,
  MethodNotAllowed: 405,
  UnsupportedHttpVerb: 405,
  NotImplemented: 501,
  InternalError: 500,
};

export function statusOf(code: string): number {
  return STATUS[code] ?? 400;
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 412: 'Precondition Failed',
  413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error', 501: 'Not Implemented',
};

export function reasonOf(status: number): string {
  return REASONS[status] ?? 'Unknown';
}
