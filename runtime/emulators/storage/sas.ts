// Shared access signatures: account SAS and service SAS (table and queue), verified by rebuilding the string
// to sign from the query parameters exactly as given. A stored access policy (`si`) supplies the fields the
// token leaves out, from the table's or queue's ACL.
// https://learn.microsoft.com/rest/api/storageservices/create-account-sas
// https://learn.microsoft.com/rest/api/storageservices/create-service-sas
import { domainError } from './domain-error.js';
import { signatureMatches } from './shared-key.js';
import type { StorageService } from './shared-key.js';

/** What an operation needs from a SAS. */
export interface AccessNeed {
  /** s = service, c = container (table/queue), o = object (entity/message). */
  readonly resourceType: 's' | 'c' | 'o';
  /** Account SAS permissions, any one of which suffices (e.g. 'cw' for create); '' = not through an account SAS. */
  readonly accountPermissions: string;
  /** Service SAS permissions, all required; null when a service SAS cannot do this at all. */
  readonly servicePermissions: string | null;
  /** Table or queue name the operation acts on. */
  readonly resource?: string;
}

export interface AccessPolicy {
  readonly start?: string;
  readonly expiry?: string;
  readonly permission?: string;
}

export type PolicyLookup = (account: string, resource: string, id: string) => AccessPolicy | undefined;

/** Key ranges a table service SAS is limited to (inclusive bounds; undefined = open). */
export interface KeyRange {
  readonly startPk?: string;
  readonly startRk?: string;
  readonly endPk?: string;
  readonly endRk?: string;
}

const SERVICE_LETTER: Readonly<Record<StorageService, string>> = { table: 't', queue: 'q' };

function deny(code: string, message: string): never {
  throw domainError(code, message);
}

function checkTimes(start: string | undefined, expiry: string | undefined, now: number): void {
  if (!expiry) deny('AuthenticationFailed', 'Signed expiry time (se) is missing.');
  const se = Date.parse(expiry);
  if (Number.isNaN(se) || se < now) deny('AuthenticationFailed', `Signed expiry time [${expiry}] must be after signed start time and in the future.`);
  if (start) {
    const st = Date.parse(start);
    if (Number.isNaN(st) || st > now) deny('AuthenticationFailed', `Signed start time [${start}] is in the future.`);
  }
}

function checkProtocol(spr: string | null, secure: boolean): void {
  if (spr && !secure && !spr.split(',').includes('http')) {
    deny('AuthorizationProtocolMismatch', 'This request is not authorized to perform this operation using this protocol.');
  }
}

function p(q: URLSearchParams, name: string): string {
  return q.get(name) ?? '';
}

export function isSas(query: URLSearchParams): boolean {
  return query.has('sig');
}

export function verifyAccountSas(service: StorageService, account: string, keys: readonly Buffer[], q: URLSearchParams, need: AccessNeed, now: number, secure = false): void {
  const sv = p(q, 'sv');
  const fields = [account, p(q, 'sp'), p(q, 'ss'), p(q, 'srt'), p(q, 'st'), p(q, 'se'), p(q, 'sip'), p(q, 'spr'), sv];
  if (sv >= '2020-12-06') fields.push(p(q, 'ses'));
  const text = fields.join('\n') + '\n';
  if (!signatureMatches(p(q, 'sig'), keys, [text])) deny('AuthenticationFailed', 'Signature did not match. String to sign used was ' + JSON.stringify(text));
  checkTimes(q.get('st') ?? undefined, q.get('se') ?? undefined, now);
  checkProtocol(q.get('spr'), secure);
  if (!p(q, 'ss').includes(SERVICE_LETTER[service])) deny('AuthorizationServiceMismatch', 'This request is not authorized to perform this operation using this service.');
  if (!p(q, 'srt').includes(need.resourceType)) deny('AuthorizationResourceTypeMismatch', 'This request is not authorized to perform this operation using this resource type.');
  if (need.accountPermissions === '') {
    deny('AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission. An account SAS cannot read or set an access policy (ACL): sign with the account key.');
  }
  if (![...need.accountPermissions].some((c) => p(q, 'sp').includes(c))) {
    deny('AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.');
  }
}

/** Verifies a service SAS; returns the key range a table SAS allows. */
export function verifyServiceSas(
  service: StorageService,
  account: string,
  keys: readonly Buffer[],
  q: URLSearchParams,
  need: AccessNeed,
  lookup: PolicyLookup,
  now: number,
  secure = false,
): KeyRange {
  const resource = service === 'table' ? p(q, 'tn') : (need.resource ?? '');
  const canonical = `/${service}/${account}/${service === 'table' ? resource.toLowerCase() : resource}`;
  const fields = [p(q, 'sp'), p(q, 'st'), p(q, 'se'), canonical, p(q, 'si'), p(q, 'sip'), p(q, 'spr'), p(q, 'sv')];
  if (service === 'table') fields.push(p(q, 'spk'), p(q, 'srk'), p(q, 'epk'), p(q, 'erk'));
  const text = fields.join('\n');
  if (!signatureMatches(p(q, 'sig'), keys, [text])) deny('AuthenticationFailed', 'Signature did not match. String to sign used was ' + JSON.stringify(text));
  let { sp, st, se } = { sp: q.get('sp') ?? undefined, st: q.get('st') ?? undefined, se: q.get('se') ?? undefined };
  const si = q.get('si');
  if (si) {
    const policy = lookup(account, resource, si);
    if (!policy) deny('AuthenticationFailed', `The stored access policy "${si}" does not exist on ${resource}.`);
    // A field may come from the token or from the policy, never both (Azure answers 400): otherwise changing the
    // policy, which is how a SAS is narrowed or revoked, would not reach tokens that carry their own value.
    const both = (['sp', 'st', 'se'] as const).filter((f) => q.get(f) !== null && (f === 'sp' ? policy.permission : f === 'st' ? policy.start : policy.expiry));
    if (both.length > 0) {
      deny('InvalidQueryParameterValue', `The shared access signature gives ${both.join(', ')} and so does its stored access policy "${si}" on ${resource}; each field may be in one of them only.`);
    }
    sp = sp ?? policy.permission;
    st = st ?? policy.start;
    se = se ?? policy.expiry;
  }
  checkTimes(st, se, now);
  checkProtocol(q.get('spr'), secure);
  if (need.servicePermissions === null || need.resourceType === 's') {
    deny('AuthorizationResourceTypeMismatch', 'This request is not authorized to perform this operation using this resource type.');
  }
  if (need.resource === undefined || need.resource.toLowerCase() !== resource.toLowerCase()) {
    deny('AuthorizationFailure', 'This request is not authorized to perform this operation.');
  }
  if (![...need.servicePermissions].every((c) => (sp ?? '').includes(c))) {
    deny('AuthorizationPermissionMismatch', 'This request is not authorized to perform this operation using this permission.');
  }
  return { startPk: q.get('spk') ?? undefined, startRk: q.get('srk') ?? undefined, endPk: q.get('epk') ?? undefined, endRk: q.get('erk') ?? undefined };
}

/** Whether (pk, rk) lies inside a table SAS's range: bounds compare as (PartitionKey, RowKey) pairs. */
export function inKeyRange(range: KeyRange, pk: string, rk: string): boolean {
  if (range.startPk !== undefined && (pk < range.startPk || (pk === range.startPk && range.startRk !== undefined && rk < range.startRk))) return false;
  if (range.endPk !== undefined && (pk > range.endPk || (pk === range.endPk && range.endRk !== undefined && rk > range.endRk))) return false;
  return true;
}
