// The $batch wire format: a multipart/mixed body holding one changeset (multipart/mixed again) whose parts are
// HTTP requests, or a single HTTP request (a query) directly. Both CRLF and bare LF line endings occur
// (the legacy azure-storage package writes LF). https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions
import { domainError } from '../storage/domain-error.js';
import { reasonOf } from '../storage/error-status.js';

export interface BatchRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Whether it came inside a changeset (writes) rather than alone (a query). */
  readonly inChangeset: boolean;
}

export interface BatchResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function boundaryOf(contentType: string, body?: string): string {
  const m = /boundary=("?)([^";]+)\1/i.exec(contentType);
  if (m) return m[2] as string;
  // A request whose Content-Type lost the boundary (Azurite's REST tests send form-urlencoded) but whose body
  // opens with a delimiter line `--batch_…` names its boundary there, unambiguously, as Azurite reads it.
  const first = body === undefined ? undefined : /^--([^\s-][^\r\n]*?)\r?\n/.exec(body);
  if (first && /^(batch|changeset)/i.test(first[1] as string)) return first[1] as string;
  throw domainError('InvalidInput', `The batch Content-Type has no boundary: "${contentType}".`);
}

/** Splits a multipart body into its parts (the text between delimiter lines). */
function parts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const pieces = body.split(delimiter);
  // pieces[0] is the preamble; the piece starting with "--" is the close delimiter's epilogue.
  return pieces.slice(1).filter((p) => !p.startsWith('--')).map((p) => p.replace(/^\r?\n/, ''));
}

function splitHead(text: string): { head: string[]; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const headText = m ? text.slice(0, m.index) : text;
  const rest = m ? text.slice(m.index + m[0].length) : '';
  return { head: headText.split(/\r?\n/).filter((l) => l !== ''), rest };
}

function headerMap(lines: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return out;
}

function httpRequest(part: string, inChangeset: boolean): BatchRequest {
  const mime = splitHead(part);
  const http = splitHead(mime.rest);
  const requestLine = http.head[0] ?? '';
  const m = /^(\S+)\s+(\S+)\s+HTTP\/1\.[01]$/.exec(requestLine.trim());
  if (!m) throw domainError('InvalidInput', `A batch part does not hold an HTTP request line: "${requestLine.slice(0, 80)}".`);
  return { method: m[1] as string, url: m[2] as string, headers: headerMap(http.head.slice(1)), body: http.rest.replace(/\r?\n$/, ''), inChangeset };
}

export function parseBatch(body: string, contentType: string): BatchRequest[] {
  const requests: BatchRequest[] = [];
  for (const part of parts(body, boundaryOf(contentType, body))) {
    const { head, rest } = splitHead(part);
    const type = headerMap(head)['content-type'] ?? '';
    if (type.startsWith('multipart/mixed')) {
      for (const sub of parts(rest, boundaryOf(type))) requests.push(httpRequest(sub, true));
    } else if (type.startsWith('application/http')) {
      requests.push(httpRequest(part, false));
    }
  }
  return requests;
}

function httpPart(response: BatchResponse): string {
  const headers = Object.entries(response.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 ${response.status} ${reasonOf(response.status)}\r\n${headers}\r\n${response.body}\r\n`;
}

/** The response body: the changeset's responses (or a query's) inside the batch response. */
export function serializeBatch(id: string, responses: readonly BatchResponse[], changeset: boolean): { body: string; contentType: string } {
  const batch = `batchresponse_${id}`;
  let body = `--${batch}\r\n`;
  if (changeset) {
    const cs = `changesetresponse_${id}`;
    body += `Content-Type: multipart/mixed; boundary=${cs}\r\n\r\n`;
    for (const r of responses) body += `--${cs}\r\n${httpPart(r)}`;
    body += `--${cs}--\r\n`;
  } else {
    body += httpPart(responses[0] as BatchResponse);
  }
  body += `--${batch}--\r\n`;
  return { body, contentType: `multipart/mixed; boundary=${batch}` };
}
