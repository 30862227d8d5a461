// Where a request points: the account and the resource path, from either URL style Azure and Azurite use.
//   path style     http://127.0.0.1:10002/devstoreaccount1/mytable      (any IP host, `localhost`, one label)
//   host style     http://devstoreaccount1.table.localhost:10002/mytable (first label of a dotted host name,
//                  when it names a known account; `<account>-secondary` is the read-only secondary)
//   bare           http://127.0.0.1:10002/Tables, what clients that take an endpoint's host and drop its path send
//                  (the `azure` package's storage before azure-storage 2: 0.7–0.10, with an explicit
//                  TableEndpoint=http://127.0.0.1:10002/devstoreaccount1). On Azure the account is in the host
//                  name; here it is taken from the request's SharedKey/SharedKeyLite Authorization header, which
//                  signed `/<account>/Tables` (exactly what host style signs). A SAS request names no account, and
//                  gets the development account.
// https://learn.microsoft.com/azure/storage/common/storage-use-azurite#connection-strings
import { isIP } from 'node:net';
import type { AccountRegistry } from './accounts.js';

export interface RequestTarget {
  readonly account: string;
  /** `<account>-secondary` was used: reads only, as on an RA-GRS secondary. */
  readonly secondary: boolean;
  /** The path as received (still percent-encoded), as SharedKey signs it. */
  readonly rawPath: string;
  /** The decoded path below the account, without the leading slash ('' for the service root). */
  readonly resourcePath: string;
}

const SECONDARY = '-secondary';

function splitAccount(name: string, accounts: AccountRegistry): { account: string; secondary: boolean } | undefined {
  if (accounts.has(name)) return { account: name, secondary: false };
  if (name.endsWith(SECONDARY) && accounts.has(name.slice(0, -SECONDARY.length))) {
    return { account: name.slice(0, -SECONDARY.length), secondary: true };
  }
  return undefined;
}

/** decodeURIComponent, or the text as it is when it does not decode (a stray %). */
export function safeDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Host headers seen, to the account-naming host name they hold ('' for an IP or a name without dots). */
const hostNames = new Map<string, string>();

function hostName(hostHeader: string): string {
  let name = hostNames.get(hostHeader);
  if (name === undefined) {
    const host = hostHeader.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
    name = host.includes('.') && isIP(host) === 0 ? host : '';
    if (hostNames.size >= 1024) hostNames.clear();
    hostNames.set(hostHeader, name);
  }
  return name;
}

/** The account a SharedKey or SharedKeyLite Authorization header names (`SharedKey <account>:<signature>`). */
export function authorizationAccount(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^SharedKey(?:Lite)? ([^:\s]+):/.exec(header);
  return m ? m[1] : undefined;
}

/**
 * Returns undefined when no known account can be found (the caller answers with an error naming both URL
 * styles). `bare`, for URLs that name no account in host or path: `signedBy` gives the account the request's
 * credentials name (see above; asked only for such URLs), and `shape` says which resource paths a bare URL of
 * this service can have, so a path-style URL with a mistyped account (`/devstoreacount1/mytable`) is not one
 * and keeps its clear 404.
 */
export function resolveTarget(
  hostHeader: string | undefined,
  rawPath: string,
  accounts: AccountRegistry,
  bare?: { readonly signedBy: () => string | undefined; readonly shape: (resourcePath: string) => boolean },
): RequestTarget | undefined {
  const host = hostName(hostHeader ?? '');
  if (host !== '') {
    const found = splitAccount(host.split('.')[0] as string, accounts);
    if (found) return { ...found, rawPath, resourcePath: safeDecode(rawPath.slice(1)) };
  }
  const slash = rawPath.indexOf('/', 1);
  const first = safeDecode(slash === -1 ? rawPath.slice(1) : rawPath.slice(1, slash));
  const found = splitAccount(first, accounts);
  if (!found) {
    const signedBy = bare?.signedBy();
    const signer = signedBy === undefined ? undefined : splitAccount(signedBy, accounts);
    const resourcePath = safeDecode(rawPath.slice(1));
    return signer && bare?.shape(resourcePath) ? { ...signer, rawPath, resourcePath } : undefined;
  }
  const rest = slash === -1 ? '' : rawPath.slice(slash + 1);
  return { ...found, rawPath, resourcePath: safeDecode(rest) };
}
