// Continuation tokens. Azure's NextPartitionKey/NextRowKey/NextTableName are opaque strings that clients send
// back verbatim; ours are `1!` + base64 of the key, which keeps them header-safe and never empty (an empty
// RowKey is a valid key, and SDKs drop empty tokens — the cause of Azurite's #1554).
import { domainError } from '../storage/domain-error.js';

const PREFIX = '1!';

export function encodeToken(key: string): string {
  return PREFIX + Buffer.from(key, 'utf8').toString('base64');
}

export function decodeToken(token: string, name: string): string {
  if (!token.startsWith(PREFIX)) throw domainError('InvalidInput', `The continuation token ${name}="${token}" is not one this emulator issued.`);
  return Buffer.from(token.slice(PREFIX.length), 'base64').toString('utf8');
}
