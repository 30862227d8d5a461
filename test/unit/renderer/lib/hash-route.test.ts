import { describe, expect, it } from 'vitest';
import type * as HashRouteModule from '~renderer/lib/hash-route';
import { load } from '../load-renderer.js';

const { formatHashRoute, parseHashRoute } = await load<typeof HashRouteModule>('lib/hash-route');

/** The views of renderer/src/app/router.svelte.ts (VIEWS); that file needs the Svelte compiler to load. */
const VIEWS = ['open', 'overview', 'requests', 'logs', 'terminal'];

describe('formatHashRoute', () => {
  it('writes the view alone when there are no parameters', () => {
    expect(formatHashRoute('overview')).toBe('#/overview');
    expect(formatHashRoute('logs', {})).toBe('#/logs');
  });

  it('leaves out empty parameters, so a cleared filter does not linger in the URL', () => {
    expect(formatHashRoute('logs', { worker: '3', text: '', stream: 'stderr' })).toBe('#/logs?worker=3&stream=stderr');
    expect(formatHashRoute('logs', { text: '' })).toBe('#/logs');
  });

  it('encodes characters that would end a value or the fragment (& = # % + space)', () => {
    expect(formatHashRoute('logs', { text: 'a b&c=d#e%f+g' })).toBe('#/logs?text=a+b%26c%3Dd%23e%25f%2Bg');
  });
});

describe('parseHashRoute', () => {
  it('reads the view and its parameters', () => {
    expect(parseHashRoute('#/logs?worker=3&stream=stderr')).toEqual({ view: 'logs', params: { worker: '3', stream: 'stderr' } });
    expect(parseHashRoute('#/overview')).toEqual({ view: 'overview', params: {} });
    expect(parseHashRoute('#/logs?')).toEqual({ view: 'logs', params: {} });
  });

  it('decodes both + and %20 as a space', () => {
    expect(parseHashRoute('#/requests?text=a+b%20c')?.params).toEqual({ text: 'a b c' });
  });

  it('returns null for fragments that are not a route, such as the token fragment', () => {
    for (const hash of ['', '#', '#/', '#token=abc', '#logs', '/logs', '#/logs/extra', '#/?x=1']) {
      expect(parseHashRoute(hash), hash).toBeNull();
    }
  });

  it('returns an unknown view by name and leaves rejecting it to the router', () => {
    expect(parseHashRoute('#/nonsense?x=1')).toEqual({ view: 'nonsense', params: { x: '1' } });
  });
});

describe('round trip', () => {
  it('gives back every workbench view', () => {
    for (const view of VIEWS) expect(parseHashRoute(formatHashRoute(view))).toEqual({ view, params: {} });
  });

  it('gives back parameters holding separators, quotes, unicode and JSON filters', () => {
    const params = {
      text: 'a b&c=d#e%f+g?h/i',
      fields: 'level=error req.id=7 msg="user logged in"',
      worker: 'w:1',
      name: 'café ✓ 日本',
    };
    expect(parseHashRoute(formatHashRoute('logs', params))).toEqual({ view: 'logs', params });
  });
});
