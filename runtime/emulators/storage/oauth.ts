// OAuth bearer tokens for the storage emulators, at Azurite's "basic" level (`--oauth basic`): the token's
// claims are checked, its signature is not (there is no Microsoft Entra ID here to check it against). Code that
// authenticates with a TokenCredential (DefaultAzureCredential, a managed identity) then runs against the
// emulators unchanged. Only over HTTPS (the SDKs refuse to send a token over HTTP, and Azure refuses it too).
// Checked: the token is a JWT with nbf, exp and iat, valid now; its issuer is a Microsoft Entra token service;
// its audience is Azure Storage (https://storage.azure.com, its application id) or this account's endpoint of
// this service (https://<account>.table.core.windows.net and the sovereign clouds' equivalents).
// https://learn.microsoft.com/rest/api/storageservices/authorize-with-azure-active-directory
import { domainError } from './domain-error.js';
import type { StorageService } from './shared-key.js';

export type OAuthLevel = 'basic';

const ISSUERS = ['https://sts.windows.net/', 'https://sts.microsoftonline.de/', 'https://sts.chinacloudapi.cn/', 'https://sts.windows-ppe.net/', 'https://login.microsoftonline.com/'];
const STORAGE_APP_ID = 'e406a681-f3d4-42a8-90b6-c2b029497af1';
const CLOUD_SUFFIXES = ['core.windows.net', 'core.chinacloudapi.cn', 'core.usgovcloudapi.net', 'core.cloudapi.de'];

/** Azure's AuthenticationFailed for a token: its fixed message, and what is wrong in AuthenticationErrorDetail. */
function refuse(detail: string): never {
  const error = domainError('AuthenticationFailed', `Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature. ${detail}`);
  error.details = { AuthenticationErrorDetail: detail };
  throw error;
}

function audienceAllowed(aud: string, service: StorageService, account: string): boolean {
  const a = aud.replace(/\/$/, '');
  if (a === 'https://storage.azure.com' || a === STORAGE_APP_ID) return true;
  const m = /^https:\/\/([^./]+)\.(table|queue)\.(.+)$/.exec(a);
  return m !== null && m[1] === account && m[2] === service && CLOUD_SUFFIXES.includes(m[3] as string);
}

/** Checks a bearer token's claims; throws AuthenticationFailed naming what is wrong. */
export function verifyBearerToken(token: string, service: StorageService, account: string, secure: boolean, now: number): void {
  if (!secure) refuse('Authentication scheme Bearer is not allowed with HTTP: start the emulators with --cert and --key and use https endpoints.');
  const parts = token.split('.');
  let claims: Record<string, unknown> | undefined;
  try {
    if (parts.length === 3) claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    claims = undefined;
  }
  if (claims === undefined || claims === null || typeof claims !== 'object') refuse('The bearer token is not a JWT (header.payload.signature, base64url).');
  const { nbf, exp, iat, iss, aud } = claims;
  if (typeof nbf !== 'number' || typeof exp !== 'number' || typeof iat !== 'number') refuse('The bearer token needs nbf, exp and iat claims.');
  if (now < nbf * 1000) refuse(`Lifetime validation failed. The token is not valid before ${new Date(nbf * 1000).toISOString()}.`);
  if (now > exp * 1000) refuse(`Lifetime validation failed. The token is expired (exp ${new Date(exp * 1000).toISOString()}).`);
  if (typeof iss !== 'string' || !ISSUERS.some((p) => iss.startsWith(p))) refuse(`Invalid token issuer ${JSON.stringify(iss)}: expected a Microsoft Entra token service (https://sts.windows.net/<tenant>/ and the like).`);
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.some((a) => typeof a === 'string' && audienceAllowed(a, service, account))) {
    refuse(`Invalid token audience ${JSON.stringify(aud)}: expected https://storage.azure.com or https://${account}.${service}.core.windows.net.`);
  }
}
