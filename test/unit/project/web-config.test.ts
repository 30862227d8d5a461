// web.config is how existing iisnode projects say what to run and how. IIS rejects a file its schema does not
// accept (iisnode functional test 116), so Cloudbench does too, naming the place; what IIS accepts must read
// the same here (handlers after <remove>/<clear>, attribute names in any case, appSettings as iisnode passes them).
import { describe, expect, it } from 'vitest';
import { DEFAULT_DOCUMENTS, DEFAULT_HIDDEN_SEGMENTS, iisnodeHandlers, isPortRange, parseWebConfig } from '../../../runtime/project/web-config.js';
import { coded, handler, webConfig } from './project-test-helpers.js';

const FILE = '/site/web.config';

describe('parseWebConfig: handlers', () => {
  it('reads <add> entries in order with their attributes and position', () => {
    const text = webConfig(`    <handlers>
      <add name="iisnode" path="server.js" verb="*" modules="iisnode"/>
      <add name="static" path="*.html" verb="GET" modules="StaticFileModule"/>
    </handlers>`);
    const config = parseWebConfig(text, FILE);
    expect(config.file).toBe(FILE);
    expect(config.handlers).toEqual([
      { name: 'iisnode', path: 'server.js', verb: '*', modules: 'iisnode', line: 5, column: 7 },
      { name: 'static', path: '*.html', verb: 'GET', modules: 'StaticFileModule', line: 6, column: 7 },
    ]);
  });

  it('applies <remove name> and <clear/> in document order', () => {
    const config = parseWebConfig(
      webConfig(`    <handlers>
      <add name="a" path="a.js" modules="iisnode"/>
      <add name="b" path="b.js" modules="iisnode"/>
      <remove name="a"/>
      <add name="c" path="c.js" modules="iisnode"/>
      <clear/>
      <add name="d" path="d.js" modules="iisnode"/>
      <add name="e" path="e.js" modules="iisnode"/>
      <remove name="nothing-by-this-name"/>
    </handlers>`),
      FILE,
    );
    expect(config.handlers.map((h) => h.name)).toEqual(['d', 'e']);
  });

  it('removes every handler of that name, and only that name', () => {
    const config = parseWebConfig(webConfig('    <handlers><add name="x" path="1.js"/><add name="y" path="2.js"/><add name="x" path="3.js"/><remove name="x"/></handlers>'), FILE);
    expect(config.handlers.map((h) => h.path)).toEqual(['2.js']);
  });

  it('reads handler attribute names in any case and defaults verb to *', () => {
    const config = parseWebConfig(webConfig('    <handlers><add NAME="iisnode" Path="app.js" MODULES="iisnode"/></handlers>'), FILE);
    expect(config.handlers).toMatchObject([{ name: 'iisnode', path: 'app.js', verb: '*', modules: 'iisnode' }]);
  });

  it('picks the iisnode handlers by modules, case-insensitively', () => {
    const config = parseWebConfig(
      webConfig('    <handlers><add name="a" path="a.js" modules="iisnode"/><add name="b" path="b.js" modules="IISNode"/><add name="c" path="c" modules="FastCgiModule"/></handlers>'),
      FILE,
    );
    expect(iisnodeHandlers(config).map((h) => h.name)).toEqual(['a', 'b']);
  });

  it('ignores elements whose names differ in case (IIS element names are case-sensitive)', () => {
    const config = parseWebConfig(webConfig('    <Handlers><add name="a" path="a.js" modules="iisnode"/></Handlers>'), FILE);
    expect(config.handlers).toEqual([]);
  });

  it('returns empty parts (and IIS defaults) for a configuration without system.webServer or appSettings', () => {
    expect(parseWebConfig('<configuration/>', FILE)).toEqual({
      file: FILE,
      handlers: [],
      iisnode: {},
      appSettings: [],
      rewriteRules: [],
      defaultDocument: { enabled: true, files: DEFAULT_DOCUMENTS },
      hiddenSegments: DEFAULT_HIDDEN_SEGMENTS,
      mimeMap: {},
    });
  });
});

describe('parseWebConfig: defaultDocument, hiddenSegments, staticContent', () => {
  it('applies <clear/>, <remove> and <add> over the IIS defaults', () => {
    const config = parseWebConfig(
      webConfig(`    <defaultDocument enabled="true"><files><clear/><add value="index.js"/><add value="home.html"/></files></defaultDocument>
    <security><requestFiltering><hiddenSegments><remove segment="BIN"/><add segment="private"/></hiddenSegments></requestFiltering></security>
    <staticContent><mimeMap fileExtension=".md" mimeType="text/markdown"/><remove fileExtension="css"/></staticContent>`),
      FILE,
    );
    expect(config.defaultDocument).toEqual({ enabled: true, files: ['index.js', 'home.html'] });
    expect(config.hiddenSegments).toContain('private');
    expect(config.hiddenSegments).not.toContain('bin');
    expect(config.hiddenSegments).toContain('web.config');
    expect(config.mimeMap).toEqual({ '.md': 'text/markdown', '.css': null });
  });

  it('turns default documents off with enabled="false"', () => {
    expect(parseWebConfig(webConfig('    <defaultDocument enabled="false"/>'), FILE).defaultDocument.enabled).toBe(false);
  });
});

describe('parseWebConfig: <iisnode> attributes', () => {
  it('reads attributes of every type, each with its own position', () => {
    const config = parseWebConfig(
      webConfig('    <iisnode nodeProcessCountPerApplication="4" loggingEnabled="false" logDirectory="logs" debuggerPortRange="6000-6100"/>'),
      FILE,
    );
    expect(config.iisnode).toEqual({
      nodeProcessCountPerApplication: { value: 4, line: 4, column: 14 },
      loggingEnabled: { value: false, line: 4, column: 49 },
      logDirectory: { value: 'logs', line: 4, column: 72 },
      debuggerPortRange: { value: '6000-6100', line: 4, column: 92 },
    });
  });

  it('matches attribute names case-insensitively, keyed by the schema name', () => {
    const config = parseWebConfig(webConfig('    <iisnode NODEPROCESSCOUNTPERAPPLICATION="2" devErrorsenabled="0" EnableXff="TRUE"/>'), FILE);
    expect(Object.fromEntries(Object.entries(config.iisnode).map(([k, v]) => [k, v.value]))).toEqual({
      nodeProcessCountPerApplication: 2,
      devErrorsEnabled: false,
      enableXFF: true,
    });
  });

  it('rejects an unknown attribute, naming file:line:col and the attribute (iisnode test 116)', () => {
    const err = coded('CB_ERR_CONFIG_ATTRIBUTE', () => parseWebConfig(webConfig('    <iisnode idontexist="foo"/>'), FILE));
    expect(err.message).toMatch(/^\/site\/web\.config:4:14: <iisnode> attribute "idontexist" has the value "foo"; expected one of the 34 iisnode attributes; "idontexist" is not one\.$/);
    expect(err.status).toBe(500);
  });

  it.each([
    ['loggingEnabled', 'yes', 'true or false'],
    ['devErrorsEnabled', '', 'true or false'],
    ['nodeProcessCountPerApplication', 'two', 'a whole number from 0 to 4294967295'],
    ['maxLogFiles', '-1', 'a whole number from 0 to 4294967295'],
    ['maxConcurrentRequestsPerProcess', '4294967296', 'a whole number from 0 to 4294967295'],
    ['gracefulShutdownTimeout', '1.5', 'a whole number from 0 to 4294967295'],
  ])('rejects %s="%s", saying it expected %s', (name, value, expected) => {
    const err = coded('CB_ERR_CONFIG_ATTRIBUTE', () => parseWebConfig(webConfig(`    <iisnode ${name}="${value}"/>`), FILE));
    // The position is the attribute's own (column 14, after `    <iisnode `), not the element's.
    expect(err.message).toBe(`${FILE}:4:14: <iisnode> attribute "${name}" has the value "${value}"; expected ${expected}.`);
  });

  it('suggests the attribute a misspelt one was probably meant to be', () => {
    const err = coded('CB_ERR_CONFIG_ATTRIBUTE', () => parseWebConfig(webConfig('    <iisnode nodeProcessCountPerAplication="2"/>'), FILE));
    expect(err.message).toContain('(did you mean "nodeProcessCountPerApplication"?)');
    const far = coded('CB_ERR_CONFIG_ATTRIBUTE', () => parseWebConfig(webConfig('    <iisnode colour="blue"/>'), FILE));
    expect(far.message).not.toContain('did you mean');
  });

  it('points at an attribute on a later line of a multi-line element', () => {
    const err = coded('CB_ERR_CONFIG_ATTRIBUTE', () => parseWebConfig(webConfig('    <iisnode\n      loggingEnabled="true"\n      maxLogFiles="many"/>'), FILE));
    expect(err.message).toMatch(/^\/site\/web\.config:6:7: /);
  });

  it('names the attribute as written when its case differs from the schema', () => {
    const err = coded('CB_ERR_CONFIG_ATTRIBUTE', () => parseWebConfig(webConfig('    <iisnode LOGGINGENABLED="maybe"/>'), FILE));
    expect(err.params['attribute']).toBe('LOGGINGENABLED');
  });

  it.each(['80-90', '5058', '6058-5058', '1025-65536', 'a-b'])('rejects debuggerPortRange="%s"', (value) => {
    const err = coded('CB_ERR_CONFIG_ATTRIBUTE', () => parseWebConfig(webConfig(`    <iisnode debuggerPortRange="${value}"/>`), FILE));
    expect(err.message).toContain('a range like 5058-6058 within 1025-65535');
  });
});

describe('isPortRange', () => {
  it('accepts lo-hi within 1025-65535 with lo <= hi, spaces allowed', () => {
    expect(isPortRange('5058-6058')).toBe(true);
    expect(isPortRange(' 1025 - 65535 ')).toBe(true);
    expect(isPortRange('7000-7000')).toBe(true);
  });

  it('refuses everything else', () => {
    for (const t of ['1024-2000', '2000-65536', '3000-2000', '3000', '-', '', '3000-', 'a-b', '1e3-2e3']) expect(isPortRange(t), t).toBe(false);
  });
});

describe('parseWebConfig: appSettings', () => {
  const settings = (body: string) => parseWebConfig(webConfig('', body), FILE).appSettings;

  it('reads key/value pairs in document order', () => {
    expect(settings('    <add key="A" value="1"/>\n    <add key="B" value="two words"/>')).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: 'two words' },
    ]);
  });

  it('skips entries with an empty or missing key, as iisnode does', () => {
    expect(settings('    <add key="" value="x"/>\n    <add value="y"/>\n    <add key="K" value="z"/>')).toEqual([{ key: 'K', value: 'z' }]);
  });

  it('keeps an empty or missing value as the empty string (iisnode passes KEY=)', () => {
    expect(settings('    <add key="E" value=""/>\n    <add key="M"/>')).toEqual([
      { key: 'E', value: '' },
      { key: 'M', value: '' },
    ]);
  });

  it('applies <remove key> and <clear/>', () => {
    expect(settings('    <add key="A" value="1"/>\n    <add key="B" value="2"/>\n    <remove key="A"/>\n    <add key="C" value="3"/>')).toEqual([
      { key: 'B', value: '2' },
      { key: 'C', value: '3' },
    ]);
    expect(settings('    <add key="A" value="1"/>\n    <clear/>\n    <add key="D" value="4"/>')).toEqual([{ key: 'D', value: '4' }]);
  });

  it('reads key and value attributes in any case', () => {
    expect(settings('    <add KEY="A" Value="1"/>')).toEqual([{ key: 'A', value: '1' }]);
  });

  it('keeps duplicate keys in order (the last one wins when they become environment variables)', () => {
    expect(settings('    <add key="A" value="1"/>\n    <add key="A" value="2"/>')).toEqual([
      { key: 'A', value: '1' },
      { key: 'A', value: '2' },
    ]);
  });
});

describe('parseWebConfig: document errors', () => {
  it('rejects a root element other than <configuration>, naming it and its position', () => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseWebConfig('<?xml version="1.0"?>\n<Configuration>\n</Configuration>', FILE));
    expect(err.message).toBe(`${FILE}:2:1: the root element is <Configuration>; expected <configuration>`);
  });

  it('passes malformed XML through as CB_ERR_CONFIG_XML with the file name', () => {
    const err = coded('CB_ERR_CONFIG_XML', () => parseWebConfig(`<configuration>\n${handler('a.js')}\n`, FILE));
    expect(err.params['file']).toBe(FILE);
  });
});
