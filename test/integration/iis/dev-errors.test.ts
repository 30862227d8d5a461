// iisnode's dev-error contract for node failures (functional tests 112 and 120): with devErrorsEnabled (the
// default) a 200 page naming status 500 and its substatus, with the stderr tail escaped; without it a plain 500.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, get, request, serve } from '../../helpers/serve.js';
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

  it('answers a worker that dies mid-request with 500.1013 (200 with devErrors, the stderr tail escaped), a plain 500 without', async () => {
    const webConfig = '<configuration><system.webServer><handlers><add name="iisnode" path="server.js" verb="*" modules="iisnode"/></handlers><rewrite><rules><rule name="app"><match url=".*"/><action type="Rewrite" url="server.js"/></rule></rules></rewrite></system.webServer></configuration>';
    const withConfig = (extra = '') => {
      const folder = copyFixture('apps/echo');
      writeFileSync(path.join(folder, 'web.config'), webConfig.replace('<handlers>', `${extra}<handlers>`));
      return folder;
    };
    app = await serve(withConfig(), ['--workers', '1']);
    // A POST is not replayed on another worker once this one has read it.
    const on = await request(`${app.url}/crash`, { method: 'POST', body: 'x' });
    expect(on.status).toBe(200);
    expect(on.text).toContain('HTTP status: 500');
    expect(on.text).toContain('HTTP subStatus: 1013');
    expect(on.text).toContain('crashing on purpose &lt;POST&gt; &amp; gone');
    await app.stop();
    app = await serve(withConfig('<iisnode devErrorsEnabled="false"/>'), ['--workers', '1']);
    const off = await request(`${app.url}/crash`, { method: 'POST', body: 'x' });
    expect(off.status).toBe(500);
    expect(off.text).not.toContain('crashing on purpose');
  });

  it('keeps real statuses for projects without a web.config', async () => {
    app = await serve(copyFixture('apps/crash-on-start'), ['--workers', '1']);
    expect((await get(`${app.url}/`)).status).toBe(500);
  });
});
