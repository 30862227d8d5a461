// The tray's tooltip and menu for each runtime state, and which folder the desktop app opens at start
// (command line, else the newest recent project that still exists, else a writable copy of the sample).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseStartFolder, ensureSampleCopy, mostRecentProject, parseShellArgs } from '../../../electron/start-folder.js';
import { statusLine, trayMenu } from '../../../electron/tray-status.js';
import type { RuntimeStatus } from '../../../electron/runtime-launcher.js';
import { cbError } from '../../../runtime/shared/errors.js';

const running: RuntimeStatus = { state: 'running', folder: '/p/app', workbenchUrl: 'http://127.0.0.1:7070/#token=x', appUrl: 'http://127.0.0.1:8080/' };

describe('tray', () => {
  it('says what the runtime is doing', () => {
    expect(statusLine({ state: 'idle' }, 'Cloudbench')).toBe('Cloudbench: not started');
    expect(statusLine({ state: 'starting', folder: '/p/app' }, 'Cloudbench')).toBe('Cloudbench: starting /p/app');
    expect(statusLine(running, 'Cloudbench')).toBe('Cloudbench: /p/app at http://127.0.0.1:8080/');
    expect(statusLine({ ...running, appUrl: undefined }, 'Cloudbench')).toBe('Cloudbench: running /p/app');
    expect(statusLine({ state: 'stopped', code: 0 }, 'Cloudbench')).toBe('Cloudbench: stopped');
    expect(statusLine({ state: 'crashed', error: cbError('CB_ERR_CONTROL_NO_PROJECT') }, 'Cloudbench')).toBe('Cloudbench: the runtime stopped (CB_ERR_CONTROL_NO_PROJECT)');
  });

  it('enables what applies to the state, and each item calls its action', () => {
    const calls: string[] = [];
    const actions = { showWindow: () => calls.push('show'), openAppInBrowser: () => calls.push('open-app'), restartRuntime: () => calls.push('restart'), quit: () => calls.push('quit') };
    const item = (status: RuntimeStatus, id: string) => trayMenu(status, 'Cloudbench', actions).find((i) => i.id === id);
    expect(item(running, 'status')).toMatchObject({ label: 'Cloudbench: /p/app at http://127.0.0.1:8080/', enabled: false });
    expect(item(running, 'open-app')?.enabled).toBe(true);
    expect(item({ ...running, appUrl: undefined }, 'open-app')?.enabled).toBe(false);
    expect(item({ state: 'starting', folder: '/p' }, 'restart')?.enabled).toBe(false);
    expect(item({ state: 'stopping' }, 'restart')?.enabled).toBe(false);
    expect(item({ state: 'crashed', error: cbError('CB_ERR_CONTROL_NO_PROJECT') }, 'restart')?.enabled).toBe(true);
    for (const id of ['show', 'open-app', 'restart', 'quit']) (item(running, id)?.click as () => void)();
    expect(calls).toEqual(['show', 'open-app', 'restart', 'quit']);
  });
});

describe('start folder', () => {
  it('takes the folder and the serve options from the command line, ignoring Chromium switches', () => {
    expect(parseShellArgs(['--no-sandbox', './my-app', '--port', '0', '--workers', '2', '--no-hook'])).toEqual({ folder: path.resolve('my-app'), serveArgs: ['--port', '0', '--workers', '2', '--no-hook'] });
    expect(parseShellArgs(['--enable-logging'])).toEqual({ folder: undefined, serveArgs: [] });
  });

  it('opens the command line folder, else the newest recent project that exists, else a copy of the sample', () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'cb-start-home-'));
    const existing = mkdtempSync(path.join(os.tmpdir(), 'cb-start-project-'));
    const sample = mkdtempSync(path.join(os.tmpdir(), 'cb-start-sample-'));
    writeFileSync(path.join(sample, 'server.js'), '// the sample\n');
    const copy = path.join(home, 'samples', 'tasklist');
    mkdirSync(path.dirname(copy), { recursive: true });
    const sampleCopy = () => ensureSampleCopy(sample, copy);

    // First run: no recent list.
    expect(mostRecentProject(home)).toBeUndefined();
    expect(chooseStartFolder({ folder: undefined, serveArgs: [] }, home, sampleCopy)).toBe(copy);
    expect(readFileSync(path.join(copy, 'server.js'), 'utf8')).toBe('// the sample\n');
    // The copy is made once: the user's edits to it stay.
    writeFileSync(path.join(copy, 'server.js'), '// edited\n');
    ensureSampleCopy(sample, copy);
    expect(readFileSync(path.join(copy, 'server.js'), 'utf8')).toBe('// edited\n');

    // A recent list whose newest folder is gone: the next one that exists.
    writeFileSync(path.join(home, 'recent.json'), JSON.stringify([{ folder: path.join(existing, 'deleted') }, { folder: existing }]));
    expect(chooseStartFolder({ folder: undefined, serveArgs: [] }, home, sampleCopy)).toBe(existing);
    expect(chooseStartFolder({ folder: '/given', serveArgs: [] }, home, sampleCopy)).toBe('/given');
    // A broken list counts as none.
    writeFileSync(path.join(home, 'recent.json'), '{ not json');
    expect(mostRecentProject(home)).toBeUndefined();
  });
});
