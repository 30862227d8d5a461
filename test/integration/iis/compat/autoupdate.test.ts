// iisnode compatibility, recycling: a changed script or dependency serves new code, watchedFiles may name a
// missing folder, an iisnode.yml rewritten by the app applies its process count, and the app can ask for a
// recycle over IISNODE_CONTROL_PIPE (iisnode functional tests 106, 117, 121, 125, 143). iisnode's .bat tests
// slept 5-8 s after a change; these wait for the new code instead.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, waitFor } from '../../../helpers/serve.js';
import { CompatFixtures, newGeneration, sequence } from './compat.js';

const fixtures = new CompatFixtures();

beforeAll(async () => {
  fixtures.start('106_autoupdate');
  fixtures.start('117_autoupdate_dependency', {
    // As iisnode's 117_autoupdate_dependency.bat did: the dependency is copied into node_modules first.
    prepare: (folder) => {
      mkdirSync(path.join(folder, 'node_modules'));
      copyFileSync(path.join(folder, 'part_first.js'), path.join(folder, 'node_modules', 'part.js'));
    },
  });
  fixtures.start('121_watchedFiles');
  fixtures.start('125_node_config_autoupdate');
  fixtures.start('143_recycle_signal');
  await fixtures.settled();
});
afterAll(() => fixtures.stopAll());

describe('iisnode compatibility: auto update and recycling', () => {
  it('iisnode 106: replacing hello.js recycles; the new code answers', async () => {
    const app = await fixtures.app('106_autoupdate');
    const folder = fixtures.folder('106_autoupdate');
    expect((await get(`${app.url}/hello.js`)).text).toBe('Hello, world 1');
    copyFileSync(path.join(folder, 'hello_second.js'), path.join(folder, 'hello.js'));
    await waitFor(async () => (await get(`${app.url}/hello.js`)).text === 'Hello, world 2', 10_000, 'the new hello.js to answer');
  });

  it('iisnode 117: watchedFiles="*.js;node_modules\\*.js": changing node_modules/part.js recycles', async () => {
    const app = await fixtures.app('117_autoupdate_dependency');
    const folder = fixtures.folder('117_autoupdate_dependency');
    expect((await get(`${app.url}/hello.js`)).text).toBe('Hello, world 1');
    copyFileSync(path.join(folder, 'part_second.js'), path.join(folder, 'node_modules', 'part.js'));
    await waitFor(async () => (await get(`${app.url}/hello.js`)).text === 'Hello, world 2', 10_000, 'the new part.js to answer');
  });

  it('iisnode 121: watchedFiles naming a folder that does not exist still serves "Hello, world!"', async () => {
    const app = await fixtures.app('121_watchedFiles');
    const r = await get(`${app.url}/hello.js`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('Hello, world!');
  });

  it('iisnode 125: the app rewrites iisnode.yml (2, then 4 processes); each change recycles with the new count', async () => {
    const app = await fixtures.app('125_node_config_autoupdate');
    const url = `${app.url}/hello.js`;
    let before = app.workerPids();
    expect((await get(`${url}?revert`)).text).toBe('iisnode.yml reverted');
    await waitFor(newGeneration(app, before, 2), 10_000, 'a new generation of 2 processes');
    expect(await sequence(url, 4)).toEqual(['Hello, world 1', 'Hello, world 1', 'Hello, world 2', 'Hello, world 2']);
    before = app.workerPids();
    expect((await get(`${url}?update`)).text).toBe('iisnode.yml updated');
    await waitFor(newGeneration(app, before, 4), 10_000, 'a new generation of 4 processes');
    const ones = Array<string>(4).fill('Hello, world 1');
    const twos = Array<string>(4).fill('Hello, world 2');
    expect(await sequence(url, 8)).toEqual([...ones, ...twos]);
  });

  it('iisnode 143: the app writes "recycle" to IISNODE_CONTROL_PIPE; a later request shows another node pid', async () => {
    const app = await fixtures.app('143_recycle_signal');
    const first = await get(`${app.url}/hello.js`);
    expect(first.status).toBe(200);
    expect(first.text).toBe('Hello, world!');
    const firstPid = first.headers.processpid;
    expect(firstPid).toMatch(/^\d+$/);
    const second = await waitFor(async () => {
      const r = await get(`${app.url}/hello.js`);
      return r.headers.processpid !== firstPid ? r : undefined;
    }, 10_000, 'a response from a new process');
    expect(second.status).toBe(200);
    expect(second.text).toBe('Hello, world!');
  });
});
