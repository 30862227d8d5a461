// iisnode's dev-error contract for node failures (functional tests 112 and 120): with devErrorsEnabled (the
// default) a 200 page naming status 500 and its substatus, with the stderr tail escaped; without it a plain 500.
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, get, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

let app: Served | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('iisnode dev errors', () => {
  it('answers an app that throws at start-up with a 200 page, substatus 1002 and the escaped stderr (test 120)', async () => {
    app = await serve(copyFixture('iis/dev-errors'), ['--workers', '1']);
    const r = await get(`${app.url}/anything`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('HTTP status: 500');
    expect(r.text).toContain('HTTP subStatus: 1002');
    expect(r.text).toContain('about to throw &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
    expect(r.text).not.toContain('<script>alert(1)</script>');
  });

  it('with nodeProcessCommandLine="idontexist.exe": 200 with devErrors, a plain 500 without (test 112)', async () => {
    app = await serve(copyFixture('iis/dev-errors'), ['--workers', '1'], { IISNODE_nodeProcessCommandLine: 'idontexist.exe' });
    const on = await get(`${app.url}/`);
    expect(on.status).toBe(200);
    expect(on.text).toContain('CB_ERR_WORKERS_SPAWN');
    expect(on.text).toContain('idontexist.exe');
    await app.stop();
    app = await serve(copyFixture('iis/dev-errors'), ['--workers', '1'], { IISNODE_nodeProcessCommandLine: 'idontexist.exe', IISNODE_devErrorsEnabled: 'false' });
    const off = await get(`${app.url}/`);
    expect(off.status).toBe(500);
    expect(off.text).toBe('500 Internal Server Error\n');
  });

  it('keeps real statuses for projects without a web.config', async () => {
    app = await serve(copyFixture('apps/crash-on-start'), ['--workers', '1']);
    expect((await get(`${app.url}/`)).status).toBe(500);
  });
});
