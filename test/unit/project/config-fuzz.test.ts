// Bad input never crashes the configuration readers: random mutations of real web.config and iisnode.yml
// files either parse or fail with a CloudbenchError that names the file and a line (and, for XML, a column).
import { describe, expect, it } from 'vitest';
import { isCloudbenchError } from '../../../runtime/shared/errors.js';
import { parseIisnodeYml } from '../../../runtime/project/iisnode-yml.js';
import { parseWebConfig } from '../../../runtime/project/web-config.js';
import { KUDU_TEMPLATE, seeded } from './rewrite-test-helpers.js';

const FILE = '/site/web.config';
const YML = '/site/iisnode.yml';

const WEB_CONFIG = `<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings><add key="A" value="1"/><add key="" value="skip"/></appSettings>
  <system.webServer>
    <handlers><add name="iisnode" path="server.js" verb="*" modules="iisnode"/></handlers>
    <iisnode nodeProcessCountPerApplication="2" loggingEnabled="true" watchedFiles="*.js;iisnode.yml" debuggerPortRange="5058-6058"/>
    <defaultDocument><files><clear/><add value="index.js"/></files></defaultDocument>
    <security><requestFiltering><hiddenSegments><add segment="secret"/></hiddenSegments></requestFiltering></security>
    <staticContent><mimeMap fileExtension=".md" mimeType="text/markdown"/></staticContent>
${KUDU_TEMPLATE}
  </system.webServer>
</configuration>
`;

const YML_TEXT = `# iisnode.yml
nodeProcessCountPerApplication: 2
loggingEnabled: true
devErrorsEnabled: no
watchedFiles: *.js;iisnode.yml
debugPortRange: 6000-6010
node_env: production
`;

const ALPHABET = ['<', '>', '/', '"', "'", '=', ' ', '\n', ':', '#', '-', '&', ';', 'a', 'Z', '0', '9', '{', '}', '*', '\u0000', '\u00e9', '\t', '?', '!', '['];

function mutate(text: string, rnd: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rnd() * out.length);
    const kind = rnd();
    if (kind < 0.4) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rnd() * 8));
    else if (kind < 0.8) out = out.slice(0, at) + (ALPHABET[Math.floor(rnd() * ALPHABET.length)] as string) + out.slice(at);
    else {
      const from = Math.floor(rnd() * out.length);
      out = out.slice(0, at) + out.slice(from, from + 20) + out.slice(at);
    }
  }
  return out;
}

function expectParsedOrCoded(fn: () => unknown, file: string, seed: number, positionPattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    if (!isCloudbenchError(err)) throw new Error(`seed ${seed}: not a CloudbenchError: ${String(err)}`, { cause: err });
    expect(err.message.startsWith(`${file}:`), `seed ${seed}: ${err.message}`).toBe(true);
    expect(err.message, `seed ${seed}`).toMatch(positionPattern);
  }
}

describe('configuration readers under random bad input', () => {
  it('the unmodified files parse', () => {
    expect(parseWebConfig(WEB_CONFIG, FILE).handlers).toHaveLength(1);
    expect(parseIisnodeYml(YML_TEXT, YML).map((o) => o.name)).toContain('nodeProcessCountPerApplication');
  });

  it('web.config: 3,000 mutations parse or fail with file:line:column', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const rnd = seeded(seed).next;
      const text = mutate(WEB_CONFIG, rnd);
      expectParsedOrCoded(() => parseWebConfig(text, FILE), FILE, seed, /^\/site\/web\.config:\d+:\d+: /);
    }
  });

  it('iisnode.yml: 3,000 mutations parse or fail with file:line:col', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const rnd = seeded(seed).next;
      const text = mutate(YML_TEXT, rnd);
      expectParsedOrCoded(() => parseIisnodeYml(text, YML), YML, seed, /^\/site\/iisnode\.yml:\d+:\d+: /);
    }
  });
});
