// Editing cloudbench.json or ServiceConfiguration.<env>.cscfg while the project runs: the fabric applies the
// new instance counts live (as Azure's did when `<Instances count>` changed), under load with no failed
// request; environments appear and disappear; a broken file keeps the running configuration and says where.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../helpers/control.js';
import { CLI, copyFixture, get, load, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

/** A port that was free a moment ago, and a server holding another one. */
async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
async function holdPort(): Promise<net.Server> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return server;
}
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

describe('fabric configuration edits', () => {
  let app: Served;
  let folder: string;
  let control: ControlClient;
  const write = (name: string, content: unknown) => writeFileSync(path.join(folder, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  const fabric = async () => (await control.call('GET', '/api/fabric')).json;
  const localInstances = async () => ((await fabric()).local.instances as string[]).length;

  beforeAll(async () => {
    folder = copyFixture('apps/echo');
    write('worker.js', "console.log(`started ${process.env.CLOUDBENCH_INSTANCE_ID}`); setInterval(() => {}, 1000);\n");
    write('cloudbench.json', { instances: 1, workerRoles: { consumer: { script: 'worker.js', instances: 1 } }, environments: { test: { instances: 1 } } });
    app = await serve(folder, ['--workers', '1']);
    control = new ControlClient(app.workbenchUrl);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('scales the live folder up and down when cloudbench.json changes, with no failed request', async () => {
    expect(await localInstances()).toBe(1);
    const traffic = load(`${app.url}/instance`, 8);
    write('cloudbench.json', { instances: 3, workerRoles: { consumer: { script: 'worker.js', instances: 1 } }, environments: { test: { instances: 1 } } });
    await waitFor(async () => ((await localInstances()) === 3 ? true : undefined), 20_000, 'three local instances');
    const seen = new Set<string>();
    await waitFor(async () => {
      seen.add((await get(`${app.url}/instance`)).text);
      return seen.size === 3 ? true : undefined;
    }, 10_000, 'answers from all three instances');
    write('cloudbench.json', { instances: 1, workerRoles: { consumer: { script: 'worker.js', instances: 1 } }, environments: { test: { instances: 1 } } });
    await waitFor(async () => ((await localInstances()) === 1 ? true : undefined), 20_000, 'back to one instance');
    const { ok, failed } = await traffic.stop();
    expect(failed).toEqual([]);
    expect(ok).toBeGreaterThan(50);
    // Reported once each change has finished (the new instances ready; the removed ones drained).
    await waitFor(() => app.output().includes('configuration: local: 1 → 3 instances'), 10_000, 'the scale-out reported');
    await waitFor(() => app.output().includes('configuration: local: 3 → 1 instances'), 10_000, 'the scale-in reported');
  });

  it('scales a worker role when its count changes in the file', async () => {
    write('cloudbench.json', { instances: 1, workerRoles: { consumer: { script: 'worker.js', instances: 2 } }, environments: { test: { instances: 1 } } });
    await waitFor(async () => ((await fabric()).local.workerRoles[0].instances.length === 2 ? true : undefined), 20_000, 'two consumer instances');
    await waitFor(() => app.output().includes('started consumer_IN_1'), 10_000, 'the new worker role instance running');
  });

  it('takes <Instances count> from ServiceConfiguration.Local.cscfg when cloudbench.json leaves it out', async () => {
    write('cloudbench.json', { workerRoles: { consumer: { script: 'worker.js', instances: 2 } }, environments: { test: { instances: 1 } } });
    write('ServiceConfiguration.Local.cscfg', '<ServiceConfiguration serviceName="echo"><Role name="WebRole"><Instances count="2"/></Role></ServiceConfiguration>');
    await waitFor(async () => ((await localInstances()) === 2 ? true : undefined), 20_000, 'two local instances from the .cscfg');
  });

  it('scales a deployed environment and adds and removes environments', async () => {
    const deployed = await control.call('POST', '/api/fabric/deploy', { body: { environment: 'test' } });
    expect(deployed.status).toBe(200);
    const staging = () => fabric().then((f) => f.environments.find((e: any) => e.name === 'test').slots.find((s: any) => s.name === 'staging'));
    expect((await staging()).instances).toHaveLength(1);
    write('cloudbench.json', { workerRoles: { consumer: { script: 'worker.js', instances: 2 } }, environments: { test: { instances: 2 }, qa: { instances: 1 } } });
    await waitFor(async () => ((await staging()).instances.length === 2 ? true : undefined), 20_000, 'two instances in test/staging');
    const qa = await waitFor(async () => (await fabric()).environments.find((e: any) => e.name === 'qa'), 20_000, 'the qa environment');
    expect(qa.slots.map((s: any) => s.url)).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/)]);
    expect((await get(qa.slots[1].url)).status).toBe(503);

    write('cloudbench.json', { workerRoles: { consumer: { script: 'worker.js', instances: 2 } }, environments: { test: { instances: 2 } } });
    await waitFor(async () => ((await fabric()).environments.some((e: any) => e.name === 'qa') ? undefined : true), 20_000, 'qa removed');
    await expect(get(qa.slots[1].url)).rejects.toThrow();
  });

  it('gives slots the ports the file names, moves them live, and keeps a slot where it is when its new port is taken', async () => {
    const [production, staging, moved] = [await freePort(), await freePort(), await freePort()];
    const base = { workerRoles: { consumer: { script: 'worker.js', instances: 2 } } };
    write('cloudbench.json', { ...base, environments: { test: { instances: 2 }, qa: { ports: { production, staging } } } });
    const qaUrls = async () => (await fabric()).environments.find((e: any) => e.name === 'qa')?.slots.map((s: any) => s.url);
    expect(await waitFor(qaUrls, 20_000, 'qa with fixed ports')).toEqual([`http://127.0.0.1:${production}/`, `http://127.0.0.1:${staging}/`]);
    expect((await get(`http://127.0.0.1:${staging}/`)).status).toBe(503);

    write('cloudbench.json', { ...base, environments: { test: { instances: 2 }, qa: { ports: { production, staging: moved } } } });
    await waitFor(async () => ((await qaUrls())[1] === `http://127.0.0.1:${moved}/` ? true : undefined), 20_000, 'staging moved');
    expect((await get(`http://127.0.0.1:${moved}/`)).status).toBe(503);
    await expect(get(`http://127.0.0.1:${staging}/`)).rejects.toThrow();

    const held = await holdPort();
    try {
      write('cloudbench.json', { ...base, environments: { test: { instances: 2 }, qa: { ports: { production: portOf(held), staging: moved } } } });
      await waitFor(() => app.output().includes(`cannot listen on port ${portOf(held)}: it is already in use`), 20_000, 'the busy port reported');
      expect((await qaUrls())[0]).toBe(`http://127.0.0.1:${production}/`);
      expect((await get(`http://127.0.0.1:${production}/`)).status).toBe(503);
    } finally {
      held.close();
    }
    write('cloudbench.json', { ...base, environments: { test: { instances: 2 } } });
    await waitFor(async () => ((await qaUrls()) === undefined ? true : undefined), 20_000, 'qa removed');
  });

  it('keeps the running configuration when the file is broken, and says where', async () => {
    write('cloudbench.json', '{ "instances": 4,\n  "balancer": "fastest" }');
    await waitFor(() => app.output().includes('cloudbench.json:2:15'), 10_000, 'the error with its position');
    expect(app.output()).toContain('the previous fabric configuration stays');
    expect(await localInstances()).toBe(2);
    write('cloudbench.json', { instances: 3, workerRoles: { consumer: { script: 'worker.js', instances: 2 } }, environments: { test: { instances: 2 } } });
    await waitFor(async () => ((await localInstances()) === 3 ? true : undefined), 20_000, 'the fixed file applied');
  });
});

describe('a slot port that is taken at start', () => {
  it('stops serve with the slot, the port and a free one to use instead', async () => {
    const folder = copyFixture('apps/echo');
    const held = await holdPort();
    try {
      writeFileSync(path.join(folder, 'cloudbench.json'), JSON.stringify({ environments: { test: { ports: { staging: portOf(held) } } } }));
      const run = await promisify(execFile)(process.execPath, [CLI, 'serve', folder, '--workers', '1', '--port', '0', '--control-port', '0', '--no-emulators']).then(
        () => ({ code: 0, out: '' }),
        (err: any) => ({ code: err.code as number, out: String(err.stdout) + String(err.stderr) }),
      );
      expect(run.code).toBe(1);
      expect(run.out).toMatch(new RegExp(`CB_ERR_FABRIC_PORT_IN_USE: The staging slot of environment test cannot listen on port ${portOf(held)}: it is already in use\\.`));
      expect(run.out).toMatch(/environments\.test\.ports\.staging\), e\.g\. \d+ \(free right now\)/);
    } finally {
      held.close();
    }
  });
});
