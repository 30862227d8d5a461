// The emulators' domain errors. Engines throw these; they carry Azure's error code (the service's own
// vocabulary, which SDKs switch on) and a message, but no HTTP status: the protocol adapters map codes to
// statuses (error-status.ts) and bodies (error-body.ts). `index` is the failing operation of a batch.
// Codes: https://learn.microsoft.com/rest/api/storageservices/common-rest-api-error-codes
// https://learn.microsoft.com/rest/api/storageservices/table-service-error-codes
// https://learn.microsoft.com/rest/api/storageservices/queue-service-error-codes

export class StorageDomainError extends Error {
  readonly code: string;
  index: number | undefined;
  /** Extra elements of the XML error body Azure adds for some codes (HeaderName/HeaderValue, QueryParameterName…). */
  details: Readonly<Record<string, string>> | undefined;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'StorageDomainError';
    this.code = code;
  }
}

export function domainError(code: string, message: string): StorageDomainError {
  return new StorageDomainError(code, message);
}

export function isDomainError(value: unknown): value is StorageDomainError {
  return value instanceof StorageDomainError;
}
