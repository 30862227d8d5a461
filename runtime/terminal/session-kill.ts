// Ending everything a terminal started, not only its shell.
//
// On Unix the pty's shell leads its own session (forkpty calls setsid), so its pid is also the session id
// and the id of its process group. Signalling the group is not enough: a shell with job control (any
// interactive shell, dash included) puts each job, `sleep 1000 &` too, in a process group of its own, and
// when the shell dies the kernel hangs up only the foreground group. Every process of the session still
// carries the session id, even after the shell is gone, so that is what we look for: /proc on Linux,
// `pgrep -s` elsewhere. First SIGHUP (what closing a terminal window sends; SIGCONT wakes stopped jobs so
// they can act on it), then, after a grace period, SIGKILL for whatever is left, a shell that traps HUP
// included. A process that called setsid itself (a daemon) has left the session and is not ours to end.
//
// Windows has no signals: node-pty's kill() ends every process attached to the pseudo console.
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { createDebug } from '../logs/debug.js';

const debug = createDebug('terminal');

export interface ShellProcess {
  readonly pid: number;
  /** False once node-pty has reported the shell's exit (it has reaped it by then). */
  isAlive(): boolean;
  /** Resolves when the shell's exit has been reported. */
  readonly exited: Promise<void>;
  /** node-pty's kill(); on Windows it ends the pseudo console's processes. */
  kill(): void;
}

export interface KillTiming {
  /** How long SIGHUP has to work before SIGKILL. */
  readonly graceMs: number;
  /** How long to wait after SIGKILL (or on Windows after kill()) before giving up. */
  readonly forceWaitMs: number;
  readonly pollMs: number;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone. EPERM: not ours (a setuid program); nothing more we can do.
  }
}

/** Live (not zombie) processes of Linux session `sid`, from /proc/<pid>/stat. */
async function linuxSessionMembers(sid: number): Promise<Array<{ pid: number }>> {
  const members: Array<{ pid: number }> = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp session …"; comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (Number(fields[3]) !== sid || state === 'Z' || state === 'X') continue;
    members.push({ pid: Number(name) });
  }
  return members;
}

function pgrepSessionMembers(sid: number): Promise<Array<{ pid: number }>> {
  return new Promise((resolve) => {
    execFile('pgrep', ['-s', String(sid)], { timeout: 2000 }, (error, stdout) => {
      // pgrep exits with 1 when nothing matches; a missing pgrep leaves us with the process group only.
      if (error && typeof error.code !== 'number') debug('pgrep -s %d failed: %s', sid, error.message);
      resolve(stdout.split(/\s+/).filter(Boolean).map((pid) => ({ pid: Number(pid) })));
    });
  });
}

/**
 * The processes still in the shell's session, the shell included while it runs. Once the shell has exited
 * its pid may be reused; the kernel keeps a pid number while any process still uses it as a session id, so
 * a live process whose pid equals the session id then leads someone else's session: report nothing.
 */
export async function sessionMembers(shell: ShellProcess): Promise<number[]> {
  const sid = shell.pid;
  const members = process.platform === 'linux' ? await linuxSessionMembers(sid) : await pgrepSessionMembers(sid);
  const pids = members.map((m) => m.pid).filter((pid) => pid !== process.pid);
  if (!shell.isAlive() && pids.includes(sid)) return [];
  return pids;
}

async function signalSession(shell: ShellProcess, sig: NodeJS.Signals, also?: NodeJS.Signals): Promise<void> {
  // The group first, at once: it needs no scan, and close() runs this part before its first await.
  if (shell.isAlive()) {
    signal(-shell.pid, sig);
    signal(shell.pid, sig);
  }
  for (const pid of await sessionMembers(shell)) {
    signal(pid, sig);
    if (also) signal(pid, also);
  }
}

/** Waits until the shell has exited and its session is empty; false if `ms` ran out first. */
async function settled(shell: ShellProcess, ms: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!shell.isAlive() && (process.platform === 'win32' || (await sessionMembers(shell)).length === 0)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    const tick = delay(Math.min(pollMs, left));
    // Wake up at the shell's exit rather than at the next tick, but only while it runs: a settled promise
    // in the race would turn this into a busy loop.
    await (shell.isAlive() ? Promise.race([tick, shell.exited]) : tick);
  }
}

/** Ends the shell and every process of its session; resolves when they are gone or the waits ran out. */
export async function killSession(shell: ShellProcess, timing: KillTiming): Promise<void> {
  try {
    if (process.platform === 'win32') {
      shell.kill();
      await settled(shell, timing.forceWaitMs, timing.pollMs);
      return;
    }
    await signalSession(shell, 'SIGHUP', 'SIGCONT');
    if (await settled(shell, timing.graceMs, timing.pollMs)) return;
    debug('session %d: still running %d ms after SIGHUP, sending SIGKILL', shell.pid, timing.graceMs);
    await signalSession(shell, 'SIGKILL');
    if (!(await settled(shell, timing.forceWaitMs, timing.pollMs))) {
      debug('session %d: processes left after SIGKILL: %j', shell.pid, await sessionMembers(shell));
    }
  } catch (error) {
    // Shutdown must not hang or throw because a scan failed; say so and move on.
    debug('session %d: ending it failed: %s', shell.pid, error instanceof Error ? error.message : String(error));
  }
}
