// The shell's URL allowlists: where the window may navigate, what window.open may do, what the OS browser
// may be given, and which inspectors DevTools may attach to.
import { describe, expect, it } from 'vitest';
import { decideWindowOpen, devtoolsUrlFor, externalUrlRefusal, isOwnOrigin, mayNavigate } from '../../../electron/url-policy.js';

const ORIGIN = 'http://127.0.0.1:7070';
const APPS = new Set(['http://127.0.0.1:8080']);

describe('navigation', () => {
  it('stays on the control API origin', () => {
    expect(mayNavigate('http://127.0.0.1:7070/#/logs', ORIGIN)).toBe(true);
    expect(mayNavigate('http://127.0.0.1:7070/index.html?x=1', ORIGIN)).toBe(true);
  });
  it.each([
    'http://127.0.0.1:7071/', // another port
    'http://localhost:7070/', // same server, other host name: a different origin
    'https://127.0.0.1:7070/',
    'https://example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'about:blank',
    'devtools://devtools/bundled/js_app.html',
    'not a url',
    'http://127.0.0.1:7070@evil.example/',
  ])('refuses %s', (url) => {
    expect(mayNavigate(url, ORIGIN)).toBe(false);
  });
  it('compares whole origins, not prefixes', () => {
    expect(isOwnOrigin('http://127.0.0.1:70701/', ORIGIN)).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1.evil.example:7070/', ORIGIN)).toBe(false);
  });
});

describe('window.open', () => {
  it('allows our own origin', () => {
    expect(decideWindowOpen('http://127.0.0.1:7070/api/logs/export', ORIGIN, APPS)).toEqual({ action: 'allow' });
  });
  it('denies other windows, sending allowed links to the OS browser', () => {
    expect(decideWindowOpen('https://learn.microsoft.com/azure/', ORIGIN, APPS)).toEqual({ action: 'deny', external: 'https://learn.microsoft.com/azure/' });
    expect(decideWindowOpen('http://127.0.0.1:8080/tasks', ORIGIN, APPS)).toEqual({ action: 'deny', external: 'http://127.0.0.1:8080/tasks' });
  });
  it.each(['http://example.com/', 'file:///tmp/x.html', 'javascript:void 0', 'ms-settings:privacy', 'http://127.0.0.1:9999/'])('denies %s outright', (url) => {
    expect(decideWindowOpen(url, ORIGIN, APPS)).toEqual({ action: 'deny' });
  });
});

describe('openExternal', () => {
  it('allows https and the running app', () => {
    expect(externalUrlRefusal('https://github.com/', ORIGIN, APPS)).toBeUndefined();
    expect(externalUrlRefusal('http://127.0.0.1:8080/', ORIGIN, APPS)).toBeUndefined();
    expect(externalUrlRefusal('http://127.0.0.1:8080/deep/path?q=1', ORIGIN, APPS)).toBeUndefined();
  });
  it.each([
    ['file:///C:/Windows/System32/calc.exe', /file: scheme/],
    ['smb://attacker/share', /smb: scheme/],
    ['ms-msdt:/id PCWDiagnostic', /ms-msdt: scheme/],
    ['javascript:alert(1)', /javascript: scheme/],
    ['http://example.com/', /only for the running app/],
    ['http://127.0.0.1:9999/', /no app of this workbench/],
    ['http://127.0.0.1:7070/#token=abc', /workbench itself/],
    ['https://user:pw@example.com/', /user name or password/],
    ['', /not a URL/],
  ])('refuses %s', (url, why) => {
    expect(externalUrlRefusal(url, ORIGIN, APPS)).toMatch(why);
  });
});

describe('DevTools targets', () => {
  it('builds the bundled DevTools URL for a loopback inspector', () => {
    expect(devtoolsUrlFor('ws://127.0.0.1:9229/0f3d1c52-7a1e-4b59-9d4e-5c2f3a1b2c3d')).toEqual({
      url: 'devtools://devtools/bundled/js_app.html?v8only=true&ws=127.0.0.1:9229/0f3d1c52-7a1e-4b59-9d4e-5c2f3a1b2c3d',
    });
    expect(devtoolsUrlFor('ws://127.0.0.1:7070/api/debug/cdp/w1/k3y')).toEqual({ url: 'devtools://devtools/bundled/js_app.html?v8only=true&ws=127.0.0.1:7070/api/debug/cdp/w1/k3y' });
  });
  it.each([
    'ws://10.0.0.5:9229/0f3d1c52-7a1e-4b59-9d4e-5c2f3a1b2c3d',
    'wss://127.0.0.1:9229/x',
    'http://127.0.0.1:9229/json',
    'ws://127.0.0.1/x',
    'ws://127.0.0.1:9229/x?other=evil.example',
    'ws://127.0.0.1:9229/x#y',
    'ws://127.0.0.1:9229/a%20b',
    'ws://127.0.0.1:9229/a&ws=evil.example:1/x',
    'devtools://devtools/bundled/js_app.html?ws=evil.example:9229/x',
  ])('refuses %s', (url) => {
    expect(devtoolsUrlFor(url)).toHaveProperty('refusal');
  });
});
