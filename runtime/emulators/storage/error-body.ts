// Azure's error bodies. Queues: XML. Tables: JSON `odata.error`, or XML when the client asks for it (Accept
// without json). Both put the request id and time in the message as Azure does.
// https://learn.microsoft.com/rest/api/storageservices/status-and-error-codes2
import type { IncomingHttpHeaders } from 'node:http';
import type { StorageDomainError } from './domain-error.js';
import { versionBeforeJson } from './api-versions.js';
import { statusOf } from './error-status.js';
import type { StorageResponse } from './storage-server.js';
import { XML_DECL, el } from './xml.js';

function fullMessage(error: StorageDomainError, requestId: string): string {
  const prefix = error.index === undefined ? '' : `${error.index}:`;
  return `${prefix}${error.message}\nRequestId:${requestId}\nTime:${new Date().toISOString().replace('Z', '0000Z')}`;
}

export function xmlError(error: StorageDomainError, requestId: string): StorageResponse {
  const details = Object.entries(error.details ?? {}).map(([name, value]) => el(name, value)).join('');
  const body = `${XML_DECL}<Error>${el('Code', error.code)}${el('Message', fullMessage(error, requestId))}${details}</Error>`;
  return {
    status: statusOf(error.code),
    headers: { 'x-ms-error-code': error.code, 'Content-Type': 'application/xml' },
    body,
  };
}

export function tableErrorBody(error: StorageDomainError, requestId: string, headers: IncomingHttpHeaders): { body: string; type: string } {
  const accept = String(headers.accept ?? '');
  // XML when the client asks for it, or names a version that had no JSON (its successes are Atom: atom.ts).
  if (!accept.includes('json') && ((accept !== '' && (accept.includes('xml') || accept.includes('atom'))) || versionBeforeJson(headers['x-ms-version']))) {
    const body = `${XML_DECL}<error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">${el('code', error.code)}<message xml:lang="en-US">${el('x', fullMessage(error, requestId)).slice(3, -4)}</message></error>`;
    return { body, type: 'application/xml' };
  }
  const body = JSON.stringify({ 'odata.error': { code: error.code, message: { lang: 'en-US', value: fullMessage(error, requestId) } } });
  return { body, type: 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8' };
}

export function tableError(error: StorageDomainError, requestId: string, headers: IncomingHttpHeaders): StorageResponse {
  const { body, type } = tableErrorBody(error, requestId, headers);
  return { status: statusOf(error.code), headers: { 'x-ms-error-code': error.code, 'Content-Type': type }, body };
}
