// <rewrite><rules> in web.config: IIS refuses a rewrite section its schema does not accept, so every bad value or
// misplaced element must come back as a coded error at the right file:line:column, and what IIS accepts (the
// Azure template with its <match>-less rules, negate="True", attribute names in any case) must parse the same.
import { describe, expect, it } from 'vitest';
import { parseRewriteRules } from '../../../runtime/project/rewrite-rules.js';
import { compilePattern, translateEcmaScript } from '../../../runtime/project/rewrite-pattern.js';
import { CloudbenchError } from '../../../runtime/shared/errors.js';
import type { ErrorCode } from '../../../runtime/shared/errors.js';
import { parseXml, findPath } from '../../../runtime/project/xml.js';
import { coded } from './project-test-helpers.js';
import { FILE, KUDU_TEMPLATE, rewriteConfig, rules, rulesOf, seeded } from './rewrite-test-helpers.js';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

/** The error's code and position, and the params that say what was wrong. */
function failure(code: ErrorCode, body: string): Record<string, string | number> {
  return { ...coded(code, () => rulesOf(body)).params };
}

describe('parseRewriteRules: what IIS accepts', () => {
  it('returns no rules when there is no <system.webServer> or no <rewrite>', () => {
    expect(parseRewriteRules(undefined, FILE)).toEqual([]);
    expect(rulesOf('<handlers/>')).toEqual([]);
    expect(rulesOf('<rewrite/>')).toEqual([]);
    expect(rulesOf('<rewrite><rules/></rewrite>')).toEqual([]);
  });

  it('reads the Azure/Kudu template: a rule without <action> is None, one without <match> matches every URL', () => {
    const [inspector, staticContent, dynamic] = rulesOf(KUDU_TEMPLATE);
    expect(inspector).toMatchObject({ name: 'NodeInspector', stopProcessing: true, patternSyntax: 'ECMAScript', action: { type: 'None' }, line: 9, column: 9 });
    expect(inspector?.match.url).toBe('^server.js\\/debug[\\/]?');
    expect(staticContent).toMatchObject({ name: 'StaticContent', stopProcessing: false, match: { url: '' }, action: { type: 'Rewrite', urlText: 'public{REQUEST_URI}', appendQueryString: true } });
    expect(staticContent?.match.pattern.exec('any/path')).toEqual(['']);
    expect(dynamic?.conditions).toMatchObject({ logicalGrouping: 'MatchAll', trackAllCaptures: false, list: [{ inputText: '{REQUEST_FILENAME}', matchType: 'IsFile', negate: true }] });
    expect(dynamic?.action).toMatchObject({ type: 'Rewrite', urlText: 'server.js' });
  });

  it('applies the documented defaults', () => {
    const [r] = rulesOf(rules('<rule name="r"><match url="x"/><conditions><add input="{HTTP_HOST}" pattern="y"/></conditions><action type="Redirect" url="/z"/></rule>'));
    expect(r).toMatchObject({ enabled: true, stopProcessing: false, patternSyntax: 'ECMAScript', match: { negate: false }, serverVariables: [] });
    expect(r?.match.pattern.ignoreCase).toBe(true);
    expect(r?.conditions.list[0]).toMatchObject({ matchType: 'Pattern', negate: false, pattern: { ignoreCase: true } });
    expect(r?.action).toMatchObject({ type: 'Redirect', appendQueryString: true, redirectType: 'Permanent' });
    expect(rulesOf(rules('<rule name="r"><action/></rule>'))[0]?.action).toEqual({ type: 'None' });
  });

  it('reads attribute names in any case and enumeration and boolean values in any case', () => {
    const [r] = rulesOf(rules(`<rule NAME="r" StopProcessing="TRUE" patternsyntax="wildcard" Enabled="False">
      <match URL="a/*" IGNORECASE="false" Negate="true"/>
      <conditions LogicalGrouping="matchany" trackallcaptures="True"><add INPUT="{URL}" matchtype="isdirectory"/></conditions>
      <action TYPE="redirect" Url="/b" redirecttype="seeother" appendquerystring="FALSE"/></rule>`));
    expect(r).toMatchObject({ name: 'r', stopProcessing: true, enabled: false, patternSyntax: 'Wildcard', match: { url: 'a/*', negate: true } });
    expect(r?.match.pattern.ignoreCase).toBe(false);
    expect(r?.conditions).toMatchObject({ logicalGrouping: 'MatchAny', trackAllCaptures: true, list: [{ matchType: 'IsDirectory' }] });
    expect(r?.action).toMatchObject({ type: 'Redirect', redirectType: 'SeeOther', appendQueryString: false });
  });

  it('reads every action type with its attributes', () => {
    const list = rulesOf(rules(`
      <rule name="a"><match url="a"/><action type="Rewrite" url="x.js" appendQueryString="false" logRewrittenUrl="true"/></rule>
      <rule name="b"><match url="b"/><action type="Redirect" url="https://example.com/{R:0}" redirectType="Temporary"/></rule>
      <rule name="c"><match url="c"/><action type="CustomResponse" statusCode="403" subStatusCode="7" statusReason="Forbidden" statusDescription="No {R:0}"/></rule>
      <rule name="d"><match url="d"/><action type="AbortRequest"/></rule>
      <rule name="e"><match url="e"/><action type="None"/></rule>`));
    expect(list.map((r) => r.action.type)).toEqual(['Rewrite', 'Redirect', 'CustomResponse', 'AbortRequest', 'None']);
    expect(list[0]?.action).toMatchObject({ appendQueryString: false });
    expect(list[1]?.action).toMatchObject({ redirectType: 'Temporary', url: [{ kind: 'text', text: 'https://example.com/' }, { kind: 'ref', from: 'R', index: 0 }] });
    expect(list[2]?.action).toMatchObject({ statusCode: 403, subStatusCode: 7, statusReason: [{ kind: 'text', text: 'Forbidden' }] });
  });

  it('applies <clear/> and <remove name> in document order', () => {
    const names = rulesOf(rules('<rule name="a"/><rule name="b"/><remove name="a"/><rule name="c"/><clear/><rule name="d"/><rule name="e"/><remove name="none"/>')).map((r) => r.name);
    expect(names).toEqual(['d', 'e']);
    expect(rulesOf(rules('<rule name="a"/><remove name="a"/><rule name="a"/>')).map((r) => r.name)).toEqual(['a']);
  });

  it('parses {…} expressions: variables, back-references, functions and rewrite maps', () => {
    const [r] = rulesOf(`<rewrite>
      <rewriteMaps><rewriteMap name="Legacy" defaultValue="/none"><add key="/Old" value="/new"/></rewriteMap></rewriteMaps>
      <rules><rule name="m"><match url=".*"/><conditions><add input="{Legacy:{ToLower:{URL}}}" pattern="(.+)"/></conditions><action type="Rewrite" url="{C:1}?h={http_host}&amp;r={R:0}"/></rule></rules>
    </rewrite>`);
    const input = r?.conditions.list[0]?.input;
    expect(input).toMatchObject([{ kind: 'map', map: { name: 'Legacy', defaultValue: '/none', ignoreCase: true }, arg: [{ kind: 'fn', fn: 'ToLower', arg: [{ kind: 'var', name: 'URL' }] }] }]);
    const map = input?.[0]?.kind === 'map' ? input[0].map : undefined;
    expect([...(map?.entries ?? [])]).toEqual([['/old', '/new']]);
    expect(r?.action).toMatchObject({ url: [{ kind: 'ref', from: 'C', index: 1 }, { kind: 'text', text: '?h=' }, { kind: 'var', name: 'HTTP_HOST' }, { kind: 'text', text: '&r=' }, { kind: 'ref', from: 'R', index: 0 }] });
  });

  it('reads <serverVariables><set> and ignores outbound rules and providers, which do not route requests', () => {
    const [r] = rulesOf(`<rewrite><rules><rule name="s"><match url=".*"/><serverVariables><set name="HTTP_X_Original_Host" value="{HTTP_HOST}" replace="false"/></serverVariables><action type="None"/></rule></rules>
      <outboundRules><rule name="o"><match filterByTags="A" pattern="x"/></rule></outboundRules><providers><provider name="p" type="T"/></providers></rewrite>`);
    expect(r?.serverVariables).toEqual([{ name: 'HTTP_X_ORIGINAL_HOST', value: [{ kind: 'var', name: 'HTTP_HOST' }], replace: false }]);
  });

  it('ignores namespace declarations and prefixed attributes (web.config transforms)', () => {
    const [r] = rulesOf(`<rewrite xmlns:xdt="http://schemas.microsoft.com/XML-Document-Transform"><rules><rule name="a" xdt:Transform="Insert"/></rules></rewrite>`);
    expect(r?.name).toBe('a');
  });
});

describe('rule patterns: ECMAScript as IIS users write it', () => {
  const exec = (pattern: string, input: string, ignoreCase = true): string[] | null => compilePattern(pattern, 'ECMAScript', ignoreCase).exec(input);

  it('searches anywhere in the input (the pattern is not anchored) and honours ignoreCase', () => {
    expect(exec('hello/*', 'sub/Hello.js')).toEqual(['Hello']);
    expect(exec('hello/*', 'sub/Hello.js', false)).toBeNull();
    expect(exec('^([0-9]+)/([a-z]+)\\.html$', '07/article.html')).toEqual(['07/article.html', '07', 'article']);
  });

  it('gives "" for a group that took no part, as {R:n} does in IIS', () => {
    expect(exec('^a(b)?(c)$', 'ac')).toEqual(['ac', '', 'c']);
  });

  it('translates the .NET anchors \\A, \\z and \\Z, which JavaScript would read as letters', () => {
    expect(translateEcmaScript('\\Aapi/\\d+\\z').source).toBe('^api/\\d+$');
    expect(exec('\\Aapi\\z', 'api')).toEqual(['api']);
    expect(exec('\\Aapi\\z', 'xapi')).toBeNull();
    expect(exec('api\\Z', 'api\n')).toEqual(['api']);
  });

  it('reads a ] right after [ or [^ as a literal, as .NET does', () => {
    expect(exec('^[]a]+$', ']a]')).not.toBeNull();
    expect(exec('^[^]]+$', 'abc')).not.toBeNull();
    expect(exec('^[^]]+$', 'a]c')).toBeNull();
  });

  it('numbers named groups after the unnamed ones, as .NET does, also for \\N inside the pattern', () => {
    expect(exec('(?<year>\\d{4})/(\\d{2})', '2024/05')).toEqual(['2024/05', '05', '2024']);
    expect(exec("(?'y'\\d)-(x)-\\k'y'", '1-x-1')).toEqual(['1-x-1', 'x', '1']);
    expect(exec('(?<a>a)(b)\\1', 'abb')).toEqual(['abb', 'b', 'a']);
    expect(exec('(?<a>a)(b)\\1', 'aba')).toBeNull();
  });

  it('drops (?#comments) and turns a leading (?i) into case-insensitivity', () => {
    expect(exec('ab(?#why)c', 'abc')).toEqual(['abc']);
    expect(exec('(?i)^API$', 'api', false)).toEqual(['api']);
  });

  it('compiles \\p{…} categories in Unicode mode', () => {
    expect(exec('^\\p{L}+$', 'héllo')).toEqual(['héllo']);
    expect(exec('^\\p{L}+$', 'h3llo')).toBeNull();
  });

  it('matches Wildcard patterns against the whole input: * captures, ? is one character', () => {
    const p = compilePattern('*/*.html', 'Wildcard', true);
    expect(p.exec('contoso/test.html')).toEqual(['contoso/test.html', 'contoso', 'test']);
    expect(p.exec('contoso/test.htm')).toBeNull();
    expect(compilePattern('file?.txt', 'Wildcard', true).exec('file1.txt')).toEqual(['file1.txt']);
    expect(compilePattern('file?.txt', 'Wildcard', true).exec('file.txt')).toBeNull();
    expect(compilePattern('a.(b)+', 'Wildcard', true).exec('a.(b)+')).not.toBeNull();
  });

  it('compares ExactMatch patterns as whole strings', () => {
    expect(compilePattern('Index.html', 'ExactMatch', true).exec('index.HTML')).toEqual(['index.HTML']);
    expect(compilePattern('Index.html', 'ExactMatch', false).exec('index.html')).toBeNull();
    expect(compilePattern('a.b', 'ExactMatch', true).exec('axb')).toBeNull();
  });
});

describe('parseRewriteRules: errors at the attribute (CB_ERR_CONFIG_ATTRIBUTE)', () => {
  // Line 3 holds <rewrite>, line 4 <rules>, line 5 the <rule>, line 6 its first child.
  const at = (ruleBody: string, ruleAttrs = 'name="r"'): string => `    <rewrite>\n      <rules>\n        <rule ${ruleAttrs}>\n          ${ruleBody}\n        </rule>\n      </rules>\n    </rewrite>`;

  it('names an unknown action type, where it is and what was expected', () => {
    const p = failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="Rewrit" url="x"/>'));
    expect(p).toMatchObject({ file: FILE, line: 6, column: 19, element: 'action', attribute: 'type', value: 'Rewrit' });
    expect(p.expected).toBe('one of None, Rewrite, Redirect, CustomResponse, AbortRequest (did you mean "Rewrite"?)');
  });

  it('gives JavaScript\'s reason for a regex it cannot compile', () => {
    const p = failure('CB_ERR_CONFIG_ATTRIBUTE', at('<match url="^(api/.*"/>'));
    expect(p).toMatchObject({ line: 6, column: 18, element: 'match', attribute: 'url', value: '^(api/.*' });
    expect(p.expected).toBe('a regular expression JavaScript can compile, but Unterminated group');
    const err = coded('CB_ERR_CONFIG_ATTRIBUTE', () => rulesOf(at('<match url="^(api/.*"/>')));
    expect(err.message).toBe(`${FILE}:6:18: <match> attribute "url" has the value "^(api/.*"; expected a regular expression JavaScript can compile, but Unterminated group.`);
  });

  it('names the .NET constructs JavaScript cannot express, with the character where they start', () => {
    const cases: Array<[string, string]> = [
      ['(?>a+)b', 'atomic groups (?>…) have no JavaScript equivalent in Node 20 (at character 1)'],
      ['[a-z-[aeiou]]', 'character class subtraction ([a-z-[aeiou]]) has no JavaScript equivalent (at character 5)'],
      ['x\\Gy', '\\G (match where the previous match ended) has no JavaScript equivalent (at character 2)'],
      ['a(?i:b)', 'inline options (?i:… are not supported by JavaScript in Node 20; only a leading (?i) is (set ignoreCase="true" instead) (at character 2)'],
      ['(?<a-b>x)', 'the balancing group (?<a-b>…) has no JavaScript equivalent (at character 1)'],
      ['(?<1x>a)', 'the group name "1x" is not one JavaScript accepts (a letter or _ then letters, digits or _) (at character 1)'],
      ['(?(x)a|b)', 'conditional groups (?(…)…|…) have no JavaScript equivalent (at character 1)'],
      ['abc\\', 'the pattern ends with a lone backslash (at character 4)'],
    ];
    for (const [pattern, why] of cases) {
      const p = failure('CB_ERR_CONFIG_ATTRIBUTE', rules(`<rule name="r"><match url="${escapeXml(pattern)}"/></rule>`));
      expect(p.expected, pattern).toBe(`a regular expression JavaScript can compile, but ${why}`);
    }
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', rules('<rule name="r"><match url="\\p{IsGreek}"/></rule>')).expected).toMatch(/^a regular expression JavaScript can compile, but \\p\{…\} needs JavaScript's Unicode mode, where this pattern is invalid: /);
  });

  it('checks condition patterns with the rule\'s syntax and points at the condition\'s attribute', () => {
    const p = failure('CB_ERR_CONFIG_ATTRIBUTE', at('<conditions><add input="{HTTP_HOST}" pattern="(["/></conditions>'));
    expect(p).toMatchObject({ line: 6, column: 48, element: 'add', attribute: 'pattern', value: '([' });
  });

  it('refuses unknown attributes, suggesting the closest one', () => {
    const p = failure('CB_ERR_CONFIG_ATTRIBUTE', at('<match url="x"/>', 'name="r" stopProcesing="true"'));
    expect(p).toMatchObject({ line: 5, column: 24, element: 'rule', attribute: 'stopProcesing', value: 'true' });
    expect(p.expected).toBe('one of name, enabled, stopProcessing, patternSyntax, responseCacheDirective (did you mean "stopProcessing"?)');
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', '<rewrite><rules foo="1"/></rewrite>')).toMatchObject({ attribute: 'foo', expected: 'no attributes on <rules>' });
  });

  it('refuses booleans other than true/false, and bad enumerations, whole numbers and names', () => {
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<match url="x" negate="yes"/>'))).toMatchObject({ line: 6, column: 26, attribute: 'negate', value: 'yes', expected: 'true or false' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<match url="x"/>', 'name="r" patternSyntax="Regex"'))).toMatchObject({ attribute: 'patternSyntax', expected: 'one of ECMAScript, Wildcard, ExactMatch' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="Redirect" url="/" redirectType="Moved"/>'))).toMatchObject({ attribute: 'redirectType', expected: 'one of Permanent, Found, SeeOther, Temporary (did you mean "Found"?)' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<conditions logicalGrouping="All"/>'))).toMatchObject({ attribute: 'logicalGrouping', expected: 'one of MatchAll, MatchAny' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<conditions><add input="x" matchType="File"/></conditions>'))).toMatchObject({ attribute: 'matchType', expected: 'one of Pattern, IsFile, IsDirectory (did you mean "IsFile"?)' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="CustomResponse" statusCode="4o3"/>'))).toMatchObject({ line: 6, column: 41, attribute: 'statusCode', expected: 'a whole number from 100 to 999' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="CustomResponse" statusCode="1000"/>'))).toMatchObject({ attribute: 'statusCode' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="CustomResponse" statusCode="403" subStatusCode="-1"/>'))).toMatchObject({ attribute: 'subStatusCode', expected: 'a whole number from 0 to 999' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<match url="x"/>', 'name=" "'))).toMatchObject({ attribute: 'name', expected: 'a non-empty rule name' });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="Rewrite" url=""/>'))).toMatchObject({ attribute: 'url', expected: 'a URL' });
  });

  it('refuses {…} expressions that do not parse, saying which and where (a lone } is text)', () => {
    expect(rulesOf(rules('<rule name="r"><action type="Rewrite" url="a}b"/></rule>'))[0]?.action).toMatchObject({ url: [{ kind: 'text', text: 'a}b' }] });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="Rewrite" url="public{REQUEST_URI"/>'))).toMatchObject({
      line: 6,
      column: 34,
      attribute: 'url',
      expected: 'text with valid {…} expressions, but the { at character 7 is never closed with }',
    });
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="Rewrite" url="{Lower:{R:1}}"/>')).expected).toBe('text with valid {…} expressions, but {Lower:…} at character 1 names neither a function nor a rewrite map (known: ToLower, UrlEncode, UrlDecode, EscapeDataString)');
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<conditions><add input="{ }"/></conditions>')).expected).toBe('text with valid {…} expressions, but "{ }" at character 1 is not a server variable, {R:n}, {C:n}, a function or a rewrite map');
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', at('<action type="Rewrite" url="{ToLower:{R:1}"/>')).expected).toBe('text with valid {…} expressions, but the {ToLower: at character 1 is never closed with }');
  });
});

describe('parseRewriteRules: structural errors at the element (CB_ERR_CONFIG_XML)', () => {
  it('requires a rule name, and unique names', () => {
    expect(failure('CB_ERR_CONFIG_XML', `<rewrite>\n<rules>\n  <rule/>\n</rules></rewrite>`)).toMatchObject({ file: FILE, line: 5, column: 3, detail: '<rule> has no name attribute; add name="…"' });
    expect(failure('CB_ERR_CONFIG_XML', `<rewrite><rules>\n<rule name="a"/>\n<rule name="b"/> <rule name="a"/></rules></rewrite>`)).toMatchObject({
      line: 5,
      column: 18,
      detail: 'a second rule named "a" (the first is at line 4); rule names must be unique',
    });
  });

  it('requires the attributes an element cannot do without', () => {
    expect(failure('CB_ERR_CONFIG_XML', rules('<rule name="r"><match/></rule>')).detail).toBe('<match> has no url attribute; add url="…"');
    expect(failure('CB_ERR_CONFIG_XML', rules('<rule name="r"><conditions><add pattern="x"/></conditions></rule>')).detail).toBe('<add> has no input attribute; add input="…"');
    expect(failure('CB_ERR_CONFIG_XML', rules('<rule name="r"><action type="Rewrite"/></rule>')).detail).toBe('<action> has no url attribute (type="Rewrite" needs the URL to send the request to); add url="…"');
    expect(failure('CB_ERR_CONFIG_XML', rules('<rule name="r"><action type="CustomResponse"/></rule>')).detail).toBe('<action> has no statusCode attribute (type="CustomResponse" needs the status to answer with); add statusCode="…"');
    expect(failure('CB_ERR_CONFIG_XML', rules('<remove/>')).detail).toBe('<remove> has no name attribute; add name="…"');
  });

  it('refuses unknown and repeated elements where they appear', () => {
    expect(failure('CB_ERR_CONFIG_XML', `<rewrite>\n  <rules>\n    <rule name="r">\n      <match url="a"/>\n      <match url="b"/>`.concat('</rule></rules></rewrite>'))).toMatchObject({
      line: 7,
      column: 7,
      detail: 'a second <match> in <rule>; only one is allowed',
    });
    expect(failure('CB_ERR_CONFIG_XML', rules('<rule name="r"><Match url="a"/></rule>')).detail).toBe('<Match> is not allowed in <rule>; expected <match>, <conditions>, <action>, <serverVariables>');
    expect(failure('CB_ERR_CONFIG_XML', rules('<add name="r"/>')).detail).toBe('<add> is not allowed in <rules>; expected <rule>, <clear/> or <remove name="…"/>');
    expect(failure('CB_ERR_CONFIG_XML', rules('<rule name="r"><conditions><condition input="x"/></conditions></rule>')).detail).toBe('<condition> is not allowed in <conditions>; expected <add input="…"/> or <clear/>');
    expect(failure('CB_ERR_CONFIG_XML', '<rewrite/><rewrite/>').detail).toBe('a second <rewrite> element; only one is allowed here');
    expect(failure('CB_ERR_CONFIG_XML', '<rewrite><globalRules/></rewrite>').detail).toBe('<globalRules> can only be set in applicationHost.config; put these rules in <rules>');
  });

  it('checks rewrite maps: names, unique keys, and references to maps that do not exist', () => {
    expect(failure('CB_ERR_CONFIG_XML', '<rewrite><rewriteMaps><rewriteMap name="m"><add key="a" value="1"/><add key="a" value="2"/></rewriteMap></rewriteMaps></rewrite>').detail).toBe(
      'a second entry with key "a" in rewrite map "m"; keys must be unique',
    );
    expect(failure('CB_ERR_CONFIG_XML', '<rewrite><rewriteMaps><rewriteMap name="m"/><rewriteMap name="M"/></rewriteMaps></rewrite>').detail).toBe('a second rewrite map named "M"; map names must be unique');
    expect(failure('CB_ERR_CONFIG_ATTRIBUTE', '<rewrite><rewriteMaps><rewriteMap name="a b"/></rewriteMaps></rewrite>')).toMatchObject({ attribute: 'name' });
    const p = failure('CB_ERR_CONFIG_ATTRIBUTE', '<rewrite><rewriteMaps><rewriteMap name="Old"/><remove name="old"/></rewriteMaps><rules><rule name="r"><action type="Rewrite" url="{Old:{URL}}"/></rule></rules></rewrite>');
    expect(p.expected).toBe('text with valid {…} expressions, but {Old:…} at character 1 names neither a function nor a rewrite map (known: ToLower, UrlEncode, UrlDecode, EscapeDataString)');
  });
});

describe('parseRewriteRules: fuzzing', () => {
  const ELEMENTS = ['match', 'conditions', 'action', 'serverVariables', 'add', 'set', 'rule', 'clear', 'remove', 'bogus'];
  const ATTRS = ['name', 'url', 'type', 'negate', 'ignoreCase', 'pattern', 'input', 'matchType', 'patternSyntax', 'stopProcessing', 'enabled', 'redirectType', 'statusCode', 'subStatusCode', 'appendQueryString', 'logicalGrouping', 'trackAllCaptures', 'value', 'key', 'Url', 'xx'];
  const VALUES = ['', 'true', 'False', 'yes', 'Rewrite', 'Redirect', 'CustomResponse', 'AbortRequest', 'None', 'Wildcard', 'ExactMatch', 'IsFile', 'MatchAny', '301', '99999999999', '-1',
    '(', ')', '[', ']', '(?<n>a)', '(?>a)', '\\', '\\A\\z', '{', '}', '{R:1}', '{C:12}', '{HTTP_HOST}', '{ToLower:{R:0}}', '{Map:x}', '{{}}', '*', '?', '.*', '^a$', '[]a]', '(?i)x', '(?#c)', '\\k<n>', '\\p{L}', '(?<=a)b', 'a{2,1}', 'a**'];
  const BOOLS = ['true', 'false', 'True', 'FALSE'];
  const VALID: Record<string, readonly string[]> = {
    stopProcessing: BOOLS,
    enabled: BOOLS,
    ignoreCase: BOOLS,
    negate: BOOLS,
    appendQueryString: BOOLS,
    trackAllCaptures: BOOLS,
    patternSyntax: ['ECMAScript', 'Wildcard', 'ExactMatch'],
    logicalGrouping: ['MatchAll', 'MatchAny'],
    matchType: ['Pattern', 'IsFile', 'IsDirectory'],
    redirectType: ['Permanent', 'Found', 'SeeOther', 'Temporary'],
    statusCode: ['403', '404', '500'],
    subStatusCode: ['0', '12'],
    pattern: ['.*', '^api/(.*)$', '(?<n>a)(b)\\1', '*', 'x?y', '[]a]', '\\Ahome\\z', '(?i)Hello', '^(\\d+)/([a-z]+)$', 'a{2}', '\\p{L}+'],
    input: ['{HTTP_HOST}', '{REQUEST_FILENAME}', '{R:1}-{C:2}', '{ToLower:{URL}}', 'literal'],
    url: ['server.js', 'public{REQUEST_URI}', '/{R:1}?x={C:1}', 'https://example.com/{R:0}', '{UrlEncode:{QUERY_STRING}}'],
  };

  it('returns rules or throws a CloudbenchError for 2000 random rule sections, never anything else', () => {
    const rnd = seeded(20240601);
    const value = (): string => escapeXml(rnd.next() < 0.8 ? rnd.pick(VALUES) : rnd.pick(VALUES) + rnd.pick(VALUES));
    // Mostly values of the right kind for the attribute, sometimes anything.
    const fitting = (name: string): string => (rnd.next() < 0.9 && VALID[name] ? escapeXml(rnd.pick(VALID[name])) : value());
    const attrs = (names: readonly string[]): string => {
      const picked = new Map(Array.from({ length: rnd.int(4) }, () => rnd.pick(names)).map((k) => [k, fitting(k)] as const));
      return [...picked].map(([k, v]) => `${k}="${v}"`).join(' ');
    };
    // Random elements anywhere, or the shape of a real rule with random values: the second gets past the
    // structural checks, so the value checks and the compilers are fuzzed too.
    const element = (depth: number): string => {
      const name = rnd.pick(ELEMENTS);
      const kids = depth < 2 ? Array.from({ length: rnd.int(3) }, () => element(depth + 1)).join('') : '';
      return `<${name} ${attrs(ATTRS)}>${kids}</${name}>`;
    };
    const plausible = (i: number): string =>
      `<rule name="r${i}-${rnd.int(3)}" ${attrs(['stopProcessing', 'patternSyntax', 'enabled'])}><match url="${fitting('pattern')}" ${attrs(['ignoreCase', 'negate'])}/>` +
      `<conditions ${attrs(['logicalGrouping', 'trackAllCaptures'])}><add input="${fitting('input')}" pattern="${fitting('pattern')}" ${attrs(['negate', 'ignoreCase', 'matchType'])}/></conditions>` +
      `<action type="${rnd.pick(['Rewrite', 'Redirect', 'CustomResponse', 'AbortRequest', 'None'])}" url="${fitting('url')}" ${attrs(['appendQueryString', 'redirectType', 'statusCode', 'subStatusCode'])}/></rule>`;
    let parsed = 0;
    for (let i = 0; i < 2000; i++) {
      const body = rules(Array.from({ length: 1 + rnd.int(3) }, () => (rnd.next() < 0.7 ? plausible(i) : element(0))).join(''));
      try {
        const result = parseRewriteRules(findPath(parseXml(rewriteConfig(body), FILE), 'system.webServer'), FILE);
        expect(Array.isArray(result)).toBe(true);
        parsed++;
      } catch (err) {
        if (!(err instanceof CloudbenchError)) throw new Error(`iteration ${i} threw ${String(err)} for ${body}`, { cause: err });
        expect(err.params.file).toBe(FILE);
      }
    }
    // Both outcomes occur, so the loop exercises more than the first error check.
    expect(parsed).toBeGreaterThan(100);
  });
});
