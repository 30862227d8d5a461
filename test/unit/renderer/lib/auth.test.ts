import { describe, expect, it, vi } from 'vitest';
import type * as AuthModule from '~renderer/lib/auth';
import { load } from '../load-renderer.js';

const { takeToken } = await load<typeof AuthModule>('lib/auth');

type Args = Parameters<typeof takeToken>;

/** The page as takeToken sees it: the parts of location, history and sessionStorage it uses. */
function page(hash: string, { pathname = '/', search = '', stored = new Map<string, string>() } = {}) {
  const state = { scroll: 1 };
  const history = { state, replaceState: vi.fn() };
  const storage = {
    getItem: vi.fn((k: string) => stored.get(k) ?? null),
    setItem: vi.fn((k: string, v: string) => void stored.set(k, v)),
  };
  const take = (): string | null => takeToken({ hash, pathname, search } as unknown as Args[0], history as unknown as Args[1], storage as unknown as Args[2]);
  return { take, history, storage, stored, state };
}

describe('takeToken', () => {
  it('takes the token from #token= and removes it from the address bar, keeping path and query', () => {
    const p = page('#token=abc123', { pathname: '/index.html', search: '?x=1' });
    expect(p.take()).toBe('abc123');
    expect(p.history.replaceState).toHaveBeenCalledTimes(1);
    expect(p.history.replaceState).toHaveBeenCalledWith(p.state, '', '/index.html?x=1');
  });

  it('keeps the token in this tab’s storage, so a reload (no fragment any more) still has it', () => {
    const first = page('#token=abc123');
    first.take();
    const reload = page('', { stored: first.stored });
    expect(reload.take()).toBe('abc123');
    expect(reload.history.replaceState).not.toHaveBeenCalled();
    expect(reload.storage.setItem).not.toHaveBeenCalled();
  });

  it('prefers a new token in the URL over a stored one (the CLI prints a new token on every start)', () => {
    const first = page('#token=old');
    first.take();
    const second = page('#token=new', { stored: first.stored });
    expect(second.take()).toBe('new');
    expect(page('', { stored: first.stored }).take()).toBe('new');
  });

  it('returns null when there is no token anywhere', () => {
    expect(page('').take()).toBeNull();
    expect(page('#').take()).toBeNull();
  });

  it('keeps the other fragment parameters', () => {
    const p = page('#token=abc&debug=1');
    expect(p.take()).toBe('abc');
    expect(p.history.replaceState).toHaveBeenCalledWith(p.state, '', '/#debug=1');
  });

  it('does not read a route fragment as a token, nor rewrite it', () => {
    const stored = new Map<string, string>();
    page('#token=abc', { stored }).take();
    for (const hash of ['#/logs?worker=3', '#/logs?token=evil', '#/logs?worker=3&token=evil']) {
      const p = page(hash, { stored });
      expect(p.take(), hash).toBe('abc');
      expect(p.history.replaceState).not.toHaveBeenCalled();
      expect(p.storage.setItem).not.toHaveBeenCalled();
    }
  });

  it('decodes the token as a URL parameter and keeps base64url characters as they are', () => {
    expect(page('#token=Ab-_9xYz').take()).toBe('Ab-_9xYz');
    expect(page('#token=a%2Fb%3D').take()).toBe('a/b=');
  });

  it('falls back to storage for an empty #token=', () => {
    const stored = new Map<string, string>();
    page('#token=abc', { stored }).take();
    expect(page('#token=', { stored }).take()).toBe('abc');
  });
});
