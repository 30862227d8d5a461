// guardContents / guardSession with fake webContents and session: navigation, redirects, new windows,
// <webview>, permissions and the CSP header.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKBENCH_CSP as SHARED_CSP, WORKBENCH_META_CSP } from '../../../runtime/shared/csp.js';
import { WORKBENCH_CSP, guardContents, guardSession, permissionGranted, withCsp } from '../../../electron/web-security.js';
import type { GuardedContents, GuardedSession } from '../../../electron/web-security.js';

const ORIGIN = 'http://127.0.0.1:7070';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

class FakeContents extends EventEmitter implements GuardedContents {
  openHandler: ((d: { url: string }) => { action: 'deny' } | { action: 'allow' }) | undefined;
  setWindowOpenHandler(handler: (d: { url: string }) => { action: 'deny' } | { action: 'allow' }): void {
    this.openHandler = handler;
  }
  /** Emits `name` like Electron does and says whether a listener prevented it. */
  attempt(name: string, url?: string): boolean {
    let prevented = false;
    this.emit(name, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
}

function guarded(origin: string | null = ORIGIN) {
  const contents = new FakeContents();
  const external: string[] = [];
  const refused: string[] = [];
  guardContents(contents, { origin: () => origin ?? undefined, appOrigins: () => new Set(['http://127.0.0.1:8080']), openExternal: (u) => external.push(u), onRefused: (what, url) => refused.push(`${what} ${url}`) });
  return { contents, external, refused };
}

describe('guardContents', () => {
  it('lets the workbench navigate within its origin and stops everything else', () => {
    const { contents, refused } = guarded();
    expect(contents.attempt('will-navigate', `${ORIGIN}/#/logs`)).toBe(false);
    expect(contents.attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(contents.attempt('will-redirect', 'http://127.0.0.1:8080/')).toBe(true);
    expect(contents.attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(refused).toEqual(['navigation https://evil.example/', 'redirect http://127.0.0.1:8080/', 'navigation file:///etc/passwd']);
  });
  it('stops all navigation while no runtime runs', () => {
    expect(guarded(null).contents.attempt('will-navigate', `${ORIGIN}/`)).toBe(true);
  });
  it('never attaches a <webview>', () => {
    expect(guarded().contents.attempt('will-attach-webview')).toBe(true);
  });
  it('opens windows only for our origin; allowed links go to the OS browser', () => {
    const { contents, external, refused } = guarded();
    const open = (url: string) => contents.openHandler?.({ url });
    expect(open(`${ORIGIN}/api/logs/export`)).toEqual({ action: 'allow' });
    expect(open('https://github.com/')).toEqual({ action: 'deny' });
    expect(open('http://127.0.0.1:8080/')).toEqual({ action: 'deny' });
    expect(open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(external).toEqual(['https://github.com/', 'http://127.0.0.1:8080/']);
    expect(refused).toEqual(['new window file:///etc/passwd']);
  });
});

describe('permissions', () => {
  it.each(['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'usb', 'serial', 'fullscreen', 'unknown'])('denies %s, even to the workbench', (permission) => {
    expect(permissionGranted(permission, `${ORIGIN}/`, ORIGIN)).toBe(false);
  });
  it('lets only the workbench write to the clipboard', () => {
    expect(permissionGranted('clipboard-sanitized-write', `${ORIGIN}/`, ORIGIN)).toBe(true);
    expect(permissionGranted('clipboard-sanitized-write', 'https://evil.example/', ORIGIN)).toBe(false);
  });
  it('lets only the bundled DevTools reach loopback', () => {
    expect(permissionGranted('local-network-access', 'devtools://devtools', ORIGIN)).toBe(true);
    expect(permissionGranted('local-network-access', 'https://evil.example/', ORIGIN)).toBe(false);
  });
  it('wires the handlers into the session', () => {
    const handlers: Partial<{ request: Parameters<GuardedSession['setPermissionRequestHandler']>[0]; check: Parameters<GuardedSession['setPermissionCheckHandler']>[0]; headers: Parameters<GuardedSession['webRequest']['onHeadersReceived']>[0] }> = {};
    guardSession(
      {
        setPermissionRequestHandler: (h) => (handlers.request = h),
        setPermissionCheckHandler: (h) => (handlers.check = h),
        webRequest: { onHeadersReceived: (h) => (handlers.headers = h) },
      },
      () => ORIGIN,
    );
    const granted: boolean[] = [];
    handlers.request?.({}, 'media', (g) => granted.push(g), { requestingUrl: `${ORIGIN}/` });
    expect(granted).toEqual([false]);
    expect(handlers.check?.({}, 'geolocation', ORIGIN)).toBe(false);
    let headers: Record<string, string[]> | undefined;
    handlers.headers?.({ url: `${ORIGIN}/`, responseHeaders: {} }, (r) => (headers = r.responseHeaders));
    expect(headers).toEqual({ 'Content-Security-Policy': [WORKBENCH_CSP] });
  });
});

describe('CSP', () => {
  it('adds the policy to our responses that lack one, and keeps one that is there', () => {
    expect(withCsp(`${ORIGIN}/assets/x.js`, { 'content-type': ['text/javascript'] }, ORIGIN)).toEqual({ 'content-type': ['text/javascript'], 'Content-Security-Policy': [WORKBENCH_CSP] });
    const own = { 'content-security-policy': ["default-src 'self'"] };
    expect(withCsp(`${ORIGIN}/`, own, ORIGIN)).toBe(own);
  });
  it('leaves other origins alone', () => {
    const h = { a: ['b'] };
    expect(withCsp('https://example.com/', h, ORIGIN)).toBe(h);
  });
  it("forbids script from anywhere but the workbench, and framing", () => {
    expect(WORKBENCH_CSP).toMatch(/default-src 'self'/);
    expect(WORKBENCH_CSP).not.toMatch(/script-src[^;]*unsafe/);
    expect(WORKBENCH_CSP).toMatch(/frame-ancestors 'none'/);
    expect(WORKBENCH_CSP).toMatch(/object-src 'none'/);
  });
  it('is the policy the control API sends and index.html carries (less frame-ancestors, which a <meta> cannot hold)', () => {
    expect(WORKBENCH_CSP).toBe(SHARED_CSP);
    const html = readFileSync(path.join(ROOT, 'renderer', 'index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(WORKBENCH_META_CSP);
    expect(WORKBENCH_META_CSP).not.toMatch(/frame-ancestors/);
    expect(WORKBENCH_META_CSP).toMatch(/default-src 'self'.*object-src 'none'/);
  });
});
