// recycleSignalEnabled (iisnode functional test 143): the app writes `recycle` to IISNODE_CONTROL_PIPE and is
// replaced by new workers. Unlike iisnode's one-shot pipe it works every time.
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, get, serve, waitFor } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

let app: Served | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('recycleSignalEnabled', () => {
  it('gives no control pipe unless enabled', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1']);
    expect((await get(`${app.url}/recycle-signal`)).text).toBe('no control pipe');
  });

  it('recycles the workers each time the app writes `recycle` to the pipe (test 143)', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1'], { IISNODE_recycleSignalEnabled: 'true' });
    for (let round = 0; round < 2; round++) {
      const before = (await get(`${app.url}/pid`)).text;
      expect((await get(`${app.url}/recycle-signal`)).text).toBe('sent');
      await waitFor(async () => (await get(`${app!.url}/pid`)).text !== before, 10_000, `the recycle (round ${round + 1})`);
    }
    expect(app.output()).toMatch(/the app asked for a recycle \(IISNODE_CONTROL_PIPE\): recycling to generation 3/);
  });
});
