// The login shell's PATH for an app started outside a terminal, asked from a real bash with a profile of the
// test's own (HOME points at a temporary folder).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loginShellPath, mergePath } from '../../../electron/login-path.js';

let home: string | undefined;
afterEach(() => {
  if (home) rmSync(home, { recursive: true, force: true });
  home = undefined;
});

function homeWithProfile(profile: string): string {
  home = mkdtempSync(path.join(os.tmpdir(), 'cb-login-'));
  writeFileSync(path.join(home, '.bash_profile'), profile);
  return home;
}

const bash = (home: string) => ({ SHELL: '/bin/bash', HOME: home, PATH: '/usr/bin:/bin' });

describe('login shell PATH', () => {
  it('reads the PATH a login profile builds, past whatever the profile prints', async () => {
    const dir = homeWithProfile('echo "Welcome back"\nexport PATH="/opt/fake-node/bin:$PATH"\n');
    expect(await loginShellPath({ platform: 'linux', env: bash(dir) })).toMatch(/^\/opt\/fake-node\/bin:/);
  });

  it('gives up on a shell that does not exist or a profile that hangs, within the time limit', async () => {
    expect(await loginShellPath({ platform: 'darwin', env: { SHELL: '/nonexistent/zsh', PATH: '/usr/bin' } })).toBeUndefined();
    const dir = homeWithProfile('sleep 20\n');
    const started = Date.now();
    expect(await loginShellPath({ platform: 'linux', env: bash(dir), timeoutMs: 300 })).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('asks nothing on Windows', async () => {
    expect(await loginShellPath({ platform: 'win32', env: { SHELL: '/bin/bash' } })).toBeUndefined();
  });

  it('puts the login PATH first, without empty or repeated entries', () => {
    expect(mergePath('/opt/homebrew/bin:/usr/bin', '/usr/bin:/bin::/sbin')).toBe('/opt/homebrew/bin:/usr/bin:/bin:/sbin');
    expect(mergePath(undefined, '/usr/bin')).toBe('/usr/bin');
  });
});
