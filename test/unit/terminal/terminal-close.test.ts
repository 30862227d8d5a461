// Closing a terminal must end what it started, not only the shell: a job in the background (its own
// process group under job control) and a shell that ignores SIGHUP included. Checked in /proc, so Linux.
import { afterEach, describe, expect, it } from 'vitest';
import { TerminalManager } from '../../../runtime/terminal/terminal-manager.js';
import { Transcript, isRunning, shOptions, startBackgroundSleep, waitUntil } from './terminal-test-helpers.js';

let manager: TerminalManager;

afterEach(async () => {
  await manager.closeAll();
});

function open(): Transcript {
  return new Transcript(manager, manager.open(shOptions()).id);
}

function gone(pids: number[]): () => boolean {
  return () => pids.every((pid) => !isRunning(pid));
}

describe.runIf(process.platform === 'linux')('closing terminals', () => {
  it('close() ends the shell and a job it put in the background, and forgets the session', async () => {
    manager = new TerminalManager();
    const t = open();
    const pids = await startBackgroundSleep(manager, t);
    expect(pids.every(isRunning)).toBe(true);
    manager.close(t.id);
    expect(manager.get(t.id)).toBeUndefined();
    await waitUntil(gone(pids), () => `pids ${pids.join(', ')} to end`);
    // Subscribers still hear the end: SIGHUP killed the shell, so there is no exit code.
    expect(await t.waitForExit()).toBeNull();
  });

  it('close() escalates to SIGKILL for a shell and a job that ignore SIGHUP', async () => {
    manager = new TerminalManager({ killGraceMs: 200 });
    const t = open();
    // The sleep inherits the ignored SIGHUP from the shell.
    const pids = await startBackgroundSleep(manager, t, "trap '' HUP; ");
    const started = Date.now();
    manager.close(t.id);
    await waitUntil(gone(pids), () => `pids ${pids.join(', ')} to end`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(await t.waitForExit()).toBeNull();
  });

  it('close() of a session whose shell already exited still ends the job it left behind', async () => {
    manager = new TerminalManager();
    const t = open();
    const [, sleepPid] = await startBackgroundSleep(manager, t);
    manager.write(t.id, 'exit 0\r');
    expect(await t.waitForExit()).toBe(0);
    expect(isRunning(sleepPid)).toBe(true); // a shell's own exit hangs up only the foreground
    manager.close(t.id);
    await waitUntil(gone([sleepPid]), () => `sleep ${sleepPid} to end`);
  });

  it('closeAll() resolves once no process of any session is left', async () => {
    manager = new TerminalManager({ killGraceMs: 300 });
    const sessions = [open(), open(), open()];
    const pids = (await Promise.all(sessions.map((t, i) => startBackgroundSleep(manager, t, i === 0 ? "trap '' HUP; " : '')))).flat();
    const alreadyClosed = sessions[2] as Transcript;
    manager.close(alreadyClosed.id); // closeAll waits for sessions closed before it too
    await manager.closeAll();
    expect(pids.filter(isRunning)).toEqual([]);
    expect(manager.list()).toEqual([]);
    for (const t of sessions) expect(t.exits).toEqual([null]);
  });
});
