// azure.RoleEnvironment (the `azure` npm package's service runtime client, as 2012-era cloud services call it)
// inside Cloudbench's role instances: settings from ServiceConfiguration.Local.cscfg, the instance's identity,
// the deployment, `changed` when the settings change, and setStatus/requestRecycle acting on the instance.
// The site is set up as the workbench sets up the live folder (loadFabricConfig → SiteHost).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFabricConfig } from '../../../runtime/fabric/fabric-config.js';
import { SiteHost } from '../../../runtime/hosting/site-host.js';
import { loadProject } from '../../../runtime/project/load-project.js';
import { ROOT, copyFixture, get, serve, waitFor } from '../../helpers/serve.js';

let host: SiteHost | undefined;
afterEach(async () => {
  await host?.stop();
  host = undefined;
});

async function start(instances?: number, env: Record<string, string> = {}): Promise<SiteHost> {
  const folder = copyFixture('apps/cloud-service');
  const config = loadFabricConfig(folder);
  const h = new SiteHost(loadProject(folder), {
    port: 0,
    workers: 1,
    instances: instances ?? config.instances,
    env: { ...process.env, NODE_PATH: `${ROOT}node_modules`, ...env },
    settingsEnv: config.localSettings,
    workerRoles: config.workerRoles,
    roleEnvironment: { deploymentId: 'local', webRole: config.webRole, settings: config.localSettings, workerRoleSettings: config.workerRoleSettings['local'] },
  });
  await h.start();
  expect(await h.whenReady()).toBe('running');
  return h;
}

const json = async (url: string): Promise<any> => JSON.parse((await get(url)).text);

/** GET straight to an instance's worker (past the balancer, which skips a busy instance). */
function viaWorker(role: SiteHost['roleInstances'][number], urlPath: string): Promise<any> {
  const address = role.group.routable[0]!.address;
  return new Promise((resolve, reject) => {
    const req = http.get({ ...(address.kind === 'pipe' ? { socketPath: address.path } : { host: address.host, port: address.port }), path: urlPath }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
  });
}

describe('azure.RoleEnvironment in a role instance', () => {
  it('answers the cscfg settings, the instance, the deployment and the roles', async () => {
    host = await start();
    expect(await json(`${host.url}available`)).toBe(true);
    expect(await json(`${host.url}settings`)).toEqual({ StorageAccount: 'devstoreaccount1', Greeting: 'Hello & welcome' });
    expect(await json(`${host.url}instance`)).toEqual({ id: 'local', roleName: 'TaskWeb' });
    expect(await json(`${host.url}deployment`)).toEqual({ id: 'local', emulated: true });
    expect(await json(`${host.url}roles`)).toEqual(['TaskWeb']);
    // The same settings as environment variables, as every environment's settings are.
    expect(await json(`${host.url}env`)).toEqual({ Greeting: 'Hello & welcome' });
  });

  it('gives a worker role its own <Role> settings and name', async () => {
    const report = path.join(mkdtempSync(path.join(os.tmpdir(), 'cb-role-report-')), 'report.json');
    host = await start(undefined, { ROLE_REPORT: report });
    await waitFor(async () => existsSync(report), 10_000, 'the worker role\'s report');
    expect(JSON.parse(readFileSync(report, 'utf8'))).toEqual({ settings: { Greeting: 'Hello, worker' }, roleName: 'TaskWorker', id: 'TaskWorker_IN_0' });
    // The web role, listed after it in the cscfg, keeps its own.
    expect(await json(`${host.url}settings`)).toEqual({ StorageAccount: 'devstoreaccount1', Greeting: 'Hello & welcome' });
  });

  it('gives workers started after a settings edit the new variables, and the base value back for a removed setting', async () => {
    host = await start(undefined, { Greeting: 'from the shell' });
    expect(await json(`${host.url}env`)).toEqual({ Greeting: 'Hello & welcome' });
    host.setSettingsEnv({ StorageAccount: 'devstoreaccount1' });
    expect(await json(`${host.url}env`)).toEqual({ Greeting: 'Hello & welcome' }); // running workers keep theirs
    expect(await json(`${host.url}recycle`)).toBe('recycling');
    await waitFor(async () => (await json(`${host!.url}env`)).Greeting === 'from the shell', 10_000, 'a recycled worker with the base value');
  });

  it('tells a listening app about changed settings, and the next read has them', async () => {
    host = await start();
    // The app reads its settings first (that connects RoleEnvironment to the runtime), as apps do at start-up.
    expect(await json(`${host.url}settings`)).toMatchObject({ Greeting: 'Hello & welcome' });
    expect(await json(`${host.url}changes`)).toBeNull();
    host.setRoleSettings({ StorageAccount: 'devstoreaccount1', Greeting: 'Changed' });
    await waitFor(async () => (await json(`${host!.url}changes`)) !== null, 5000, 'the changed event');
    // (The client lists a ConfigurationSettingChange per setting without its name: a bug of the azure package
    // itself, the same against Azure.)
    const changes = await json(`${host.url}changes`);
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c: { type: string }) => c.type === 'ConfigurationSettingChange')).toBe(true);
    expect(await json(`${host.url}settings`)).toEqual({ StorageAccount: 'devstoreaccount1', Greeting: 'Changed' });
  });

  it('takes the instance out of the balancer on setStatus Busy, back on clearStatus, and recycles on requestRecycle', async () => {
    host = await start(2);
    const [first, second] = host.roleInstances;
    expect(await viaWorker(first!, '/busy')).toBe('busy');
    await waitFor(async () => first!.busy, 5000, 'the instance marked busy');
    for (let i = 0; i < 4; i++) expect(await json(`${host.url}instance`)).toMatchObject({ id: second!.name });
    expect(await viaWorker(first!, '/ready')).toBe('ready');
    await waitFor(async () => !first!.busy, 5000, 'the instance ready again');
    // A Busy status lapses at the expiration the app gave setStatus.
    expect(await viaWorker(first!, '/busy-briefly')).toBe('busy');
    await waitFor(async () => first!.busy, 5000, 'the instance marked busy');
    await waitFor(async () => !first!.busy, 5000, 'the busy status lapsed');
    const recycled = new Promise((resolve) => host!.events.once('recycling', resolve));
    expect(await viaWorker(second!, '/recycle')).toBe('recycling');
    expect(await recycled).toMatchObject({ instance: second!.name, reason: expect.stringContaining('RoleEnvironment.requestRecycle') });
  });
});

describe('azure.RoleEnvironment under cloudbench serve', () => {
  it('gets the live folder\'s Local.cscfg settings, `changed` when the file is saved, the new variables after a recycle', async () => {
    const folder = copyFixture('apps/cloud-service');
    const app = await serve(folder, ['--workers', '1']);
    try {
      const url = app.url.endsWith('/') ? app.url : `${app.url}/`;
      expect(await json(`${url}settings`)).toEqual({ StorageAccount: 'devstoreaccount1', Greeting: 'Hello & welcome' });
      expect(await json(`${url}env`)).toEqual({ Greeting: 'Hello & welcome' });
      expect(await json(`${url}instance`)).toEqual({ id: 'local', roleName: 'TaskWeb' });
      const cscfg = path.join(folder, 'ServiceConfiguration.Local.cscfg');
      writeFileSync(cscfg, readFileSync(cscfg, 'utf8').replace('Hello &amp; welcome', 'Saved'));
      await waitFor(async () => (await json(`${url}changes`)) !== null, 10_000, 'the changed event');
      expect(await json(`${url}settings`)).toMatchObject({ Greeting: 'Saved' });
      // The variables keep the running workers' values; workers started after the edit (here: a recycle the app
      // asks for, as an app that cancels `changing` does) get the new ones.
      expect(await json(`${url}env`)).toEqual({ Greeting: 'Hello & welcome' });
      expect(await json(`${url}recycle`)).toBe('recycling');
      await waitFor(async () => (await json(`${url}env`)).Greeting === 'Saved', 10_000, 'a recycled worker with the new variables');
    } finally {
      await app.stop();
    }
  });
});
