// Starting and stopping: Ctrl-C leaves nothing behind, errors at start-up are clear, the port modes, the
// optional hook, captured logs and enableXFF.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, alive, copyFixture, get, request, serve, sleep, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

let app: Served | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('stopping', () => {
  it('Ctrl-C stops every worker and exits 0', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '3']);
    const pids = app.workerPids();
    expect(pids).toHaveLength(3);
    const code = await app.stop('SIGINT');
    expect(code).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(app.output()).toMatch(/SIGINT: stopping/);
  });

  it('lets an in-flight request finish when stopping', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1']);
    const slow = get(`${app.url}/slow?ms=500`);
    await sleep(100);
    const stopped = app.stop('SIGTERM');
    expect((await slow).text).toMatch(/^slow \d+$/);
    expect(await stopped).toBe(0);
  });

  it('leaves no orphans even when the runtime itself is killed with SIGKILL', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '2']);
    const pids = app.workerPids();
    await app.stop('SIGKILL');
    // Workers notice their parent is gone (the hook listens for the IPC channel closing) and exit.
    await waitFor(() => pids.every((p) => !alive(p)), 5000, 'the workers to exit');
  });
});

describe('start-up errors', () => {
  it('names what it looked for in a folder without an app', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', path.join(FIXTURES, 'apps/empty'), '--port', '0', '--no-emulators'], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('CB_ERR_PROJECT_NO_ENTRY');
    expect(r.stderr).toMatch(/iisnode handler in web\.config.*package\.json.*server\.js, app\.js, index\.js/);
  });

  it('says which port is busy and suggests a free one', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const r = spawnSync(process.execPath, [CLI, 'serve', copyFixture('apps/echo'), '--port', String(port), '--no-emulators'], { encoding: 'utf8', timeout: 15_000 });
    blocker.close();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`CB_ERR_HOSTING_PORT_IN_USE: Port ${port} on 127.0.0.1 is already in use.`);
    expect(r.stderr).toMatch(/--port \d+/);
  });

  it('rejects bad options with the option, the value and what is expected', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', copyFixture('apps/echo'), '--workers', 'many', '--no-emulators'], { encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Option "--workers" has the value "many"; expected a whole number from 0 to 1024.');
    const u = spawnSync(process.execPath, [CLI, 'frobnicate'], { encoding: 'utf8' });
    expect(u.stderr).toContain('Unknown command "frobnicate"');
  });

  it('reports a malformed web.config with file, line and column, and keeps its URL answering until fixed', async () => {
    const folder = copyFixture('apps/echo');
    writeFileSync(path.join(folder, 'web.config'), '<configuration>\n  <system.webServer>\n    <iisnode nodeProcessCountPerApplication="two" />\n  </system.webServer>\n</configuration>\n');
    app = await serve(folder);
    expect(app.output()).toContain(`${path.join(folder, 'web.config')}:3:14: <iisnode> attribute "nodeProcessCountPerApplication" has the value "two"; expected a whole number`);
    expect(app.output()).toMatch(/with its configuration error page; save a fix to start the app/);
  });
});

describe('worker modes', () => {
  it('gives PORT as a number with --worker-port tcp', async () => {
    app = await serve(copyFixture('apps/tcp-port'), ['--workers', '2', '--worker-port', 'tcp']);
    const r = await get(`${app.url}/`);
    expect(r.text).toMatch(/^tcp \d+$/);
  });

  it('detects readiness by connecting when the hook is not loaded', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '2', '--no-hook']);
    expect((await get(`${app.url}/`)).status).toBe(200);
    const cmdline = readFileSync(`/proc/${app.workerPids()[0]}/cmdline`, 'utf8');
    expect(cmdline).not.toContain('hook.cjs');
  });

  it('honours the web.config handler path and nodeProcessCountPerApplication', async () => {
    const folder = copyFixture('apps/echo');
    writeFileSync(
      path.join(folder, 'web.config'),
      '<configuration><system.webServer><handlers><add name="iisnode" path="server.js" verb="*" modules="iisnode"/></handlers><rewrite><rules><rule name="app"><match url=".*"/><action type="Rewrite" url="server.js"/></rule></rules></rewrite><iisnode nodeProcessCountPerApplication="3" enableXFF="true"/></system.webServer><appSettings><add key="APP_SETTING" value="from web.config"/><add key="EMPTY_SETTING" value=""/><add key="" value="ignored"/></appSettings></configuration>',
    );
    app = await serve(folder);
    expect(app.output()).toMatch(/3 workers ready, entry server\.js from web\.config/);
    const env = JSON.parse((await get(`${app.url}/env`)).text);
    expect(env.APP_SETTING).toBe('from web.config');
    expect(env.EMPTY_SETTING).toBe('');
    // enableXFF: appended unless already the last entry (iisnode test 118).
    const seen = JSON.parse((await request(`${app.url}/headers`, { headers: { 'X-Forwarded-For': '1.1.1.1' } })).text);
    expect(seen.headers['x-forwarded-for']).toBe('1.1.1.1, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    const same = JSON.parse((await request(`${app.url}/headers`, { headers: { 'X-Forwarded-For': '1.1.1.1, 127.0.0.1', 'X-Forwarded-Proto': 'https' } })).text);
    expect(same.headers['x-forwarded-for']).toBe('1.1.1.1, 127.0.0.1');
    expect(same.headers['x-forwarded-proto']).toBe('https');
  });
});

describe('captured output', () => {
  it('writes no log files with loggingEnabled=false, while the output still reaches the workbench', async () => {
    const folder = copyFixture('apps/echo');
    app = await serve(folder, ['--workers', '1'], { IISNODE_loggingEnabled: 'false' });
    await get(`${app.url}/stderr?msg=${encodeURIComponent('not in a file')}`);
    await waitFor(() => app!.output().includes('] not in a file'), 5000, 'the tailed line');
    expect(existsSync(path.join(folder, 'iisnode'))).toBe(false);
  });

  it('writes stdout and stderr through pipes into rotated files in logDirectory', async () => {
    const folder = copyFixture('apps/echo');
    app = await serve(folder, ['--workers', '1'], { IISNODE_maxLogFileSizeInKB: '1', IISNODE_maxLogFiles: '4' });
    await get(`${app.url}/stdout?n=200`);
    await get(`${app.url}/stderr?msg=${encodeURIComponent('an error line')}`);
    const dir = path.join(folder, 'iisnode');
    const files = await waitFor(() => {
      try {
        const list = readdirSync(dir);
        return list.some((f) => f.includes('-stderr-')) && list.filter((f) => f.includes('-stdout-')).length >= 2 ? list : undefined;
      } catch {
        return undefined;
      }
    }, 5000, 'log files');
    const pid = app.workerPids()[0];
    expect(files.every((f) => /^.+-\d+-(stdout|stderr)-\d+\.txt$/.test(f))).toBe(true);
    expect(files.filter((f) => f.includes('-stdout-')).length).toBeLessThanOrEqual(4);
    const stderrFile = files.find((f) => f.includes(`-${pid}-stderr-`)) as string;
    // The file is created before its first write lands, so wait for content before comparing it whole.
    const stderrText = await waitFor(() => readFileSync(path.join(dir, stderrFile), 'utf8') || undefined, 5000, 'stderr content');
    expect(stderrText).toBe('an error line\n');
    // The CLI tails the same records to its own terminal, prefixed with the worker.
    await waitFor(() => app!.output().includes(`:${pid}] an error line`), 3000, 'the tailed line');
  });
});
