// The IIS URL Rewrite rules of real iisnode sites must route requests as IIS does: the Azure/Kudu template sends
// what is not a file under public/ to server.js, iisnode test 103 rewrites hello/* to hello.js while the app still
// sees the URL the client asked for, and no URL may make {REQUEST_FILENAME} or IsFile look outside the site.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiskRewriteEnv, evaluateRewrite } from '../../../runtime/hosting/rewrite.js';
import type { RewriteEnv, RewriteRequest, RewriteResult } from '../../../runtime/hosting/rewrite.js';
import { KUDU_TEMPLATE, rules, rulesOf, seeded } from '../project/rewrite-test-helpers.js';

const ROOT = path.resolve('/site');

/** An in-memory site: `files` relative to ROOT; their folders and `dirs` are directories. Records every probe. */
function memEnv(files: string[] = [], dirs: string[] = []): RewriteEnv & { probes: string[] } {
  const fileSet = new Set(files.map((f) => path.join(ROOT, f)));
  const dirSet = new Set([ROOT, ...dirs.map((d) => path.join(ROOT, d))]);
  for (const f of fileSet) for (let d = path.dirname(f); d.startsWith(ROOT); d = path.dirname(d)) dirSet.add(d);
  const probes: string[] = [];
  return {
    physicalRoot: ROOT,
    probes,
    isFile: (p) => (probes.push(p), fileSet.has(p)),
    isDirectory: (p) => (probes.push(p), dirSet.has(p)),
  };
}

function req(url: string, more: Partial<RewriteRequest> = {}): RewriteRequest {
  return { url, method: 'GET', headers: { host: 'localhost:8080' }, ...more };
}

/** Evaluates the rules of a <rewrite><rules> body for one URL. */
function run(ruleXml: string, url: string, more: Partial<RewriteRequest> = {}, env: RewriteEnv = memEnv()): RewriteResult {
  return evaluateRewrite(rulesOf(rules(ruleXml)), req(url, more), env);
}

describe('the Azure/Kudu iisnode template end to end', () => {
  const kudu = rulesOf(KUDU_TEMPLATE);
  const env = memEnv(['server.js', 'public/css/site.css', 'public/index.html'], ['public/img']);

  it('sends the site root and unknown URLs to server.js, and the app still sees the URL asked for', () => {
    expect(evaluateRewrite(kudu, req('/'), env)).toMatchObject({ type: 'serve', url: '/server.js', rewritten: true, originalUrl: '/', matchedRules: ['StaticContent', 'DynamicContent'] });
    expect(evaluateRewrite(kudu, req('/api/users/7'), env)).toMatchObject({ type: 'serve', path: '/server.js', physicalPath: path.join(ROOT, 'server.js'), originalUrl: '/api/users/7' });
    // A folder under public/ is not a file, so the app gets it.
    expect(evaluateRewrite(kudu, req('/img'), env)).toMatchObject({ path: '/server.js' });
  });

  it('serves files that exist under public/ as static files', () => {
    const r = evaluateRewrite(kudu, req('/css/site.css'), env);
    expect(r).toMatchObject({ type: 'serve', path: '/public/css/site.css', physicalPath: path.join(ROOT, 'public', 'css', 'site.css'), matchedRules: ['StaticContent'], originalUrl: '/css/site.css' });
    expect(evaluateRewrite(kudu, req('/CSS/site.css'), env)).toMatchObject({ path: '/server.js' });
  });

  it('keeps the query for the app, and appends it once more to public{REQUEST_URI} (which already holds it), as IIS does', () => {
    const r = evaluateRewrite(kudu, req('/search?q=node&page=2'), env);
    expect(r).toMatchObject({ path: '/server.js', originalUrl: '/search?q=node&page=2', queryString: 'q=node&page=2&q=node&page=2' });
    expect(evaluateRewrite(kudu, req('/css/site.css?v=3'), env)).toMatchObject({ path: '/public/css/site.css', queryString: 'v=3&v=3' });
  });

  it('leaves node-inspector URLs alone (NodeInspector: no action, stopProcessing)', () => {
    for (const url of ['/server.js/debug', '/server.js/debug/', '/SERVER.JS/debug/?port=5858']) {
      const r = evaluateRewrite(kudu, req(url), env);
      expect(r, url).toMatchObject({ type: 'serve', rewritten: false, matchedRules: ['NodeInspector'] });
      expect(r.path, url).toBe(url.split('?')[0]);
    }
  });

  it('does the same against a real folder on disk', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cloudbench-rewrite-'));
    try {
      await mkdir(path.join(dir, 'public', 'css'), { recursive: true });
      await writeFile(path.join(dir, 'public', 'css', 'site.css'), 'body{}');
      await writeFile(path.join(dir, 'server.js'), '');
      await writeFile(path.join(dir, 'secret.txt'), 'outside public');
      const disk = createDiskRewriteEnv(dir);
      expect(evaluateRewrite(kudu, req('/css/site.css'), disk)).toMatchObject({ path: '/public/css/site.css', physicalPath: path.join(dir, 'public', 'css', 'site.css') });
      expect(evaluateRewrite(kudu, req('/css'), disk)).toMatchObject({ path: '/server.js', physicalPath: path.join(dir, 'server.js') });
      expect(evaluateRewrite(kudu, req('/secret.txt'), disk)).toMatchObject({ path: '/server.js' });
      // Dot segments are resolved before public{REQUEST_URI} is built, so they cannot climb out of public/.
      for (const url of ['/../secret.txt', '/css/%2e%2e/%2e%2e/secret.txt', '/css/..%2f..%2fsecret.txt', '/..%5cserver.js']) {
        expect(evaluateRewrite(kudu, req(url), disk), url).toMatchObject({ path: '/server.js' });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('iisnode test 103: hello/* → hello.js, the app sees the original URL', () => {
  // www/103_urlrewrite/web.config; the test requests these under /103_urlrewrite/, its own application.
  const hello = rulesOf(rules('<rule name="hello"><match url="hello/*" /><action type="Rewrite" url="hello.js" /></rule>'));
  const urls = ['/hello', '/hello/', '/hello.js', '/hello?foo=bar', '/hello/a/b/c', '/hello/a/b/c/', '/hello/a/b?foo=bar'];

  it.each(urls)('%s', (url) => {
    const r = evaluateRewrite(hello, req(url), memEnv(['hello.js']));
    expect(r).toMatchObject({ type: 'serve', path: '/hello.js', physicalPath: path.join(ROOT, 'hello.js'), rewritten: true, originalUrl: url });
    expect(r.queryString).toBe(url.includes('?') ? 'foo=bar' : '');
  });
});

describe('actions', () => {
  it('Redirect: 301 by default, Found 302, SeeOther 303, Temporary 307; the location as written with the query appended', () => {
    const redirect = (type: string): RewriteResult => run(`<rule name="r"><match url="^old/(.*)"/><action type="Redirect" url="/new/{R:1}" ${type}/></rule>`, '/old/page?a=1');
    expect(redirect('')).toMatchObject({ type: 'redirect', status: 301, location: '/new/page?a=1', matchedRules: ['r'] });
    expect(redirect('redirectType="Found"')).toMatchObject({ status: 302 });
    expect(redirect('redirectType="SeeOther"')).toMatchObject({ status: 303 });
    expect(redirect('redirectType="Temporary"')).toMatchObject({ status: 307 });
    expect(run('<rule name="r"><match url="(.*)"/><action type="Redirect" url="https://{HTTP_HOST}/{R:1}"/></rule>', '/x/y?a=1')).toMatchObject({ location: 'https://localhost:8080/x/y?a=1' });
    expect(run('<rule name="r"><match url=".*"/><action type="Redirect" url="login?from=home"/></rule>', '/x?a=1')).toMatchObject({ location: 'login?from=home&a=1' });
    expect(run('<rule name="r"><match url=".*"/><action type="Redirect" url="/login" appendQueryString="false"/></rule>', '/x?a=1')).toMatchObject({ location: '/login' });
  });

  it('Redirect ends evaluation even without stopProcessing', () => {
    const r = run('<rule name="a"><match url=".*"/><action type="Redirect" url="/b"/></rule><rule name="b"><match url=".*"/><action type="AbortRequest"/></rule>', '/x');
    expect(r).toMatchObject({ type: 'redirect', matchedRules: ['a'] });
  });

  it('Redirect escapes control characters and spaces that decoding put in the location (no header injection)', () => {
    const r = run('<rule name="r"><match url="^go/([^?]*)"/><action type="Redirect" url="/to/{R:1}"/></rule>', '/go/x%0d%0aSet-Cookie:%20a=b%20ü');
    expect(r).toMatchObject({ type: 'redirect', location: '/to/x%0D%0ASet-Cookie:%20a=b%20%C3%BC' });
  });

  it('CustomResponse: status, substatus, reason and description, kept on one line', () => {
    const r = run('<rule name="r"><match url="^private/([^?]*)"/><action type="CustomResponse" statusCode="403" subStatusCode="14" statusReason="Forbidden" statusDescription="No access to {R:1}"/></rule>', '/private/a%0Ab');
    expect(r).toMatchObject({ type: 'custom', status: 403, subStatus: 14, reason: 'Forbidden', description: 'No access to a b' });
    expect(run('<rule name="r"><match url=".*"/><action type="CustomResponse" statusCode="410"/></rule>', '/x')).toMatchObject({ status: 410, subStatus: 0, reason: '', description: '' });
  });

  it('AbortRequest', () => {
    expect(run('<rule name="r"><match url="\\.php$"/><action type="AbortRequest"/></rule>', '/wp-login.php')).toMatchObject({ type: 'abort', matchedRules: ['r'] });
  });

  it('None changes nothing but counts as a match for stopProcessing', () => {
    const r = run('<rule name="a" stopProcessing="true"><match url="^keep"/><action type="None"/></rule><rule name="b"><match url=".*"/><action type="Rewrite" url="app.js"/></rule>', '/keep/me');
    expect(r).toMatchObject({ type: 'serve', path: '/keep/me', rewritten: false, matchedRules: ['a'] });
  });

  it('Rewrite to an absolute URL is a proxy (IIS needs Application Request Routing for it)', () => {
    expect(run('<rule name="r"><match url="^api/(.*)"/><action type="Rewrite" url="http://backend:3000/{R:1}"/></rule>', '/api/x?y=1')).toMatchObject({ type: 'proxy', target: 'http://backend:3000/x?y=1' });
  });

  it('a disabled rule is skipped', () => {
    expect(run('<rule name="r" enabled="false"><match url=".*"/><action type="AbortRequest"/></rule>', '/x')).toMatchObject({ type: 'serve', matchedRules: [] });
  });
});

describe('rewrite chains, stopProcessing and the query string', () => {
  const chain = '<rule name="a"><match url="^old/(.*)"/><action type="Rewrite" url="new/{R:1}"/></rule><rule name="b"><match url="^new/(.*)"/><action type="Rewrite" url="app.js?page={R:1}"/></rule>';

  it('a Rewrite changes the URL the next rules see', () => {
    expect(run(chain, '/old/about')).toMatchObject({ path: '/app.js', queryString: 'page=about', url: '/app.js?page=about', matchedRules: ['a', 'b'], originalUrl: '/old/about' });
  });

  it('stopProcessing ends evaluation after the action', () => {
    const stopped = chain.replace('<rule name="a">', '<rule name="a" stopProcessing="true">');
    expect(run(stopped, '/old/about')).toMatchObject({ path: '/new/about', matchedRules: ['a'] });
  });

  it('appends the current query string with & unless appendQueryString="false"', () => {
    expect(run(chain, '/old/about?x=1')).toMatchObject({ queryString: 'page=about&x=1', originalUrl: '/old/about?x=1' });
    expect(run('<rule name="r"><match url=".*"/><action type="Rewrite" url="app.js" appendQueryString="false"/></rule>', '/x?secret=1')).toMatchObject({ queryString: '', url: '/app.js' });
    expect(run('<rule name="r"><match url=".*"/><action type="Rewrite" url="app.js?a=b" appendQueryString="false"/></rule>', '/x?c=d')).toMatchObject({ queryString: 'a=b' });
  });

  it('accepts the query either in url or as queryString', () => {
    expect(run(chain, '/old/about', { queryString: 'x=1' })).toMatchObject({ queryString: 'page=about&x=1', originalUrl: '/old/about?x=1' });
  });
});

describe('matching: negate, ignoreCase, syntaxes', () => {
  it('negate on <match> runs the rule when the pattern does not match', () => {
    const r = '<rule name="r"><match url="^api/" negate="true"/><action type="Rewrite" url="index.html"/></rule>';
    expect(run(r, '/home')).toMatchObject({ path: '/index.html' });
    expect(run(r, '/api/x')).toMatchObject({ path: '/api/x', rewritten: false });
  });

  it('ignoreCase is on by default; ignoreCase="false" is case-sensitive', () => {
    expect(run('<rule name="r"><match url="^Admin"/><action type="AbortRequest"/></rule>', '/aDMIN')).toMatchObject({ type: 'abort' });
    expect(run('<rule name="r"><match url="^Admin" ignoreCase="false"/><action type="AbortRequest"/></rule>', '/aDMIN')).toMatchObject({ type: 'serve' });
  });

  it('Wildcard: * captures into {R:n}', () => {
    const r = run('<rule name="r" patternSyntax="Wildcard"><match url="*/*.html"/><action type="Rewrite" url="render.js?section={R:1}&amp;page={R:2}"/></rule>', '/contoso/test.html');
    expect(r).toMatchObject({ path: '/render.js', queryString: 'section=contoso&page=test' });
    expect(run('<rule name="r" patternSyntax="Wildcard"><match url="*.html"/><action type="AbortRequest"/></rule>', '/x.htm')).toMatchObject({ type: 'serve' });
  });

  it('ExactMatch compares the whole path, conditions included', () => {
    const r = '<rule name="r" patternSyntax="ExactMatch"><match url="index.html"/><conditions><add input="{REQUEST_METHOD}" pattern="post"/></conditions><action type="AbortRequest"/></rule>';
    expect(run(r, '/Index.html', { method: 'POST' })).toMatchObject({ type: 'abort' });
    expect(run(r, '/index.html', { method: 'GET' })).toMatchObject({ type: 'serve' });
    expect(run(r, '/a/index.html', { method: 'POST' })).toMatchObject({ type: 'serve' });
  });

  it('matches the decoded path without its leading slash, with dot segments resolved', () => {
    expect(run('<rule name="r"><match url="^my file/(.*)$"/><action type="Rewrite" url="x/{R:1}"/></rule>', '/my%20file/a/../b')).toMatchObject({ path: '/x/b' });
  });
});

describe('conditions', () => {
  const host = (grouping: string): string =>
    `<rule name="r"><match url=".*"/><conditions logicalGrouping="${grouping}"><add input="{HTTP_HOST}" pattern="^a\\.test$"/><add input="{HTTPS}" pattern="on"/></conditions><action type="AbortRequest"/></rule>`;

  it('MatchAll needs every condition; MatchAny one', () => {
    expect(run(host('MatchAll'), '/', { headers: { host: 'a.test' }, https: true })).toMatchObject({ type: 'abort' });
    expect(run(host('MatchAll'), '/', { headers: { host: 'a.test' } })).toMatchObject({ type: 'serve' });
    expect(run(host('MatchAny'), '/', { headers: { host: 'a.test' } })).toMatchObject({ type: 'abort' });
    expect(run(host('MatchAny'), '/', { headers: { host: 'b.test' }, https: true })).toMatchObject({ type: 'abort' });
    expect(run(host('MatchAny'), '/', { headers: { host: 'b.test' } })).toMatchObject({ type: 'serve' });
  });

  it('negate and ignoreCase on a condition', () => {
    const r = (attrs: string): string => `<rule name="r"><match url=".*"/><conditions><add input="{HTTP_HOST}" pattern="^WWW\\." ${attrs}/></conditions><action type="AbortRequest"/></rule>`;
    expect(run(r(''), '/', { headers: { host: 'www.a.test' } })).toMatchObject({ type: 'abort' });
    expect(run(r('ignoreCase="false"'), '/', { headers: { host: 'www.a.test' } })).toMatchObject({ type: 'serve' });
    expect(run(r('negate="true"'), '/', { headers: { host: 'www.a.test' } })).toMatchObject({ type: 'serve' });
    expect(run(r('negate="true"'), '/', { headers: { host: 'a.test' } })).toMatchObject({ type: 'abort' });
  });

  it('{C:n} are the captures of the last condition that held, {R:n} those of the match', () => {
    const r = `<rule name="r"><match url="^(.*)$"/><conditions><add input="{HTTP_HOST}" pattern="^(www)\\.(.*)$"/><add input="{HTTP_HOST}" pattern="^([^.]+)"/></conditions>
      <action type="Redirect" url="https://{C:1}.example/{R:1}|{C:2}"/></rule>`;
    expect(run(r, '/page', { headers: { host: 'www.a.test' } })).toMatchObject({ location: 'https://www.example/page|' });
  });

  it('trackAllCaptures numbers the captures of all conditions in order', () => {
    const r = `<rule name="r"><match url=".*"/><conditions trackAllCaptures="true"><add input="{HTTP_HOST}" pattern="^(\\w+)\\.test$"/><add input="{QUERY_STRING}" pattern="id=(\\d+)"/></conditions>
      <action type="Rewrite" url="{C:1}/{C:3}"/></rule>`;
    expect(run(r, '/x?id=42', { headers: { host: 'shop.test' } })).toMatchObject({ path: '/shop/42' });
  });

  it('a condition input can use {R:n} and the {C:n} of the conditions before it', () => {
    const r = `<rule name="r"><match url="^user/(\\d+)$"/><conditions><add input="{QUERY_STRING}" pattern="tab=(\\w+)"/><add input="{R:1}-{C:1}" pattern="^7-info$"/></conditions><action type="AbortRequest"/></rule>`;
    expect(run(r, '/user/7?tab=info')).toMatchObject({ type: 'abort' });
    expect(run(r, '/user/8?tab=info')).toMatchObject({ type: 'serve' });
  });

  it('IsFile and IsDirectory, negated or not', () => {
    const env = memEnv(['a.txt'], ['dir']);
    const r = (type: string, negate: string): string =>
      `<rule name="r"><match url=".*"/><conditions><add input="{REQUEST_FILENAME}" matchType="${type}" negate="${negate}"/></conditions><action type="AbortRequest"/></rule>`;
    expect(run(r('IsFile', 'false'), '/a.txt', {}, env).type).toBe('abort');
    expect(run(r('IsFile', 'false'), '/dir', {}, env).type).toBe('serve');
    expect(run(r('IsDirectory', 'false'), '/dir/', {}, env).type).toBe('abort');
    expect(run(r('IsDirectory', 'true'), '/a.txt', {}, env).type).toBe('abort');
  });
});

describe('server variables, functions and rewrite maps', () => {
  const echo = (input: string, more: Partial<RewriteRequest> = {}, url = '/p/q?x=1'): string => {
    const r = run(`<rule name="r"><match url=".*"/><action type="CustomResponse" statusCode="200" statusDescription="${input}"/></rule>`, url, more);
    return r.type === 'custom' ? r.description : 'not custom';
  };

  it('reads the request variables IIS rules use', () => {
    const more: Partial<RewriteRequest> = { method: 'PUT', https: true, remoteAddress: '10.1.2.3', headers: { Host: 'a.test:8443', 'X-Forwarded-Proto': 'https', 'User-Agent': 'curl/8', Accept: ['a', 'b'] } };
    expect(echo('{HTTP_HOST}|{SERVER_NAME}|{SERVER_PORT}|{HTTPS}|{SERVER_PORT_SECURE}', more)).toBe('a.test:8443|a.test|8443|on|1');
    expect(echo('{REQUEST_METHOD}|{REMOTE_ADDR}|{HTTP_X_FORWARDED_PROTO}|{HTTP_USER_AGENT}|{HTTP_ACCEPT}', more)).toBe('PUT|10.1.2.3|https|curl/8|a, b');
    expect(echo('{URL}|{PATH_INFO}|{QUERY_STRING}|{REQUEST_URI}|{UNENCODED_URL}', {}, '/p%20q?x=1')).toBe('/p q|/p q|x=1|/p%20q?x=1|/p%20q?x=1');
    expect(echo('{SERVER_PORT}|{HTTPS}|{HTTP_NOT_SENT}|{NO_SUCH_VARIABLE}', { headers: {} })).toBe('80|off||');
    expect(echo('{SERVER_PORT}', { localPort: 3000 })).toBe('3000');
    expect(echo('{request_filename}')).toBe(path.join(ROOT, 'p', 'q'));
  });

  it('URL and QUERY_STRING follow rewrites; REQUEST_URI stays the original', () => {
    const r = run('<rule name="a"><match url=".*"/><action type="Rewrite" url="app.js?z=9" appendQueryString="false"/></rule><rule name="b"><match url=".*"/><action type="Redirect" url="/{URL}|{QUERY_STRING}|{REQUEST_URI}|{HTTP_X_ORIGINAL_URL}" appendQueryString="false"/></rule>', '/p?x=1');
    expect(r).toMatchObject({ location: '//app.js|z=9|/p?x=1|/p?x=1' });
  });

  it('applies ToLower, UrlEncode, UrlDecode and EscapeDataString', () => {
    expect(echo('{ToLower:{HTTP_HOST}}', { headers: { host: 'MiXeD.Test' } })).toBe('mixed.test');
    expect(echo('{UrlEncode:{R:0}}|{EscapeDataString:a (b)}|{UrlDecode:%41%zz}', {}, '/a b/c')).toBe("a%20b%2Fc|a%20%28b%29|A%zz");
  });

  it('looks keys up in rewrite maps, case-insensitively by default, with the default value otherwise', () => {
    const rewriteRules = rulesOf(`<rewrite><rewriteMaps><rewriteMap name="Moved" defaultValue=""><add key="/Old-Page" value="/new-page"/></rewriteMap></rewriteMaps>
      <rules><rule name="m"><match url=".*"/><conditions><add input="{Moved:{URL}}" pattern="(.+)"/></conditions><action type="Redirect" url="{C:1}" appendQueryString="false"/></rule></rules></rewrite>`);
    expect(evaluateRewrite(rewriteRules, req('/old-page?x'), memEnv())).toMatchObject({ type: 'redirect', location: '/new-page' });
    expect(evaluateRewrite(rewriteRules, req('/other'), memEnv())).toMatchObject({ type: 'serve' });
  });

  it('<serverVariables> set values the app receives and later rules read', () => {
    const r = run(`<rule name="a"><match url=".*"/><serverVariables><set name="HTTP_X_ORIGINAL_HOST" value="{HTTP_HOST}"/></serverVariables><action type="None"/></rule>
      <rule name="b"><match url=".*"/><serverVariables><set name="HTTP_X_ORIGINAL_HOST" value="again" replace="false"/><set name="RESPONSE_X" value="{R:0}"/></serverVariables><action type="Rewrite" url="{HTTP_X_ORIGINAL_HOST}.js"/></rule>`, '/p');
    expect(r).toMatchObject({ path: '/localhost:8080.js', serverVariables: { HTTP_X_ORIGINAL_HOST: 'localhost:8080', RESPONSE_X: 'p' } });
  });
});

describe('{REQUEST_FILENAME} and IsFile never leave the site', () => {
  const filename = (url: string): string => {
    const r = run('<rule name="r"><match url=".*"/><action type="CustomResponse" statusCode="200" statusDescription="{REQUEST_FILENAME}"/></rule>', url);
    return r.type === 'custom' ? r.description : '';
  };
  const inside = (p: string): boolean => p === ROOT || p.startsWith(ROOT + path.sep);

  it.each([
    ['/../../etc/passwd', ['etc', 'passwd']],
    ['/%2e%2e/%2e%2e/etc/passwd', ['etc', 'passwd']],
    ['/a/..%2f..%2f..%2fetc/passwd', ['etc', 'passwd']],
    ['/a/..%5c..%5c..%5cwindows%5cwin.ini', ['windows', 'win.ini']],
    ['/a\\..\\..\\b', ['b']],
    ['/./././x/./y/..', ['x']],
    ['/%2e%2e%2f%2e%2e%2f', []],
    ['/..', []],
    ['/x%00.js', []],
  ])('%s', (url, under) => {
    const p = filename(url);
    expect(inside(p), p).toBe(true);
    if (under.length > 0) expect(p).toBe(path.join(ROOT, ...under));
  });

  it('never probes the disk outside the site, whatever the condition input', () => {
    const env = memEnv();
    const r = '<rule name="r"><match url="^f/(.*)"/><conditions><add input="{R:1}" matchType="IsFile"/></conditions><action type="AbortRequest"/></rule>';
    for (const url of ['/f//etc/passwd', '/f/../../etc/passwd', '/f/%2Fetc%2Fpasswd', '/f/C:%5cWindows%5cwin.ini']) run(r, url, {}, env);
    expect(env.probes.length).toBeGreaterThan(0);
    for (const p of env.probes) expect(inside(p), p).toBe(true);
  });

  it('counts a file-system probe that throws as "no such file"', () => {
    const env: RewriteEnv = { physicalRoot: ROOT, isFile: () => { throw new Error('EACCES'); }, isDirectory: () => { throw new Error('EIO'); } };
    expect(evaluateRewrite(rulesOf(KUDU_TEMPLATE), req('/x'), env)).toMatchObject({ path: '/server.js' });
  });
});

describe('fuzzing evaluation', () => {
  let ruleSets: ReturnType<typeof rulesOf>[] = [];
  beforeAll(() => {
    ruleSets = [
      rulesOf(KUDU_TEMPLATE),
      rulesOf(rules(`<rule name="a"><match url="^(.*)/(.*)$"/><conditions logicalGrouping="MatchAny" trackAllCaptures="true"><add input="{HTTP_HOST}" pattern="(.*)"/><add input="{REQUEST_FILENAME}" matchType="IsDirectory"/></conditions>
        <action type="Rewrite" url="{ToLower:{R:2}}/{UrlEncode:{C:1}}?{EscapeDataString:{R:1}}"/></rule>
        <rule name="b" patternSyntax="Wildcard"><match url="*x*"/><action type="Redirect" url="/{R:1}{UrlDecode:{R:2}}"/></rule>
        <rule name="c"><match url="(?&lt;n&gt;[^/]+)\\Z"/><action type="CustomResponse" statusCode="404" statusReason="{R:1}" statusDescription="{URL}"/></rule>`)),
    ];
  });
  afterAll(() => {
    ruleSets = [];
  });

  // Whitespace and C0 controls: none may reach a header or a request line.
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  const UNSAFE = /[\s\x00-\x1f]/;

  it('never throws for 3000 random URLs, and every physical path stays in the site', () => {
    const rnd = seeded(1337);
    const PIECES = ['/', '//', '\\', '.', '..', '%2e', '%2E%2e', '%2f', '%5C', '%', '%zz', '%c3', '%c3%bc', '%ff%fe', '%00', '%0d%0a', '?', '&', '#', ':', 'C:', 'a', 'Z', 'public', 'server.js', 'ü', '\ud800', '😀', ' ', '{R:1}', '*'];
    for (let i = 0; i < 3000; i++) {
      const url = (rnd.next() < 0.9 ? '/' : '') + Array.from({ length: rnd.int(12) }, () => rnd.pick(PIECES)).join('');
      const env = memEnv(['server.js', 'public/a']);
      for (const set of ruleSets) {
        let r: RewriteResult;
        try {
          r = evaluateRewrite(set, req(url, { headers: { host: rnd.pick(['a.test', 'ü.test', '', 'x:1']) } }), env);
        } catch (err) {
          throw new Error(`seed 1337 iteration ${i}: ${JSON.stringify(url)} threw ${String(err)}`, { cause: err });
        }
        if (r.type === 'serve') expect(r.physicalPath === ROOT || r.physicalPath.startsWith(ROOT + path.sep), r.physicalPath).toBe(true);
        if (r.type === 'redirect') expect(r.location).not.toMatch(UNSAFE);
        expect(r.url).not.toMatch(UNSAFE);
      }
      for (const p of env.probes) expect(p === ROOT || p.startsWith(ROOT + path.sep), p).toBe(true);
    }
  });
});
