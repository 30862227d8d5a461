// iisnode's request decorations: promoteServerVars as X-iisnode-<VAR> headers (functional test 119) and the
// iisnode-debug response header (test 132), off by default (test 100).
import { afterEach, describe, expect, it } from 'vitest';
import { copyFixture, get, serve } from '../../helpers/serve.js';
import type { Served } from '../../helpers/serve.js';

let app: Served | undefined;
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

describe('iisnode request decorations', () => {
  it('sends no iisnode-debug header by default (iisnode test 100)', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1']);
    const r = await get(`${app.url}/`);
    expect(r.headers['iisnode-debug']).toBeUndefined();
    expect(JSON.parse((await get(`${app.url}/headers`)).text).headers['x-iisnode-request_method']).toBeUndefined();
  });

  it('promotes server variables and adds the iisnode-debug header when configured (tests 119, 132)', async () => {
    app = await serve(copyFixture('apps/echo'), ['--workers', '1'], { IISNODE_promoteServerVars: 'REQUEST_METHOD,AUTH_USER,QUERY_STRING', IISNODE_debugHeaderEnabled: 'true' });
    const r = await get(`${app.url}/headers?a=1`);
    const seen = JSON.parse(r.text).headers;
    expect(seen['x-iisnode-request_method']).toBe('GET');
    expect(seen['x-iisnode-auth_user']).toBe('');
    expect(seen['x-iisnode-query_string']).toBe('a=1');
    const debug = r.headers['iisnode-debug'] as string;
    expect(debug.startsWith('http://bit.ly/NsU2nd#')).toBe(true);
    const fields = new URLSearchParams(debug.slice(debug.indexOf('#') + 1));
    expect(fields.get('iisnode_ver')).toBe('0.2.27');
    expect(Number(fields.get('node_pid'))).toBe(app.workerPids()[0]);
    expect(Number(fields.get('req_time'))).toBeGreaterThanOrEqual(0);
  });
});
