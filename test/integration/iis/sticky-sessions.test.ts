// nodeProcessStickySessions (iisnode.md §2.4): the cookie iisnode.session.cookie=<n> pins a client to process
// n; requests without it are balanced and told which process answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, request, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

describe('sticky sessions (nodeProcessStickySessions)', () => {
  let app: Served;
  beforeAll(async () => {
    app = await serve(copyFixture('iis/sticky-sessions'));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('balances requests without the cookie and names the answering process in Set-Cookie', async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 4; i++) {
      const r = await request(`${app.url}/server.js`);
      const cookie = String(r.headers['set-cookie']);
      const m = /iisnode\.session\.cookie=(\d+)/.exec(cookie);
      expect(m, cookie).not.toBeNull();
      seen.set(m![1] as string, r.text);
    }
    expect([...seen.keys()].sort()).toEqual(['0', '1']);
    expect(new Set(seen.values()).size).toBe(2);
  });

  it('sends every request with the cookie to the process it names', async () => {
    const pidsFor = async (n: number): Promise<Set<string>> => {
      const pids = new Set<string>();
      for (let i = 0; i < 6; i++) pids.add((await request(`${app.url}/server.js`, { headers: { cookie: `a=b; iisnode.session.cookie=${n}` } })).text);
      return pids;
    };
    const zero = await pidsFor(0);
    const one = await pidsFor(1);
    expect(zero.size).toBe(1);
    expect(one.size).toBe(1);
    expect([...zero][0]).not.toBe([...one][0]);
    // n is taken modulo the process count, as iisnode did.
    expect(await pidsFor(2)).toEqual(zero);
  });
});
