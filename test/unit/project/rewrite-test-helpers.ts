// Shared by the rewrite tests: web.config text around a <rewrite> section, parsed the way web-config.ts reads
// the file, and a small seeded random generator for the fuzz loops (a failure names its seed and is replayable).
import { parseRewriteRules } from '../../../runtime/project/rewrite-rules.js';
import type { RewriteRule } from '../../../runtime/project/rewrite-rules.js';
import { findPath, parseXml } from '../../../runtime/project/xml.js';

export const FILE = '/site/web.config';

/** A web.config whose <system.webServer> holds `body`; line 3 is the first line of body. */
export function rewriteConfig(body: string): string {
  return `<configuration>\n  <system.webServer>\n${body}\n  </system.webServer>\n</configuration>\n`;
}

/** Parses `body` (placed inside <system.webServer>) and returns its rules. */
export function rulesOf(body: string): RewriteRule[] {
  return parseRewriteRules(findPath(parseXml(rewriteConfig(body), FILE), 'system.webServer'), FILE);
}

/** `<rewrite><rules>…</rules></rewrite>` around rule XML. */
export function rules(xml: string): string {
  return `<rewrite><rules>${xml}</rules></rewrite>`;
}

/** The Azure/Kudu iisnode template (Kudu.Core/Scripts/iisnode.config.template), as deployed for server.js. */
export const KUDU_TEMPLATE = `    <handlers>
      <add name="iisnode" path="server.js" verb="*" modules="iisnode"/>
    </handlers>
    <rewrite>
      <rules>
        <!-- Do not interfere with requests for node-inspector debugging -->
        <rule name="NodeInspector" patternSyntax="ECMAScript" stopProcessing="true">
          <match url="^server.js\\/debug[\\/]?" />
        </rule>
        <!-- First we consider whether the incoming URL matches a physical file in the /public folder -->
        <rule name="StaticContent">
          <action type="Rewrite" url="public{REQUEST_URI}"/>
        </rule>
        <!-- All other URLs are mapped to the node.js site entry point -->
        <rule name="DynamicContent">
          <conditions>
            <add input="{REQUEST_FILENAME}" matchType="IsFile" negate="True"/>
          </conditions>
          <action type="Rewrite" url="server.js"/>
        </rule>
      </rules>
    </rewrite>
    <security>
      <requestFiltering>
        <hiddenSegments>
          <remove segment="bin"/>
        </hiddenSegments>
      </requestFiltering>
    </security>
    <httpErrors existingResponse="PassThrough" />`;

/** mulberry32: a tiny deterministic generator, so a fuzz failure can be replayed from its seed. */
export function seeded(seed: number): { next(): number; int(n: number): number; pick<T>(list: readonly T[]): T } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return { next, int, pick: <T>(list: readonly T[]): T => list[int(list.length)] as T };
}
