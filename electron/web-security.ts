// Locks down every web page the shell shows (Electron security checklist items 3, 6, 8 and the <webview>
// rule; build/README.md lists the rest). Electron objects are injected through the small interfaces below,
// so the decisions are unit-tested with fakes (test/unit/electron/web-security.test.ts).
import { decideWindowOpen, isOwnOrigin, mayNavigate, parseUrl } from './url-policy.js';

/**
 * The workbench's CSP, added when a response from our origin lacks one (the control API sends the same
 * policy with index.html; this keeps it if a future route forgets). Threat: injected script in the UI.
 * A copy of runtime/shared/csp.ts (this bundle takes nothing from the runtime at run time); a unit test
 * keeps the two equal.
 */
export const WORKBENCH_CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export interface Preventable {
  preventDefault(): void;
}

/** The part of Electron's `WebContents` we guard. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: Preventable, url: string) => void): this;
  on(event: 'will-redirect', listener: (event: Preventable, url: string) => void): this;
  on(event: 'will-attach-webview', listener: (event: Preventable) => void): this;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

export interface ContentsPolicy {
  /** The control API's origin, or undefined while no runtime runs (then nothing is allowed). */
  readonly origin: () => string | undefined;
  /** The running apps' origins, which a link may open in the OS browser. */
  readonly appOrigins: () => ReadonlySet<string>;
  /** `shell.openExternal`, for links the window may not open itself but the OS browser may. */
  readonly openExternal: (url: string) => void;
  /** Told about each refusal (for the log). */
  readonly onRefused?: (what: string, url: string) => void;
}

/**
 * For every webContents (`app.on('web-contents-created')`): navigation and redirects only within our
 * origin; new windows only for our origin (other allowed links go to the OS browser); no <webview>.
 * Threat: a link or script taking the privileged window, and its bridge, to a page we do not control.
 */
export function guardContents(contents: GuardedContents, policy: ContentsPolicy): void {
  const refuse = (what: string, url: string, event: Preventable): void => {
    event.preventDefault();
    policy.onRefused?.(what, url);
  };
  const checkNavigation = (what: string) => (event: Preventable, url: string) => {
    const origin = policy.origin();
    if (origin === undefined || !mayNavigate(url, origin)) refuse(what, url, event);
  };
  contents.on('will-navigate', checkNavigation('navigation'));
  contents.on('will-redirect', checkNavigation('redirect'));
  contents.on('will-attach-webview', (event) => refuse('webview', '', event));
  contents.setWindowOpenHandler(({ url }) => {
    const origin = policy.origin();
    const decision = origin === undefined ? ({ action: 'deny' } as const) : decideWindowOpen(url, origin, policy.appOrigins());
    if (decision.action === 'deny') {
      if (decision.external !== undefined) policy.openExternal(decision.external);
      else policy.onRefused?.('new window', url);
      return { action: 'deny' };
    }
    return { action: 'allow' };
  });
}

/** The part of Electron's `Session` we configure. */
export interface GuardedSession {
  setPermissionRequestHandler(handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void): void;
  setPermissionCheckHandler(handler: (contents: unknown, permission: string, requestingOrigin: string) => boolean): void;
  readonly webRequest: {
    onHeadersReceived(listener: (details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void): void;
  };
}

/**
 * Whether a permission is granted. Denied by default (checklist item 8), with two narrow exceptions:
 * - our origin may write to the clipboard (the terminal's copy); reading it stays denied;
 * - the bundled DevTools (devtools://devtools) may reach loopback, which Chromium's local-network-access
 *   rules gate, because the worker's inspector listens on 127.0.0.1.
 */
export function permissionGranted(permission: string, requestingUrl: string, origin: string | undefined): boolean {
  if (permission === 'clipboard-sanitized-write') return origin !== undefined && isOwnOrigin(requestingUrl, origin);
  if (permission === 'local-network-access' || permission === 'loopback-network' || permission === 'local-network') {
    const u = parseUrl(requestingUrl);
    return u !== undefined && u.protocol === 'devtools:' && u.hostname === 'devtools';
  }
  return false;
}

/** Adds our CSP to responses from our origin that have none; leaves every other header as it is. */
export function withCsp(url: string, headers: Record<string, string[]> | undefined, origin: string | undefined): Record<string, string[]> | undefined {
  if (origin === undefined || !isOwnOrigin(url, origin)) return headers;
  const all = headers ?? {};
  if (Object.keys(all).some((k) => k.toLowerCase() === 'content-security-policy')) return headers;
  return { ...all, 'Content-Security-Policy': [WORKBENCH_CSP] };
}

/** Permission handlers and the CSP for the session the windows use. */
export function guardSession(session: GuardedSession, origin: () => string | undefined): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(permissionGranted(permission, details.requestingUrl ?? '', origin()));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionGranted(permission, requestingOrigin, origin()));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: withCsp(details.url, details.responseHeaders, origin()) });
  });
}
