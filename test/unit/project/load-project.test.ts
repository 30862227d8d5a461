// loadProject turns a folder into what the host runs: which script, with which settings. Real folders on disk,
// because the rules are about which files exist. A wrong entry runs the wrong file or refuses a project that
// `npm start` runs fine; a wrong precedence makes web.config, IISNODE_* or iisnode.yml silently not apply.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonErrorPosition, loadProject, parseNodeCommand } from '../../../runtime/project/load-project.js';
import { coded, handler, makeProject, webConfig } from './project-test-helpers.js';

const NO_ENV = {};
const pkg = (value: object): string => JSON.stringify(value, null, 2);

describe('loadProject: the project folder', () => {
  it('rejects a folder that does not exist', async () => {
    const missing = path.join(await makeProject(), 'nope');
    const err = coded('CB_ERR_PROJECT_NOT_FOUND', () => loadProject(missing, NO_ENV));
    expect(err.message).toBe(`Project folder "${missing}" does not exist.`);
  });

  it('rejects a file given as the folder', async () => {
    const dir = await makeProject({ 'server.js': '' });
    const err = coded('CB_ERR_PROJECT_NOT_FOUND', () => loadProject(path.join(dir, 'server.js'), NO_ENV));
    expect(err.message).toContain('is a file, not a folder');
  });

  it('resolves a relative folder to an absolute one', async () => {
    const dir = await makeProject({ 'server.js': '' });
    const model = loadProject(path.relative(process.cwd(), dir), NO_ENV);
    expect(model.folder).toBe(dir);
    expect(model.entry.script).toBe(path.join(dir, 'server.js'));
  });
});

describe('loadProject: entry resolution order', () => {
  const everything = {
    'web.config': webConfig(handler('web/hello.js')),
    'web/hello.js': '',
    'package.json': pkg({ main: 'main.js', scripts: { start: 'node start.js' } }),
    'main.js': '',
    'start.js': '',
    'server.js': '',
    'app.js': '',
    'index.js': '',
  };

  it('takes the web.config iisnode handler first', async () => {
    const dir = await makeProject(everything);
    expect(loadProject(dir, NO_ENV).entry).toEqual({ script: path.join(dir, 'web/hello.js'), nodeArgs: [], scriptArgs: [], source: 'web.config' });
  });

  it('then a package.json start script that runs node on a file', async () => {
    const { 'web.config': _w, ...rest } = everything;
    const dir = await makeProject(rest);
    expect(loadProject(dir, NO_ENV).entry).toEqual({ script: path.join(dir, 'start.js'), nodeArgs: [], scriptArgs: [], source: 'package.json start' });
  });

  it('then package.json main', async () => {
    const { 'web.config': _w, ...rest } = everything;
    const dir = await makeProject({ ...rest, 'package.json': pkg({ main: 'main.js', scripts: { test: 'vitest' } }) });
    expect(loadProject(dir, NO_ENV).entry).toMatchObject({ script: path.join(dir, 'main.js'), source: 'package.json main' });
  });

  it('then server.js, app.js, index.js in that order', async () => {
    let dir = await makeProject({ 'server.js': '', 'app.js': '', 'index.js': '' });
    expect(loadProject(dir, NO_ENV).entry).toEqual({ script: path.join(dir, 'server.js'), nodeArgs: [], scriptArgs: [], source: 'default' });
    dir = await makeProject({ 'app.js': '', 'index.js': '', 'package.json': pkg({ name: 'x' }) });
    expect(loadProject(dir, NO_ENV).entry.script).toBe(path.join(dir, 'app.js'));
    dir = await makeProject({ 'index.js': '' });
    expect(loadProject(dir, NO_ENV).entry.script).toBe(path.join(dir, 'index.js'));
  });

  it('skips a web.config without an iisnode handler, and wildcard iisnode handlers', async () => {
    const handlers = `    <handlers>
      <add name="static" path="*.html" verb="GET" modules="StaticFileModule"/>
      <add name="iisnode-any" path="*.js" verb="*" modules="iisnode"/>
    </handlers>`;
    const dir = await makeProject({ 'web.config': webConfig(handlers), 'app.js': '' });
    expect(loadProject(dir, NO_ENV).entry).toMatchObject({ script: path.join(dir, 'app.js'), source: 'default' });
  });

  it('reads a Windows-style handler path with backslashes', async () => {
    const dir = await makeProject({ 'web.config': webConfig(handler('src\\hello.js')), 'src/hello.js': '' });
    expect(loadProject(dir, NO_ENV).entry.script).toBe(path.join(dir, 'src', 'hello.js'));
  });
});

describe('loadProject: package.json start scripts', () => {
  async function entryFor(start: string, files: Record<string, string> = { 'server.js': '' }) {
    const dir = await makeProject({ ...files, 'package.json': pkg({ scripts: { start } }) });
    return { dir, entry: loadProject(dir, NO_ENV).entry };
  }

  it('keeps node flags and script arguments: node -r dotenv/config server.js --port 1', async () => {
    const { dir, entry } = await entryFor('node -r dotenv/config server.js --port 1');
    expect(entry).toEqual({ script: path.join(dir, 'server.js'), nodeArgs: ['-r', 'dotenv/config'], scriptArgs: ['--port', '1'], source: 'package.json start' });
  });

  it('keeps flags with = values and flags without values', async () => {
    const { entry } = await entryFor('node --inspect=9229 --enable-source-maps --max-old-space-size=512 server.js');
    expect(entry.nodeArgs).toEqual(['--inspect=9229', '--enable-source-maps', '--max-old-space-size=512']);
  });

  it('takes the next word as the value of --require, --import and --env-file', async () => {
    const { entry } = await entryFor('node --require ./a.js --import tsx --env-file .env server.js');
    expect(entry.nodeArgs).toEqual(['--require', './a.js', '--import', 'tsx', '--env-file', '.env']);
  });

  it('finds a script in a subfolder and strips quotes around it', async () => {
    const { dir, entry } = await entryFor('node "dist/server.js"', { 'dist/server.js': '' });
    expect(entry.script).toBe(path.join(dir, 'dist', 'server.js'));
  });

  // `node server` runs server.js (node resolves the file like require does); express-style projects write that.
  it('resolves a start script that names the file without its extension, as node does', async () => {
    const { dir, entry } = await entryFor('node server');
    expect(entry.script).toBe(path.join(dir, 'server.js'));
  });

  it('runs an extensionless file named by the start script (express-generator\'s node ./bin/www)', async () => {
    const { dir, entry } = await entryFor('node ./bin/www', { 'bin/www': '' });
    expect(entry.script).toBe(path.join(dir, 'bin', 'www'));
  });

  it('falls back to main or the defaults when start does not run node on a file', async () => {
    for (const start of ['nodemon server.js', 'NODE_ENV=production node server.js', 'node server.js && echo done', 'node', 'node --inspect']) {
      const { dir, entry } = await entryFor(start, { 'app.js': '' });
      expect(entry, start).toEqual({ script: path.join(dir, 'app.js'), nodeArgs: [], scriptArgs: [], source: 'default' });
    }
  });

  it('rejects a start script naming a missing file', async () => {
    const dir = await makeProject({ 'package.json': pkg({ scripts: { start: 'node dist/server.js' } }), 'server.js': '' });
    const err = coded('CB_ERR_PROJECT_ENTRY_MISSING', () => loadProject(dir, NO_ENV));
    expect(err.message).toBe(`package.json "scripts.start" names the entry point "dist/server.js", but ${path.join(dir, 'dist', 'server.js')} does not exist.`);
  });
});

describe('loadProject: package.json main', () => {
  async function mainEntry(main: string, files: Record<string, string>) {
    const dir = await makeProject({ ...files, 'package.json': pkg({ main }) });
    return { dir, script: loadProject(dir, NO_ENV).entry.script };
  }

  it('takes main as written when the file exists', async () => {
    const { dir, script } = await mainEntry('lib/server.js', { 'lib/server.js': '' });
    expect(script).toBe(path.join(dir, 'lib', 'server.js'));
  });

  it('adds .js, .mjs or .cjs as require() would', async () => {
    expect((await mainEntry('lib/server', { 'lib/server.js': '' })).script).toMatch(/lib[\\/]server\.js$/);
    expect((await mainEntry('lib/server', { 'lib/server.mjs': '' })).script).toMatch(/lib[\\/]server\.mjs$/);
    expect((await mainEntry('./lib/server', { 'lib/server.cjs': '' })).script).toMatch(/lib[\\/]server\.cjs$/);
  });

  it('takes folder/index.js for a main that names a folder', async () => {
    const { dir, script } = await mainEntry('lib', { 'lib/index.js': '' });
    expect(script).toBe(path.join(dir, 'lib', 'index.js'));
  });

  it('rejects a main naming a missing file, saying where it looked', async () => {
    const dir = await makeProject({ 'package.json': pkg({ main: 'build/app.js' }), 'server.js': '' });
    const err = coded('CB_ERR_PROJECT_ENTRY_MISSING', () => loadProject(dir, NO_ENV));
    expect(err.params).toMatchObject({ source: 'package.json "main"', entry: 'build/app.js', path: path.join(dir, 'build', 'app.js') });
  });

  // A folder is not a script: node would fail with "Cannot find module" at every start.
  it('rejects a main naming a folder without index.js', async () => {
    const dir = await makeProject({ 'package.json': pkg({ main: 'lib' }), 'lib/': '', 'server.js': '' });
    coded('CB_ERR_PROJECT_ENTRY_MISSING', () => loadProject(dir, NO_ENV));
  });

  it('ignores an empty or non-string main', async () => {
    for (const main of ['', 42, null]) {
      const dir = await makeProject({ 'package.json': JSON.stringify({ main }), 'index.js': '' });
      expect(loadProject(dir, NO_ENV).entry.source).toBe('default');
    }
  });
});

describe('loadProject: no entry and bad files', () => {
  it('lists everything it looked for when nothing runs', async () => {
    const dir = await makeProject({ 'README.md': 'hi' });
    const err = coded('CB_ERR_PROJECT_NO_ENTRY', () => loadProject(dir, NO_ENV));
    expect(err.message).toBe(
      `No entry point found in "${dir}". Looked for: an iisnode handler in web.config, package.json "scripts.start" of the form \`node <file>\`, package.json "main", server.js, app.js, index.js.`,
    );
  });

  it('says why a start script was not used', async () => {
    const dir = await makeProject({ 'package.json': pkg({ scripts: { start: 'next start' } }) });
    const err = coded('CB_ERR_PROJECT_NO_ENTRY', () => loadProject(dir, NO_ENV));
    expect(err.message).toContain('(the start script "next start" does not run node on a file)');
  });

  it('rejects a web.config handler naming a missing script, with the web.config line', async () => {
    const dir = await makeProject({ 'web.config': webConfig(handler('hello.js')), 'server.js': '' });
    const err = coded('CB_ERR_PROJECT_ENTRY_MISSING', () => loadProject(dir, NO_ENV));
    expect(err.params).toMatchObject({ source: 'web.config:5', entry: 'hello.js', path: path.join(dir, 'hello.js') });
  });

  it('reports malformed package.json with file, line and column', async () => {
    const dir = await makeProject({ 'package.json': '{\n  "main": "a.js",\n}\n', 'a.js': '' });
    const err = coded('CB_ERR_PROJECT_BAD_JSON', () => loadProject(dir, NO_ENV));
    expect(err.params).toMatchObject({ file: path.join(dir, 'package.json'), line: 3, column: 1 });
    expect(err.message.startsWith(`${path.join(dir, 'package.json')}:3:1: `)).toBe(true);
  });

  it('reports malformed web.config as CB_ERR_CONFIG_XML before looking for an entry', async () => {
    const dir = await makeProject({ 'web.config': '<configuration>\n  <system.webServer>\n</configuration>\n', 'server.js': '' });
    const err = coded('CB_ERR_CONFIG_XML', () => loadProject(dir, NO_ENV));
    expect(err.params['file']).toBe(path.join(dir, 'web.config'));
    expect(err.params['line']).toBe(3);
  });
});

describe('jsonErrorPosition', () => {
  it('turns "at position N" into line and column', () => {
    const text = '{\n  "a": 1,\n  x\n}';
    expect(jsonErrorPosition(text, new Error('Unexpected token x in JSON at position 14'))).toEqual({ line: 3, column: 3 });
  });

  it('prefers the line and column when the message has them', () => {
    expect(jsonErrorPosition('', new Error('Expected x at position 99 (line 7 column 2)'))).toEqual({ line: 7, column: 2 });
  });

  it('points past the end when the input just stops', () => {
    expect(jsonErrorPosition('{\n"a":', new Error('Unexpected end of JSON input'))).toEqual({ line: 2, column: 5 });
  });

  it('agrees with the error this Node version actually throws', () => {
    const text = '{\n  "main": "a.js",\n  oops\n}';
    let error: Error | undefined;
    try {
      JSON.parse(text);
    } catch (err) {
      error = err as Error;
    }
    expect(jsonErrorPosition(text, error as Error)).toEqual({ line: 3, column: 3 });
  });
});

describe('parseNodeCommand', () => {
  it('splits node [flags] file [args]', () => {
    expect(parseNodeCommand('  node  --trace-warnings  app.js  a b ')).toEqual({ nodeArgs: ['--trace-warnings'], file: 'app.js', scriptArgs: ['a', 'b'] });
    expect(parseNodeCommand("node 'app.js'")).toEqual({ nodeArgs: [], file: 'app.js', scriptArgs: [] });
  });

  it('refuses anything that is not a plain node command', () => {
    for (const c of ['', 'node', 'nodejs app.js', 'npx node app.js', 'node app.js | tee log', 'node app.js > out', 'node $ENTRY', 'node -r dotenv/config']) {
      expect(parseNodeCommand(c), c).toBeUndefined();
    }
  });
});

describe('loadProject: settings precedence', () => {
  // defaults < web.config < IISNODE_<attribute> environment < iisnode.yml (iisnode.md §1.2)
  async function layered(layers: { web?: number; yml?: number }): Promise<string> {
    const files: Record<string, string> = { 'server.js': '' };
    const attrs = layers.web === undefined ? '' : `nodeProcessCountPerApplication="${layers.web}"`;
    files['web.config'] = webConfig(`${handler('server.js')}\n    <iisnode ${attrs} loggingEnabled="false"/>`);
    if (layers.yml !== undefined) files['iisnode.yml'] = `nodeProcessCountPerApplication: ${layers.yml}\n`;
    return makeProject(files);
  }
  const ENV = { IISNODE_NODEPROCESSCOUNTPERAPPLICATION: '3' };

  it('uses the default with no layer', async () => {
    expect(loadProject(await layered({}), NO_ENV).settings.nodeProcessCountPerApplication).toBe(1);
  });

  it('lets web.config override the default', async () => {
    expect(loadProject(await layered({ web: 2 }), NO_ENV).settings.nodeProcessCountPerApplication).toBe(2);
  });

  it('lets IISNODE_<attribute> override web.config', async () => {
    expect(loadProject(await layered({ web: 2 }), ENV).settings.nodeProcessCountPerApplication).toBe(3);
  });

  it('lets iisnode.yml override the environment and web.config', async () => {
    const model = loadProject(await layered({ web: 2, yml: 4 }), ENV);
    expect(model.settings.nodeProcessCountPerApplication).toBe(4);
    expect(model.settings.loggingEnabled).toBe(false);
    expect(model.ymlFile).toBe(path.join(model.appRoot, 'iisnode.yml'));
  });

  it('reports no yml file when there is none, or when iisnode.yml is a folder', async () => {
    expect(loadProject(await layered({ web: 2 }), NO_ENV).ymlFile).toBeUndefined();
    const dir = await makeProject({ 'server.js': '', 'iisnode.yml/': '' });
    expect(loadProject(dir, NO_ENV).ymlFile).toBeUndefined();
  });

  it('matches IISNODE_ variable names case-insensitively', async () => {
    const dir = await makeProject({ 'server.js': '' });
    const model = loadProject(dir, { iisnode_loggingenabled: 'false', IISNODE_maxLogFiles: '7', IisNode_DevErrorsEnabled: '0' });
    expect([model.settings.loggingEnabled, model.settings.maxLogFiles, model.settings.devErrorsEnabled]).toEqual([false, 7, false]);
  });

  it('ignores IISNODE_ variables that name no attribute', async () => {
    const dir = await makeProject({ 'server.js': '' });
    expect(() => loadProject(dir, { IISNODE_VERSION: '0.2.27', IISNODE_CONTROL_PIPE: 'x' })).not.toThrow();
  });

  it.each([
    ['IISNODE_LOGGINGENABLED', 'yes', 'true or false'],
    ['IISNODE_nodeProcessCountPerApplication', 'two', 'a whole number from 0 to 4294967295'],
  ])('rejects %s=%s with CB_ERR_CONFIG_ENV', async (name, value, expected) => {
    const dir = await makeProject({ 'server.js': '' });
    const err = coded('CB_ERR_CONFIG_ENV', () => loadProject(dir, { [name]: value }));
    expect(err.message).toBe(`Environment variable ${name}="${value}": expected ${expected}.`);
  });

  it('reads the overrides file named by configOverrides', async () => {
    const dir = await makeProject({
      'server.js': '',
      'web.config': webConfig(`${handler('server.js')}\n    <iisnode configOverrides="settings/%SITE%.yml"/>`),
      'settings/prod.yml': 'maxLogFiles: 9',
      'iisnode.yml': 'maxLogFiles: 1',
    });
    const model = loadProject(dir, { SITE: 'prod' });
    expect(model.settings.maxLogFiles).toBe(9);
    expect(model.ymlFile).toBe(path.join(dir, 'settings', 'prod.yml'));
  });

  it('expands %VAR% in expandable settings from every layer, after the layers are merged', async () => {
    const dir = await makeProject({
      'server.js': '',
      'web.config': webConfig(`${handler('server.js')}\n    <iisnode logDirectory="%LOGROOT%\\app"/>`),
      'iisnode.yml': 'watchedFiles: %WATCH%;*.js',
    });
    const model = loadProject(dir, { LOGROOT: 'C:\\logs', Watch: 'lib/*.js', NODE_ENV: 'production' });
    expect(model.settings.logDirectory).toBe('C:\\logs\\app');
    expect(model.settings.watchedFiles).toBe('lib/*.js;*.js');
    expect(model.settings.node_env).toBe('production');
    // Not expandable in iisnode: left as written.
    expect(loadProject(await makeProject({ 'server.js': '', 'iisnode.yml': 'promoteServerVars: %X%' }), { X: 'y' }).settings.promoteServerVars).toBe('%X%');
  });

  it('passes iisnode.yml syntax errors through with the yml file and line', async () => {
    const dir = await makeProject({ 'server.js': '', 'iisnode.yml': 'maxLogFiles: 1\nloggingEnabled: sometimes\n' });
    const err = coded('CB_ERR_CONFIG_YML', () => loadProject(dir, NO_ENV));
    expect(err.message.startsWith(`${path.join(dir, 'iisnode.yml')}:2:17: `)).toBe(true);
  });
});

describe('loadProject: the rest of the model', () => {
  it('warns about Windows-only attributes set to something other than their default', async () => {
    const dir = await makeProject({
      'server.js': '',
      'web.config': webConfig(`${handler('server.js')}\n    <iisnode interceptor="my-interceptor.js" asyncCompletionThreadCount="4" idlePageOutTimePeriod="0" nodeProcessCountPerApplication="2"/>`),
    });
    const { warnings } = loadProject(dir, NO_ENV);
    expect(warnings).toEqual([
      'interceptor="my-interceptor.js" is an IIS/Windows setting and has no effect in Cloudbench.',
      'asyncCompletionThreadCount="4" is an IIS/Windows setting and has no effect in Cloudbench.',
    ]);
  });

  it('gives no warnings for a plain project', async () => {
    expect(loadProject(await makeProject({ 'server.js': '' }), NO_ENV).warnings).toEqual([]);
  });

  it('turns appSettings into a map, the last duplicate winning and empty values kept', async () => {
    const appSettings = '    <add key="A" value="1"/>\n    <add key="B" value=""/>\n    <add key="A" value="2"/>\n    <add key="" value="skipped"/>';
    const dir = await makeProject({ 'server.js': '', 'web.config': webConfig(handler('server.js'), appSettings) });
    expect(loadProject(dir, NO_ENV).appSettings).toEqual({ A: '2', B: '' });
  });

  it('uses the handler script\'s folder as the app root, and reads iisnode.yml from there', async () => {
    const dir = await makeProject({
      'web.config': webConfig(handler('site/app/hello.js')),
      'site/app/hello.js': '',
      'site/app/iisnode.yml': 'maxLogFiles: 3',
      'iisnode.yml': 'maxLogFiles: 99',
    });
    const model = loadProject(dir, NO_ENV);
    expect(model.appRoot).toBe(path.join(dir, 'site', 'app'));
    expect(model.settings.maxLogFiles).toBe(3);
  });

  it('uses the project folder as the app root without a web.config entry', async () => {
    const dir = await makeProject({ 'package.json': pkg({ main: 'lib/server.js' }), 'lib/server.js': '', 'iisnode.yml': 'maxLogFiles: 4' });
    const model = loadProject(dir, NO_ENV);
    expect(model.appRoot).toBe(dir);
    expect(model.settings.maxLogFiles).toBe(4);
  });

  it('returns a frozen model', async () => {
    const model = loadProject(await makeProject({ 'server.js': '' }), NO_ENV);
    expect(Object.isFrozen(model)).toBe(true);
    expect(Object.isFrozen(model.settings)).toBe(true);
    expect(Object.isFrozen(model.appSettings)).toBe(true);
    expect(Object.isFrozen(model.warnings)).toBe(true);
  });

  it('reads process.env when no environment is passed', async () => {
    const dir = await makeProject({ 'server.js': '' });
    const before = process.env['IISNODE_MAXLOGFILES'];
    process.env['IISNODE_MAXLOGFILES'] = '11';
    try {
      expect(loadProject(dir).settings.maxLogFiles).toBe(11);
    } finally {
      if (before === undefined) delete process.env['IISNODE_MAXLOGFILES'];
      else process.env['IISNODE_MAXLOGFILES'] = before;
    }
  });

  it('writes nothing into the project folder', async () => {
    const dir = await makeProject({ 'server.js': '' });
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'x.txt'), 'x');
    const { readdir } = await import('node:fs/promises');
    const before = (await readdir(dir)).sort();
    loadProject(dir, NO_ENV);
    expect((await readdir(dir)).sort()).toEqual(before);
  });
});
