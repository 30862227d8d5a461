// One entry point for "may this request do this?": SharedKey / SharedKeyLite in the Authorization header, or a
// SAS in the query string. Anonymous access does not exist for tables and queues (as in Azure).
import type { AccountRegistry } from './accounts.js';
import { domainError } from './domain-error.js';
import { isSas, verifyAccountSas, verifyServiceSas } from './sas.js';
import type { AccessNeed, KeyRange, PolicyLookup } from './sas.js';
import { signatureMatches, stringsToSign } from './shared-key.js';
import type { SignedRequest, StorageService } from './shared-key.js';
import { safeDecode } from './request-target.js';
import type { RequestTarget } from './request-target.js';
import { verifyBearerToken } from './oauth.js';
import type { OAuthLevel } from './oauth.js';

const AUTH_HEADER = /^(SharedKey|SharedKeyLite) ([^:]+):(.+)$/;

export interface AuthContext {
  readonly service: StorageService;
  readonly accounts: AccountRegistry;
  readonly lookupPolicy: PolicyLookup;
  /** Accept OAuth bearer tokens (claims checked, not signatures; HTTPS only). */
  readonly oauth?: OAuthLevel;
}

/** Returns the key range a table service SAS limits the caller to, or undefined for full access. */
export function authorize(ctx: AuthContext, req: SignedRequest, target: RequestTarget, need: AccessNeed, now = Date.now()): KeyRange | undefined {
  const keys = ctx.accounts.keysOf(target.account);
  if (target.secondary && req.method !== 'GET' && req.method !== 'HEAD') {
    throw domainError('AuthorizationFailure', 'The secondary location of an account is read-only.');
  }
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) {
    if (!ctx.oauth) throw domainError('AuthenticationFailed', 'Server failed to authenticate the request. Authentication scheme Bearer is not enabled: start the emulators with --oauth basic (and --cert/--key for HTTPS).');
    if (need.accountPermissions === '') throw domainError('AuthorizationFailure', 'This request is not authorized to perform this operation. An access policy (ACL) cannot be read or set with an OAuth token: sign with the account key.');
    verifyBearerToken(auth.slice('Bearer '.length).trim(), ctx.service, target.account, req.secure === true, now);
    return undefined;
  }
  if (typeof auth === 'string' && auth !== '') {
    const m = AUTH_HEADER.exec(auth);
    if (!m) throw domainError('InvalidAuthenticationInfo', 'Authentication information is not given in the correct format. Check the value of Authorization header.');
    const [, scheme, account, signature] = m as unknown as [string, string, string, string];
    if (account !== target.account && account !== `${target.account}-secondary`) {
      throw domainError('AuthenticationFailed', `The account in the Authorization header (${account}) is not the account of the URL (${target.account}).`);
    }
    const paths = [target.rawPath];
    const decoded = safeDecode(target.rawPath);
    if (decoded !== target.rawPath) paths.push(decoded);
    // The services ignore one trailing slash in the path (`/Tables/`); a client that signed the path without it
    // (as Azurite's REST tests do) signed the same resource.
    if (target.rawPath.length > 1 && target.rawPath.endsWith('/')) paths.push(target.rawPath.slice(0, -1));
    const candidates = stringsToSign(ctx.service, scheme === 'SharedKeyLite', req, account, paths);
    if (!signatureMatches(signature, keys, candidates)) {
      throw domainError('AuthenticationFailed', `Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature. The MAC signature found in the HTTP request '${signature}' is not the same as any computed signature.`);
    }
    return undefined;
  }
  if (isSas(req.query)) {
    if (req.query.has('ss') && req.query.has('srt')) {
      verifyAccountSas(ctx.service, target.account, keys, req.query, need, now, req.secure === true);
      return undefined;
    }
    const range = verifyServiceSas(ctx.service, target.account, keys, req.query, need, ctx.lookupPolicy, now, req.secure === true);
    return range.startPk === undefined && range.endPk === undefined ? undefined : range;
  }
  throw domainError('AuthenticationFailed', 'Server failed to authenticate the request: no Authorization header and no shared access signature. Anonymous access is not available for tables and queues.');
}
