// Which shell a terminal gets when nobody names one, and how a named one is found.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultShell, envValue, findExecutable, shellTitle } from '../../../runtime/terminal/find-shell.js';
import { tempFolder } from './terminal-test-helpers.js';

describe('find-shell', () => {
  it('titles a shell by its file name, without a Windows extension', () => {
    expect(shellTitle('/usr/bin/bash')).toBe('bash');
    expect(shellTitle('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe')).toBe('powershell');
    expect(shellTitle('cmd.EXE')).toBe('cmd');
    expect(shellTitle('zsh')).toBe('zsh');
  });

  it.skipIf(process.platform === 'win32')('prefers $SHELL on Unix, then bash on the PATH, then /bin/sh', () => {
    expect(defaultShell({ SHELL: '/usr/bin/fish', PATH: '/usr/bin:/bin' }, 'linux')).toBe('/usr/bin/fish');
    const bin = tempFolder();
    expect(defaultShell({ PATH: bin }, 'linux')).toBe('/bin/sh');
    writeFileSync(path.join(bin, 'bash'), '#!/bin/sh\n');
    expect(defaultShell({ PATH: bin }, 'linux')).toBe('/bin/sh'); // not executable
    chmodSync(path.join(bin, 'bash'), 0o755);
    expect(defaultShell({ PATH: bin }, 'linux')).toBe('bash');
  });

  it('falls back to %ComSpec% on Windows when PowerShell is not there', () => {
    const env = { SystemRoot: '/no/such/windows', comspec: 'C:\\Windows\\system32\\cmd.exe' };
    expect(defaultShell(env, 'win32')).toBe('C:\\Windows\\system32\\cmd.exe');
    expect(defaultShell({ SystemRoot: '/no/such/windows' }, 'win32')).toBe('cmd.exe');
  });

  it('reads Windows variables case-insensitively, Unix ones exactly', () => {
    expect(envValue({ Path: 'a' }, 'PATH', 'win32')).toBe('a');
    expect(envValue({ Path: 'a' }, 'PATH', 'linux')).toBeUndefined();
  });

  it.skipIf(process.platform === 'win32')('finds a command on the PATH, a relative path from the cwd, and nothing for folders or missing files', () => {
    const root = tempFolder();
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    mkdirSync(path.join(bin, 'folder'));
    writeFileSync(path.join(bin, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findExecutable('tool', { PATH: `/no/such${path.delimiter}${bin}` }, root, 'linux')).toBe(path.join(bin, 'tool'));
    expect(findExecutable('./bin/tool', {}, root, 'linux')).toBe(path.join(bin, 'tool'));
    expect(findExecutable('folder', { PATH: bin }, root, 'linux')).toBeUndefined();
    expect(findExecutable('tool', {}, root, 'linux')).toBeUndefined();
  });
});
