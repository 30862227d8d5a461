// Shared Access Signature checks for `$cbs` put-token and HTTP `Authorization` headers
// (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-sas). A token is
// `SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded base64 HMAC-SHA256>&se=<expiry s>&skn=<key name>`
// and the signature covers `<sr as written>\n<se>`. Tokens signed with a configured key are checked;
// JWTs (Microsoft Entra) and legacy WRAP tokens cannot be checked locally and are accepted, as an
// emulator that fakes no identity provider must.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SasKeys = ReadonlyMap<string, string>;

/** The well-known key of Microsoft's emulator connection string (service-bus.md §1.2). */
export const DEFAULT_KEY_NAME = 'RootManageSharedAccessKey';
export const DEFAULT_KEY = 'SAS_KEY_VALUE';

export type SasResult = { ok: true } | { ok: false; reason: string };

export function checkSasToken(token: string, keys: SasKeys, nowMs: number): SasResult {
  const trimmed = token.trim();
  if (/^WRAP\s/i.test(trimmed) || /^Bearer\s/i.test(trimmed) || /^[\w-]+\.[\w-]+\.[\w-]*$/.test(trimmed)) return { ok: true };
  const m = /^SharedAccessSignature\s+(.*)$/i.exec(trimmed);
  if (m === null) return { ok: false, reason: 'the token is not a SharedAccessSignature' };
  const fields = new Map<string, string>();
  for (const part of (m[1] as string).split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).toLowerCase(), part.slice(eq + 1));
  }
  const sr = fields.get('sr');
  const sig = fields.get('sig');
  const se = fields.get('se');
  const skn = fields.get('skn');
  if (sr === undefined || sig === undefined || se === undefined || skn === undefined) {
    return { ok: false, reason: 'the token lacks one of sr, sig, se, skn' };
  }
  const key = keys.get(decodeURIComponent(skn));
  if (key === undefined) return { ok: false, reason: `unknown key name '${decodeURIComponent(skn)}'` };
  if (!/^\d+$/.test(se) || Number(se) * 1000 < nowMs) return { ok: false, reason: 'the token has expired' };
  const expected = createHmac('sha256', key).update(`${sr}\n${se}`).digest();
  let given: Buffer;
  try {
    given = Buffer.from(decodeURIComponent(sig), 'base64');
  } catch {
    return { ok: false, reason: 'the signature is not URL-encoded base64' };
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: `the signature does not match key '${decodeURIComponent(skn)}'` };
  }
  return { ok: true };
}
