// X-Forwarded-For as iisnode's enableXFF writes it (iisnode functional test 118, tjanczuk/iisnode#340): add the
// client address, append it to an existing list, and never repeat it when it is already the last entry.
import { describe, expect, it } from 'vitest';
import { appendForwardedFor } from '../../../runtime/hosting/forward-headers.js';

describe('appendForwardedFor', () => {
  it('starts a new list with the client address', () => {
    expect(appendForwardedFor(undefined, '127.0.0.1')).toBe('127.0.0.1');
    expect(appendForwardedFor('', '127.0.0.1')).toBe('127.0.0.1');
    expect(appendForwardedFor('   ', '10.0.0.2')).toBe('10.0.0.2');
  });

  it('appends the client address to an existing list (test 118: "1.1.1.1, 127.0.0.1")', () => {
    expect(appendForwardedFor('1.1.1.1', '127.0.0.1')).toBe('1.1.1.1, 127.0.0.1');
    expect(appendForwardedFor('1.1.1.1, 2.2.2.2', '127.0.0.1')).toBe('1.1.1.1, 2.2.2.2, 127.0.0.1');
  });

  it('does not repeat the address when it is already the last entry, whatever the spacing', () => {
    expect(appendForwardedFor('127.0.0.1', '127.0.0.1')).toBe('127.0.0.1');
    expect(appendForwardedFor('1.1.1.1, 127.0.0.1', '127.0.0.1')).toBe('1.1.1.1, 127.0.0.1');
    expect(appendForwardedFor('1.1.1.1,127.0.0.1 ', '127.0.0.1')).toBe('1.1.1.1,127.0.0.1 ');
  });

  it('appends when the address appears earlier in the list but is not the last entry', () => {
    expect(appendForwardedFor('127.0.0.1, 1.1.1.1', '127.0.0.1')).toBe('127.0.0.1, 1.1.1.1, 127.0.0.1');
  });

  it('writes IPv4-mapped IPv6 addresses as plain IPv4, also when de-duplicating', () => {
    expect(appendForwardedFor(undefined, '::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(appendForwardedFor('1.1.1.1', '::ffff:192.168.1.5')).toBe('1.1.1.1, 192.168.1.5');
    expect(appendForwardedFor('1.1.1.1, 127.0.0.1', '::ffff:127.0.0.1')).toBe('1.1.1.1, 127.0.0.1');
  });

  it('keeps real IPv6 addresses as they are', () => {
    expect(appendForwardedFor(undefined, '::1')).toBe('::1');
    expect(appendForwardedFor('::1', '::1')).toBe('::1');
    expect(appendForwardedFor('1.1.1.1', '2001:db8::1')).toBe('1.1.1.1, 2001:db8::1');
  });

  it('does not treat a longer address with the same prefix as a duplicate', () => {
    expect(appendForwardedFor('1.1.1.10', '1.1.1.1')).toBe('1.1.1.10, 1.1.1.1');
  });
});
