// Entity group transactions (POST /$batch): up to 100 writes to one partition of one table, all applied or
// none (one SQLite transaction). A failing operation is reported as Azure does: a 202 batch response holding a
// single sub-response with the error, whose message starts with the operation's index ("3:The specified
// entity already exists."). Rules Azurite does not enforce are enforced here: one PartitionKey per batch and a
// query being the only operation. https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions
import { randomUUID } from 'node:crypto';
import { domainError, isDomainError } from '../storage/domain-error.js';
import type { StorageDomainError } from '../storage/domain-error.js';
import { tableErrorBody } from '../storage/error-body.js';
import { statusOf } from '../storage/error-status.js';
import type { AccessNeed, KeyRange } from '../storage/sas.js';
import { parseBatch, serializeBatch } from './batch-multipart.js';
import type { BatchRequest, BatchResponse } from './batch-multipart.js';
import { entityNeed, runEntityOp } from './entity-ops.js';
import type { EntityOp, TableEnv } from './entity-ops.js';
import { parseEntityBody } from './atom.js';
import { parseEntityAddress } from './keys.js';

export const MAX_BATCH_OPERATIONS = 100;

export interface BatchContext {
  readonly env: TableEnv;
  readonly requestId: string;
  readonly contentType: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Checks a SAS/key against one operation's needs; returns its key range limit. */
  readonly authorize: (need: AccessNeed) => KeyRange | undefined;
}

/**
 * One part as an operation. The part's headers rarely carry the answer's format (Accept) or the version; those
 * of the batch request apply to it then (an Atom batch gets Atom answers in its parts).
 */
function toOp(req: BatchRequest, outer: BatchContext['headers']): EntityOp {
  const url = new URL(req.url, 'http://batch.invalid');
  const segment = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  const address = parseEntityAddress(segment);
  if (!address) throw domainError('InvalidInput', `A batch operation has an invalid entity URL: ${req.url}.`);
  const verb = req.method === 'POST' && req.headers['x-http-method'] ? req.headers['x-http-method'].toUpperCase() : req.method;
  const method = verb === 'PATCH' ? 'MERGE' : verb;
  const entity = method === 'POST' || method === 'PUT' || method === 'MERGE' ? parseEntityBody(req.body, req.headers['content-type']) : undefined;
  const headers = { accept: outer.accept, 'x-ms-version': outer['x-ms-version'], ...req.headers };
  return { method, table: address.table, ...(address.keys ? { keys: address.keys } : {}), headers, query: url.searchParams, body: req.body, ...(entity ? { entity } : {}) };
}

function partitionOf(op: EntityOp): string | undefined {
  return op.keys ? op.keys.pk : op.entity?.pk;
}

function checkShape(ops: readonly EntityOp[], requests: readonly BatchRequest[]): void {
  if (ops.length === 0) throw domainError('InvalidInput', 'The batch request contains no operations.');
  if (ops.length > MAX_BATCH_OPERATIONS) throw domainError('InvalidInput', `The batch request operation exceeds the maximum ${MAX_BATCH_OPERATIONS} changes per change set (got ${ops.length}).`);
  const atIndex = (error: StorageDomainError, index: number) => ((error.index = index), error);
  if (ops.length > 1 && requests.some((r) => !r.inChangeset || r.method === 'GET')) {
    const i = requests.findIndex((r) => !r.inChangeset || r.method === 'GET');
    throw atIndex(domainError('InvalidInput', 'A query must be the only operation in a batch.'), i);
  }
  const table = ops[0]?.table.toLowerCase();
  const pk = partitionOf(ops[0] as EntityOp);
  const seen = new Set<string>();
  ops.forEach((op, i) => {
    if (op.table.toLowerCase() !== table) throw atIndex(domainError('InvalidInput', 'All operations in a batch must act on the same table.'), i);
    const opPk = partitionOf(op);
    if (opPk !== pk) throw atIndex(domainError('CommandsInBatchActOnDifferentPartitions', 'All commands in a batch must operate on same entity group.'), i);
    const rk = op.keys?.rk ?? op.entity?.rk ?? '';
    if (seen.has(rk)) throw atIndex(domainError('InvalidDuplicateRow', `The batch request contains multiple changes with same row key '${rk}'. An entity can appear only once in a batch request.`), i);
    seen.add(rk);
  });
}

function errorResponse(error: StorageDomainError, ctx: BatchContext): BatchResponse {
  const { body, type } = tableErrorBody(error, ctx.requestId, ctx.headers as never);
  return { status: statusOf(error.code), headers: { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache', 'DataServiceVersion': '3.0;', 'Content-Type': type }, body };
}

/** Runs a batch; returns the multipart response body and its Content-Type (status 202 either way). */
export function runBatch(ctx: BatchContext): { body: string; contentType: string } {
  const id = randomUUID();
  const requests = parseBatch(ctx.body, ctx.contentType);
  const changeset = requests.some((r) => r.inChangeset);
  try {
    const ops = requests.map((r, index) => {
      try {
        return toOp(r, ctx.headers);
      } catch (error) {
        if (isDomainError(error)) error.index = index;
        throw error;
      }
    });
    checkShape(ops, requests);
    const responses = ctx.env.engine.transaction(() =>
      ops.map((op, index): BatchResponse => {
        try {
          const result = runEntityOp(ctx.env, op, ctx.authorize(entityNeed(op)));
          const contentId = requests[index]?.headers['content-id'];
          const headers: Record<string, string> = { ...(contentId ? { 'Content-ID': contentId } : {}), 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-cache', DataServiceVersion: '3.0;', ...result.headers };
          return { status: result.status, headers, body: String(result.body) };
        } catch (error) {
          if (isDomainError(error) && error.index === undefined) error.index = index;
          throw error;
        }
      }),
    );
    return serializeBatch(id, responses, changeset);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    return serializeBatch(id, [errorResponse(error, ctx)], changeset);
  }
}
