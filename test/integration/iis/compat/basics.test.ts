// iisnode compatibility, the basics: hello world, dispatch order, default document, URL rewrite, echo, working
// directory, appSettings and the iisnode.yml process count (iisnode functional tests 100-104, 107, 108, 114, 124).
// Each fixture is an iisnode project from test/fixtures/iis/compat, served as it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, request } from '../../../helpers/serve.js';
import { CompatFixtures, sequence } from './compat.js';

const fixtures = new CompatFixtures();

beforeAll(async () => {
  for (const name of ['100_helloworld', '101_helloworld_sequence', '102_defaultdocument', '103_urlrewrite', '104_echo', '107_filesystem', '108_appsettings', '114_roundrobin', '124_node_config_override']) {
    fixtures.start(name);
  }
  await fixtures.settled();
});
afterAll(() => fixtures.stopAll());

describe('iisnode compatibility: basics', () => {
  it('iisnode 100: hello world answers 200 "Hello, world!" with no iisnode-debug header', async () => {
    const app = await fixtures.app('100_helloworld');
    const r = await get(`${app.url}/hello.js`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('Hello, world!');
    expect(r.headers['iisnode-debug']).toBeUndefined();
  });

  it('iisnode 101: five sequential requests reach the same process (counter 1..5)', async () => {
    const app = await fixtures.app('101_helloworld_sequence');
    expect(await sequence(`${app.url}/hello.js`, 5)).toEqual(['Hello, world 1', 'Hello, world 2', 'Hello, world 3', 'Hello, world 4', 'Hello, world 5']);
  });

  it('iisnode 102: GET / reaches index.js through <defaultDocument>', async () => {
    const app = await fixtures.app('102_defaultdocument');
    const r = await get(`${app.url}/`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('[defaultdocument]');
  });

  it('iisnode 103: URL Rewrite sends hello/* to hello.js, which sees the original URL with its query', async () => {
    const app = await fixtures.app('103_urlrewrite');
    for (const url of ['/hello', '/hello/', '/hello.js', '/hello?foo=bar', '/hello/a/b/c', '/hello/a/b/c/', '/hello/a/b?foo=bar']) {
      const r = await get(`${app.url}${url}`);
      expect(r.status, url).toBe(200);
      expect(r.text, url).toBe(url);
    }
  });

  it('iisnode 104: a POST body is echoed', async () => {
    const app = await fixtures.app('104_echo');
    const r = await request(`${app.url}/echo.js`, { method: 'POST', body: 'A simple body' });
    expect(r.status).toBe(200);
    expect(r.text).toBe('A simple body');
  });

  it("iisnode 107: the working directory is the script's folder (a relative readFile finds file.txt)", async () => {
    const app = await fixtures.app('107_filesystem');
    const r = await get(`${app.url}/hello.js`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('Contents of a file');
  });

  it('iisnode 108: appSettings become environment variables; an empty key is skipped, an empty value kept ("value1value2")', async () => {
    const app = await fixtures.app('108_appsettings');
    const r = await get(`${app.url}/hello.js`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('value1value2');
  });

  it('iisnode 114: round robin over 2 processes from the first request: 1,1,2,2', async () => {
    const app = await fixtures.app('114_roundrobin');
    expect(await sequence(`${app.url}/hello.js`, 4)).toEqual(['Hello, world 1', 'Hello, world 1', 'Hello, world 2', 'Hello, world 2']);
  });

  it("iisnode 124: iisnode.yml's 4 processes override web.config's 2: 1,1,1,1,2,2,2,2", async () => {
    const app = await fixtures.app('124_node_config_override');
    const ones = Array<string>(4).fill('Hello, world 1');
    const twos = Array<string>(4).fill('Hello, world 2');
    expect(await sequence(`${app.url}/hello.js`, 8)).toEqual([...ones, ...twos]);
  });
});
