// A terminal session end to end: a real pty running /bin/sh, as the workbench's terminal tab drives it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TerminalInfoSchema } from '../../../runtime/shared/protocol.js';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';
import { TerminalManager } from '../../../runtime/terminal/terminal-manager.js';
import { Transcript, shOptions, tempFolder, waitUntil } from './terminal-test-helpers.js';

let manager: TerminalManager;

beforeEach(() => {
  manager = new TerminalManager();
});

afterEach(async () => {
  await manager.closeAll();
});

function open(overrides: Parameters<typeof shOptions>[0] = {}): Transcript {
  const info = manager.open(shOptions(overrides));
  return new Transcript(manager, info.id);
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe.skipIf(process.platform === 'win32')('TerminalManager (/bin/sh on a real pty)', () => {
  it('runs what is typed and reports the protocol TerminalInfo shape', async () => {
    const info = manager.open(shOptions({ cols: 90, rows: 20 }));
    expect(TerminalInfoSchema.strict().parse(info)).toEqual({ id: info.id, title: 'sh', cwd: shOptions().cwd, cols: 90, rows: 20, alive: true, exitCode: null });
    expect(info.id).toMatch(/^[0-9a-f]{8}$/);
    expect(manager.list()).toEqual([info]);
    expect(manager.get(info.id)).toEqual(info);

    const t = new Transcript(manager, info.id);
    manager.write(info.id, 'echo hello-$((1+2))\r');
    await t.waitFor(/hello-3/);
  });

  it('gives the shell exactly the env passed, and starts it in the cwd passed', async () => {
    const cwd = tempFolder();
    const t = open({ cwd, env: { ...shOptions().env, CB_SOME_VAR: 'from-the-env' } });
    manager.write(t.id, 'echo "var=$CB_SOME_VAR"; echo "cwd=$(pwd)"; echo "runtime=${CB_RUNTIME_ONLY:-unset}"\r');
    await t.waitFor(/runtime=unset/);
    expect(t.text).toMatch(/var=from-the-env/);
    expect(t.text).toContain(`cwd=${cwd}`);
    expect(manager.get(t.id)?.cwd).toBe(cwd);
  });

  it('resizes the pty, as `stty size` sees it', async () => {
    const t = open({ cols: 80, rows: 24 });
    manager.write(t.id, 'echo "size=$(stty size)"\r');
    await t.waitFor(/size=24 80/);
    manager.resize(t.id, 132, 40);
    expect(manager.get(t.id)).toMatchObject({ cols: 132, rows: 40 });
    manager.write(t.id, 'echo "size=$(stty size)"\r');
    await t.waitFor(/size=40 132/);
  });

  it('rejects sizes that are not whole numbers in range, naming the option', () => {
    const t = open();
    for (const [cols, rows, option] of [[1, 24, 'cols'], [1001, 24, 'cols'], [80.5, 24, 'cols'], [80, 0, 'rows'], [80, 501, 'rows'], [80, Number.NaN, 'rows']] as const) {
      const error = thrown(() => manager.resize(t.id, cols, rows));
      expect(isCloudbenchError(error, 'CB_ERR_CONFIG_VALUE') && error.params).toMatchObject({ option, value: String(option === 'cols' ? cols : rows) });
    }
    const error = thrown(() => manager.open(shOptions({ cols: 0 })));
    expect(isCloudbenchError(error, 'CB_ERR_CONFIG_VALUE') && error.message).toBe('Option "cols" has the value "0"; expected a whole number from 2 to 1000.');
    expect(manager.get(t.id)).toMatchObject({ cols: 80, rows: 24 });
    expect(manager.list()).toHaveLength(1);
  });

  it('sends output to every subscriber (several tabs) until each unsubscribes', async () => {
    const first = open();
    const second = new Transcript(manager, first.id);
    manager.write(first.id, 'echo one-$((1+1))\r');
    await Promise.all([first.waitFor(/one-2/), second.waitFor(/one-2/)]);
    second.unsubscribe();
    second.unsubscribe(); // idempotent
    manager.write(first.id, 'echo two-$((2+2))\r');
    await first.waitFor(/two-4/);
    expect(second.text).not.toMatch(/two-4/);
  });

  it('keeps output for a reload: earlier output first, at most scrollbackBytes, the oldest dropped', async () => {
    const t = open({ scrollbackBytes: 4096 });
    manager.write(t.id, 'echo first-$((5*5))\r');
    await t.waitFor(/first-25/);
    expect(manager.scrollback(t.id)).toMatch(/first-25/);
    const reloaded = new Transcript(manager, t.id);
    expect(reloaded.text).toMatch(/first-25/);

    manager.write(t.id, 'i=0; while [ $i -lt 400 ]; do echo "line-$i-................................"; i=$((i+1)); done; echo done-$((6*7))\r');
    await t.waitFor(/done-42/);
    const kept = manager.scrollback(t.id);
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(4096);
    expect(Buffer.byteLength(kept)).toBeGreaterThan(3500);
    expect(kept).toMatch(/line-399-/);
    expect(kept).toMatch(/done-42/);
    expect(kept).not.toMatch(/first-25|line-0-/);
    expect(t.text.endsWith(kept)).toBe(true);
  });

  it('reports the exit code and keeps an exited session listed, with its scrollback, until closed', async () => {
    const t = open();
    const changes: string[] = [];
    manager.onChange(() => changes.push(manager.get(t.id)?.alive === false ? 'exited' : 'other'));
    manager.write(t.id, 'echo bye-$((3+4)); exit 7\r');
    expect(await t.waitForExit()).toBe(7);
    expect(t.exits).toEqual([7]);
    expect(changes).toContain('exited');
    expect(manager.get(t.id)).toMatchObject({ alive: false, exitCode: 7 });
    expect(manager.list().map((i) => i.id)).toEqual([t.id]);
    expect(manager.scrollback(t.id)).toMatch(/bye-7/);

    manager.write(t.id, 'ignored\r'); // input for a dead shell goes nowhere
    manager.resize(t.id, 100, 30);
    expect(manager.get(t.id)).toMatchObject({ cols: 100, rows: 30 });
    const late: Array<number | null> = [];
    manager.subscribe(t.id, { onData: () => {}, onExit: (code) => late.push(code) });
    expect(late).toEqual([7]);

    manager.close(t.id);
    expect(manager.get(t.id)).toBeUndefined();
    expect(manager.list()).toEqual([]);
  });

  it('answers an unknown or closed id with CB_ERR_TERMINAL_NOT_FOUND', () => {
    const t = open();
    manager.close(t.id);
    for (const id of ['nope', t.id]) {
      const calls = [
        () => manager.write(id, 'x'),
        () => manager.resize(id, 80, 24),
        () => manager.close(id),
        () => manager.scrollback(id),
        () => manager.subscribe(id, { onData: () => {}, onExit: () => {} }),
      ];
      for (const call of calls) {
        const error = thrown(call);
        expect(isCloudbenchError(error, 'CB_ERR_TERMINAL_NOT_FOUND')).toBe(true);
        expect(error).toMatchObject({ status: 404, params: { id } });
      }
      expect(manager.get(id)).toBeUndefined();
    }
  });

  it('reports a shell it cannot start, and a cwd that is not a folder, before forking', () => {
    const missing = thrown(() => manager.open(shOptions({ shell: '/no/such/shell' })));
    expect(isCloudbenchError(missing, 'CB_ERR_TERMINAL_SPAWN') && missing.message).toBe('Cannot start the shell "/no/such/shell": no such executable file.');
    const notOnPath = thrown(() => manager.open(shOptions({ shell: 'cb-no-such-shell' })));
    expect(isCloudbenchError(notOnPath, 'CB_ERR_TERMINAL_SPAWN') && notOnPath.message).toMatch(/^Cannot start the shell "cb-no-such-shell": not found on the PATH \(/);
    const cwd = thrown(() => manager.open(shOptions({ cwd: '/no/such/folder' })));
    expect(isCloudbenchError(cwd, 'CB_ERR_CONFIG_VALUE') && cwd.params).toEqual({ option: 'cwd', value: '/no/such/folder', expected: 'the path of an existing folder' });
    const scrollback = thrown(() => manager.open(shOptions({ scrollbackBytes: -1 })));
    expect(isCloudbenchError(scrollback, 'CB_ERR_CONFIG_VALUE') && scrollback.params.option).toBe('scrollbackBytes');
    expect(manager.list()).toEqual([]);
  });

  it('uses the manager default shell, found on the PATH, when the session names none', async () => {
    manager = new TerminalManager({ shell: 'sh' });
    const info = manager.open({ ...shOptions(), shell: undefined });
    expect(info.title).toBe('sh');
    const t = new Transcript(manager, info.id);
    manager.write(info.id, 'echo ok-$((9+1))\r');
    await t.waitFor(/ok-10/);
  });

  it('keeps delivering to the other subscribers when one throws', async () => {
    const t = open();
    manager.subscribe(t.id, { onData: () => { throw new Error('closed socket'); }, onExit: () => { throw new Error('closed socket'); } });
    manager.write(t.id, 'echo still-$((1+4)); exit 3\r');
    await t.waitFor(/still-5/);
    expect(await t.waitForExit()).toBe(3);
    await waitUntil(() => manager.get(t.id)?.alive === false, () => 'alive: false');
  });
});
