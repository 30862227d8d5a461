// Which URLs the shell lets a window go to, open, or hand to the OS. Pure functions over strings, so the
// allowlists are unit-tested without Electron (test/unit/electron/url-policy.test.ts).
//
// Threats: a page that is not the workbench (an app page, a link in a log line, a compromised dependency of
// the UI) must not get our window, our bridge or our privileges. So the window only ever shows the control
// API's origin; new windows are refused; the OS browser only gets https: URLs and the running app's loopback
// URLs (never file:, javascript:, custom schemes that launch programs, or URLs with credentials); DevTools
// only attach to a loopback inspector (the inspector gives code execution, so never a remote one).

/** Parses a URL, or undefined when it is not one (never throws: the input is untrusted). */
export function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True when `url` is on exactly `origin` (scheme, host and port), e.g. `http://127.0.0.1:7070`. */
export function isOwnOrigin(url: string, origin: string): boolean {
  const u = parseUrl(url);
  return u !== undefined && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === origin;
}

/** `will-navigate` / `will-redirect`: the workbench window stays on the workbench. */
export function mayNavigate(url: string, origin: string): boolean {
  return isOwnOrigin(url, origin);
}

export type WindowOpenDecision =
  | { readonly action: 'allow' }
  | { readonly action: 'deny'; readonly external?: string };

/**
 * `setWindowOpenHandler`: our own origin may open a window (it gets the same locked-down preferences);
 * anything else is denied, and a link the OS browser may open (see `externalUrlRefusal`) goes there instead,
 * so `<a target="_blank" href="https://…">` still works.
 */
export function decideWindowOpen(url: string, origin: string, appOrigins: ReadonlySet<string>): WindowOpenDecision {
  if (isOwnOrigin(url, origin)) return { action: 'allow' };
  return externalUrlRefusal(url, origin, appOrigins) === undefined ? { action: 'deny', external: url } : { action: 'deny' };
}

/**
 * Why `shell.openExternal(url)` is refused, or undefined when it is allowed: `https:` anywhere, or `http:` on
 * a loopback address at one of the app's own origins (`appOrigins`, e.g. `http://127.0.0.1:8080`).
 */
export function externalUrlRefusal(url: string, origin: string, appOrigins: ReadonlySet<string>): string | undefined {
  const u = parseUrl(url);
  if (u === undefined) return 'it is not a URL';
  if (u.username !== '' || u.password !== '') return 'it carries a user name or password';
  if (u.protocol === 'https:') return undefined;
  if (u.protocol !== 'http:') return `the ${u.protocol} scheme is not allowed (https: only, or the app's own http://127.0.0.1 URL)`;
  if (u.origin === origin) return 'it is the workbench itself (its token stays in this window)';
  if (!LOOPBACK_HOSTS.has(u.hostname)) return 'plain http: is allowed only for the running app on 127.0.0.1';
  if (!appOrigins.has(u.origin)) return `no app of this workbench listens at ${u.origin}`;
  return undefined;
}

/**
 * The bundled DevTools page for a worker's inspector, from its WebSocket URL (`ws://127.0.0.1:<port>/<uuid>`
 * as `inspector.url()` gives it, or the workbench's CDP proxy `webSocketDebuggerUrl`), or a refusal. We build the devtools:// URL ourselves so the page
 * never chooses what a privileged DevTools window loads.
 */
export function devtoolsUrlFor(inspectorUrl: string): { url: string } | { refusal: string } {
  const u = parseUrl(inspectorUrl);
  if (u === undefined) return { refusal: 'it is not a URL' };
  if (u.protocol !== 'ws:') return { refusal: 'an inspector URL starts with ws://' };
  if (!LOOPBACK_HOSTS.has(u.hostname)) return { refusal: 'the inspector must listen on 127.0.0.1 (it gives code execution)' };
  if (u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '') return { refusal: 'an inspector URL has no user, query or fragment' };
  if (u.port === '') return { refusal: 'the inspector URL has no port' };
  // Node's own inspector (`/<uuid>`) or the control API's CDP proxy (`/api/debug/cdp/<worker>/<key>`).
  if (!/^\/[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/.test(u.pathname) || u.pathname.split('/').some((s) => s === '.' || s === '..')) {
    return { refusal: 'the path must be an inspector session (/<id>) or the workbench\'s debug proxy' };
  }
  return { url: `devtools://devtools/bundled/js_app.html?v8only=true&ws=${u.host}${u.pathname}` };
}

/** The origin (`http://127.0.0.1:<port>`) of a workbench URL such as `http://127.0.0.1:7070/#token=…`. */
export function originOf(url: string): string | undefined {
  const u = parseUrl(url);
  return u === undefined ? undefined : u.origin;
}
