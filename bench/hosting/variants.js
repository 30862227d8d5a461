// The hosting variants under test. Each start() brings one up serving the hello app with 2 workers on
// 127.0.0.1 and resolves an instance:
//   { key, label, url, port, appDir, pidGroups() → { front: pid[], workers: pid[] }, workerPids(), alive(), stop() → notes[] }
// start() rejects with Unavailable when a variant cannot run here (reported, the others still run).
// Every process a variant starts carries its temp dir in its command line or environment; stop() kills whatever still does.
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO,
  Unavailable,
  copyHelloApp,
  freePort,
  isAlive,
  listProcesses,
  makeTempDir,
  processTree,
  registerCleanup,
  removeTempDir,
  runCommand,
  startProcess,
  stopTree,
  killTreeSync,
  throwIfAborted,
  abortSignal,
  waitForHttp,
  cmdlineOf,
  cwdOf,
} from './lib.js';
import { spawnSync } from 'node:child_process';

const CLUSTER_PRIMARY = path.join(import.meta.dirname, 'launchers', 'cluster-primary.js');

/** Resolves when `proc` prints a line containing `text`; rejects (with makeError) on exit or timeout. */
function waitForLine(proc, text, timeoutMs, makeError = (m) => new Error(m)) {
  return new Promise((resolve, reject) => {
    let timer;
    let off;
    const onAbort = () => done(abortSignal.reason);
    const done = (error) => {
      clearTimeout(timer);
      off?.();
      abortSignal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };
    if (proc.output().includes(text)) return resolve();
    off = proc.onLine((line) => line.includes(text) && done());
    timer = setTimeout(() => done(makeError(`no line containing "${text}" within ${timeoutMs / 1000} s; last output:\n${proc.tail()}`)), timeoutMs);
    proc.exited.then((info) => done(makeError(`exited (${info.signal ?? `code ${info.code}`}) before printing "${text}"; last output:\n${proc.tail()}`)));
    abortSignal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Final sweep of a variant: anything still carrying its marker (temp dir) is an orphan. */
async function sweep(marker, name) {
  return stopTree({ marker, graceMs: 0, name: `${name} (orphan sweep)` });
}

const descendantsOf = (pid) => processTree([pid]).filter((p) => p.pid !== pid).map((p) => p.pid);

// ---------------------------------------------------------------------------------------------------------
// (a) ours: node bin/cloudbench.js serve <app> --port <p> --host 127.0.0.1 --workers 2

/** Worker pids of a cloudbench process: descendants running the app (cmdline mentions the app folder, or cwd is it). */
export function cloudbenchWorkers(rootPid, appDir) {
  const tree = processTree([rootPid]).filter((p) => p.pid !== rootPid);
  const isWorker = (p) => cmdlineOf(p.pid).includes(appDir) || cwdOf(p.pid) === appDir;
  const workers = tree.filter(isWorker);
  const workerPids = new Set(workers.map((p) => p.pid));
  // A worker's own children (if the app spawned any) are not workers.
  return workers.filter((p) => !workerPids.has(p.ppid)).map((p) => p.pid);
}

export const ours = {
  key: 'ours',
  label: 'ours: cloudbench serve ×2',
  async start({ workers = 2 } = {}) {
    const bin = path.join(REPO, 'bin', 'cloudbench.js');
    if (!fs.existsSync(bin)) throw new Unavailable(`${path.relative(REPO, bin)} does not exist yet`);
    const tmp = makeTempDir('ours');
    const appDir = copyHelloApp(tmp);
    const port = await freePort();
    // The hosting benchmarks measure the front end: no emulators beside it.
    const args = [bin, 'serve', appDir, '--port', String(port), '--host', '127.0.0.1', '--workers', String(workers), '--no-emulators'];
    // SIGINT is what a user's Ctrl-C sends: `serve` must shut down cleanly on it.
    const proc = startProcess('cloudbench serve', process.execPath, args, { marker: tmp, stopSignal: 'SIGINT', graceMs: 8000 });
    const stop = async () => {
      const notes = [...(await proc.stop()), ...(await sweep(tmp, 'cloudbench serve'))];
      removeTempDir(tmp);
      return notes;
    };
    try {
      await waitForLine(proc, `at http://127.0.0.1:${port}/`, 30_000, (m) => new Unavailable(`cloudbench serve ${m}`));
      await waitForHttp({ port }, {
        timeoutMs: 10_000,
        check: () => {
          if (proc.exitInfo) throw new Unavailable(`cloudbench serve exited after its ready line; last output:\n${proc.tail()}`);
        },
      });
    } catch (error) {
      await stop();
      if (error instanceof Unavailable || abortSignal.aborted) throw error;
      throw new Unavailable(error.message);
    }
    return {
      key: this.key,
      label: this.label,
      port,
      url: `http://127.0.0.1:${port}/`,
      appDir,
      command: `node ${args.map((a) => path.relative(REPO, a) || a).join(' ')}`,
      rootPid: proc.pid,
      pidGroups: () => ({ front: [proc.pid], workers: descendantsOf(proc.pid) }),
      workerPids: () => cloudbenchWorkers(proc.pid, appDir),
      alive: () => !proc.exitInfo,
      output: () => proc.output(),
      stop,
    };
  },
};

// ---------------------------------------------------------------------------------------------------------
// (b) node:cluster, 2 workers, default scheduling

export const cluster = {
  key: 'cluster',
  label: 'node:cluster ×2',
  async start({ workers = 2 } = {}) {
    const tmp = makeTempDir('cluster');
    const appDir = copyHelloApp(tmp);
    const port = await freePort();
    const proc = startProcess('node:cluster primary', process.execPath, [CLUSTER_PRIMARY, path.join(appDir, 'server.js'), String(workers), String(port)], {
      marker: tmp,
      cwd: appDir,
    });
    const stop = async () => {
      const notes = [...(await proc.stop()), ...(await sweep(tmp, 'node:cluster'))];
      removeTempDir(tmp);
      return notes;
    };
    try {
      await waitForLine(proc, 'ready at', 30_000);
      await waitForHttp({ port });
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      key: this.key,
      label: this.label,
      port,
      url: `http://127.0.0.1:${port}/`,
      appDir,
      rootPid: proc.pid,
      pidGroups: () => ({ front: [proc.pid], workers: descendantsOf(proc.pid) }),
      workerPids: () => descendantsOf(proc.pid),
      alive: () => !proc.exitInfo,
      stop,
    };
  },
};

// ---------------------------------------------------------------------------------------------------------
// (c) nginx, 1 worker_process, proxying to 2 node processes on Unix sockets through a keepalive pool

function nginxConfig({ tmp, port, sockets }) {
  const asRoot = process.getuid?.() === 0;
  return `# Generated by bench/hosting/variants.js for one benchmark run; removed afterwards.
${asRoot ? '# Running as root: workers stay root so they can reach the node sockets in this private (0700) temp dir.\nuser root;\n' : ''}daemon off;
master_process on;
worker_processes 1;
pid ${tmp}/nginx.pid;
error_log ${tmp}/error.log warn;

events {
  worker_connections 1024;
}

http {
  access_log off;
  client_body_temp_path ${tmp}/client_body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  # Client connections are kept for the whole run (wrk keeps its 50 connections open), as with the other variants.
  keepalive_requests 1000000;
  keepalive_timeout 65s;

  # max_fails=0: a failed connect or reset never takes a server out of rotation; the request just moves on to
  # the next server (proxy_next_upstream error timeout, the default). With the default max_fails=1
  # fail_timeout=10s, a worker killed and restarted within 10 s of the other one's kill leaves nginx with
  # "no live upstreams" and thousands of 502s although a worker is up again after ~0.2 s.
  upstream app {
${sockets.map((s) => `    server unix:${s} max_fails=0;`).join('\n')}
    keepalive 64;
  }

  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }
  }
}
`;
}

/** Node processes on Unix sockets, restarted when they exit (the supervisor nginx itself does not have). */
class SocketWorkers {
  constructor(script, sockets) {
    this.script = script;
    this.sockets = sockets;
    this.procs = [];
    this.events = [];
    this.stopping = false;
  }

  async startAll() {
    await Promise.all(this.sockets.map((_, i) => this.spawn(i)));
  }

  async spawn(i) {
    const socket = this.sockets[i];
    fs.rmSync(socket, { force: true }); // a killed worker leaves its socket file behind
    const proc = startProcess(`node worker ${i}`, process.execPath, [this.script], {
      env: { ...process.env, PORT: socket },
      cwd: path.dirname(this.script),
      graceMs: 3000,
    });
    this.procs[i] = proc;
    proc.exited.then((info) => {
      if (this.stopping) return;
      proc.stop(); // the process is gone: this only unregisters it
      const event = { worker: i, pid: proc.pid, exitedAt: Date.now(), exit: info.signal ?? `code ${info.code}` };
      this.events.push(event);
      this.spawn(i).then(
        () => (event.readyAt = Date.now()),
        (error) => (event.error = error.message),
      );
    });
    await waitForHttp({ socketPath: socket }, {
      timeoutMs: 15_000,
      check: () => {
        if (proc.exitInfo) throw new Error(`node worker ${i} exited before listening; output:\n${proc.tail()}`);
      },
    });
  }

  pids() {
    return this.procs.filter((p) => !p.exitInfo).map((p) => p.pid);
  }

  async stop() {
    this.stopping = true;
    const notes = await Promise.all(this.procs.map((p) => p.stop()));
    return notes.flat();
  }
}

export const nginx = {
  key: 'nginx',
  label: 'nginx (1 wp) → 2 node on UDS',
  async start({ workers = 2, tools } = {}) {
    const tmp = makeTempDir('nginx');
    const appDir = copyHelloApp(tmp);
    const sockets = Array.from({ length: workers }, (_, i) => path.join(tmp, `w${i}.sock`));
    const pool = new SocketWorkers(path.join(appDir, 'server.js'), sockets);
    let proc;
    const stop = async () => {
      pool.stopping = true;
      const notes = [...((await proc?.stop()) ?? []), ...(await pool.stop()), ...(await sweep(tmp, 'nginx'))];
      removeTempDir(tmp);
      return notes;
    };
    const port = await freePort();
    try {
      await pool.startAll();
      const conf = path.join(tmp, 'nginx.conf');
      fs.writeFileSync(conf, nginxConfig({ tmp, port, sockets }));
      proc = startProcess('nginx', tools.nginx, ['-p', `${tmp}/`, '-c', conf, '-e', path.join(tmp, 'error.log')], { graceMs: 5000 });
      const errorLog = () => {
        try {
          return fs.readFileSync(path.join(tmp, 'error.log'), 'utf8').trim().split('\n').slice(-10).join('\n');
        } catch {
          return '';
        }
      };
      await waitForHttp({ port }, {
        check: () => {
          if (proc.exitInfo) throw new Error(`nginx exited (${proc.exitInfo.signal ?? proc.exitInfo.code}):\n${proc.tail()}\n${errorLog()}`);
        },
      });
    } catch (error) {
      await stop();
      throw error;
    }
    return {
      key: this.key,
      label: this.label,
      port,
      url: `http://127.0.0.1:${port}/`,
      appDir,
      rootPid: proc.pid,
      pool,
      pidGroups: () => ({ front: processTree([proc.pid]).map((p) => p.pid), workers: processTree(pool.pids()).map((p) => p.pid) }),
      workerPids: () => pool.pids(),
      alive: () => !proc.exitInfo,
      stop,
    };
  },
};

// ---------------------------------------------------------------------------------------------------------
// (d) PM2 cluster mode, 2 instances, with a private PM2_HOME

function pm2Script() {
  const bin = path.join(REPO, 'node_modules', '.bin', 'pm2');
  return fs.existsSync(bin) ? fs.realpathSync(bin) : undefined;
}

export const pm2 = {
  key: 'pm2',
  label: 'PM2 cluster ×2',
  async start({ workers = 2 } = {}) {
    const script = pm2Script();
    if (!script) throw new Unavailable('node_modules/.bin/pm2 is missing (run npm install)');
    const tmp = makeTempDir('pm2');
    const appDir = copyHelloApp(tmp);
    const home = path.join(tmp, 'pm2home');
    const port = await freePort();
    const env = { ...process.env, PM2_HOME: home, PORT: String(port) };
    const pidFile = path.join(home, 'pm2.pid');
    const daemonPid = () => {
      try {
        return Number(fs.readFileSync(pidFile, 'utf8').trim()) || undefined;
      } catch {
        return undefined;
      }
    };
    let stopped;
    const stop = () =>
      (stopped ??= (async () => {
        const notes = [];
        const pid = daemonPid();
        if (pid !== undefined && isAlive(pid)) {
          const r = await runCommand(process.execPath, [script, 'kill'], { env, timeoutMs: 30_000 }).catch((e) => ({ code: -1, stderr: e.message }));
          if (r.code !== 0) notes.push(`pm2 kill failed (${r.signal ?? r.code}): ${(r.stderr || r.stdout || '').trim().slice(-300)}`);
        }
        notes.push(...(await stopTree({ rootPid: pid, marker: tmp, graceMs: 3000, name: 'PM2 daemon' })));
        unregister();
        removeTempDir(tmp);
        return notes;
      })());
    const unregister = registerCleanup({
      name: 'pm2',
      close: stop,
      closeSync: () => {
        if (daemonPid() !== undefined && isAlive(daemonPid())) spawnSync(process.execPath, [script, 'kill'], { env, timeout: 15_000, stdio: 'ignore' });
        killTreeSync({ rootPid: daemonPid(), marker: tmp });
      },
    });
    try {
      throwIfAborted();
      const r = await runCommand(process.execPath, [script, 'start', path.join(appDir, 'server.js'), '-i', String(workers), '--name', 'cb-hello'], {
        env,
        cwd: appDir,
        timeoutMs: 60_000,
      });
      if (r.code !== 0) throw new Error(`pm2 start failed (${r.signal ?? r.code}):\n${(r.stdout + r.stderr).trim().slice(-1500)}`);
      if (daemonPid() === undefined) throw new Error(`pm2 start did not leave a daemon pid in ${pidFile}`);
      await waitForHttp({ port });
    } catch (error) {
      await stop();
      throw error;
    }
    const pid = daemonPid();
    return {
      key: this.key,
      label: this.label,
      port,
      url: `http://127.0.0.1:${port}/`,
      appDir,
      rootPid: pid,
      pidGroups: () => ({ front: [pid], workers: descendantsOf(pid) }),
      workerPids: () => descendantsOf(pid),
      alive: () => isAlive(pid),
      stop,
    };
  },
};

export const VARIANTS = [ours, cluster, nginx, pm2];

/** Command lines of a variant's processes, for the record (what the CPU columns covered). */
export function describeProcesses(groups) {
  const procs = new Map(listProcesses().map((p) => [p.pid, p]));
  return Object.entries(groups).flatMap(([group, pids]) =>
    pids.filter((pid) => procs.has(pid)).map((pid) => ({ group, pid, ppid: procs.get(pid).ppid, cmdline: cmdlineOf(pid).slice(0, 200) })),
  );
}
