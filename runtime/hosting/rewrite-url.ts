// URL helpers for the rewrite evaluation: decoding that never throws, dot-segment removal that never climbs
// above the site root, the URL → physical path mapping behind {REQUEST_FILENAME}, and encoding of what goes
// back on the wire (a Location header, a request line) so decoded text cannot smuggle CR/LF or spaces there.
import path from 'node:path';

/** Percent-decodes valid UTF-8 escapes and leaves malformed ones as written (decodeURIComponent would throw). */
export function safeDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

/**
 * A decoded URL path with `.` and `..` segments resolved, as http.sys canonicalizes it before IIS sees it:
 * always starts with `/`, `..` at the top stays at the top, `\` counts as `/`, a trailing slash is kept.
 */
export function normalizePath(decoded: string): string {
  const segments = decoded.replace(/^[\\/]+/, '').split(/[\\/]/);
  const out: string[] = [];
  segments.forEach((s, i) => {
    if (s === '.' || s === '..') {
      if (s === '..') out.pop();
      if (i === segments.length - 1) out.push('');
    } else out.push(s);
  });
  return `/${out.join('/')}`;
}

/**
 * The physical path of a normalized URL path under `root` ({REQUEST_FILENAME}). The path has no `..` left, and
 * the result is checked once more to lie under the root, so no URL can name a file outside the site.
 */
export function physicalPathOf(root: string, urlPath: string): string {
  const parts = urlPath.split('/').filter((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\0'));
  const full = path.join(root, ...parts);
  return isUnder(root, full) ? full : root;
}

/** True when `candidate` (resolved against root if relative) is root itself or inside it. */
export function isUnder(root: string, candidate: string): boolean {
  const rel = path.relative(root, path.resolve(root, candidate));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Replaces unpaired surrogates, which encodeURIComponent refuses, with U+FFFD. */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

export function encodeComponent(text: string): string {
  return encodeURIComponent(wellFormed(text));
}

/** .NET Uri.EscapeDataString: RFC 3986 unreserved characters stay, everything else is escaped. */
export function escapeDataString(text: string): string {
  return encodeComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Escapes what may not appear in a header value or request-target (controls, space, non-ASCII); keeps the rest. */
export function encodeUnsafe(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
  return text.replace(/[\x00-\x20\x7F]|[^\x00-\x7F]+/g, (m) => encodeComponent(m));
}

/** A decoded path back in request-target form: each segment escaped, with the characters RFC 3986 allows kept. */
export function encodePath(decoded: string): string {
  return decoded
    .split('/')
    .map((s) => encodeComponent(s).replace(/%(?:3A|40|24|26|2B|2C|3B|3D)/g, (e) => String.fromCharCode(parseInt(e.slice(1), 16))))
    .join('/');
}
