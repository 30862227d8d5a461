// What IIS does with a request before iisnode sees it, for projects with a web.config: URL Rewrite, request
// filtering (hidden segments), then handler mapping: a path that names the iisnode handler goes to node,
// anything else to the static file handler (with default documents for folders). Projects without a
// web.config skip all of this: every request goes to node, as `node server.js` behind a proxy would.
import { statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { WebConfig } from '../project/web-config.js';
import { iisnodeHandlers } from '../project/web-config.js';
import { createDiskRewriteEnv, evaluateRewrite } from './rewrite.js';
import type { RewriteEnv } from './rewrite.js';
import type { MessageHead } from './http1/head.js';

export type SiteDecision =
  /** To the app; `headers` are added to the request (X-Original-URL after a rewrite, server variables). */
  | { readonly kind: 'node'; readonly headers: Array<[string, string]> }
  | { readonly kind: 'static'; readonly file: string; readonly stat: Stats }
  | { readonly kind: 'redirect'; readonly status: number; readonly location: string }
  | { readonly kind: 'status'; readonly status: number; readonly reason: string; readonly detail: string }
  | { readonly kind: 'abort' }
  /** To another server (an absolute rewrite URL, as with Application Request Routing). */
  | { readonly kind: 'proxy'; readonly target: string }
  /** iisnode's debugger URL `/<script>/<debuggerPathSegment>/` (`?brk`, `?kill`); the router answers it. */
  | { readonly kind: 'debug'; readonly command: DebugCommand };

/** What a debugger URL asks for: the debugger page (attaching), break on start, or the end of debugging. */
export type DebugCommand = 'attach' | 'brk' | 'kill';

/** iisnode's debuggingEnabled and debuggerPathSegment (web.config < IISNODE_* < iisnode.yml). */
export interface DebugUrlSettings {
  readonly debuggingEnabled: boolean;
  readonly debuggerPathSegment: string;
}

export interface SitePipeline {
  decide(head: MessageHead, remoteAddress: string, localPort: number): SiteDecision;
}

export function createSitePipeline(root: string, config: WebConfig | undefined, debugSettings?: DebugUrlSettings): SitePipeline | undefined {
  if (!config) return undefined;
  // Without the resolved settings, web.config's own attributes (iisnode's defaults: enabled, "debug").
  const debugging = debugSettings ?? { debuggingEnabled: config.iisnode.debuggingEnabled?.value !== false, debuggerPathSegment: String(config.iisnode.debuggerPathSegment?.value ?? 'debug') };
  const debugSegment = debugging.debuggingEnabled && debugging.debuggerPathSegment !== '' ? debugging.debuggerPathSegment.toLowerCase() : undefined;
  const env: RewriteEnv = createDiskRewriteEnv(root);
  const handlers = iisnodeHandlers(config).map((h) => ({ pattern: wildcard(h.path), verbs: h.verb === '*' ? undefined : new Set(h.verb.split(',').map((v) => v.trim().toUpperCase())) }));
  const hidden = new Set(config.hiddenSegments.map((s) => s.toLowerCase()));
  const isNodePath = (segments: string[], method: string): boolean =>
    segments.some((seg) => handlers.some((h) => h.pattern.test(seg) && (h.verbs === undefined || h.verbs.has(method))));

  return {
    decide(head, remoteAddress, localPort) {
      const method = head.method as string;
      const headers: Record<string, string> = {};
      for (let i = 0; i < head.headers.length; i += 2) headers[(head.headers[i] as string).toLowerCase()] = head.headers[i + 1] as string;
      const r = evaluateRewrite(config.rewriteRules, { url: head.url as string, method, headers, remoteAddress, localPort }, env);
      if (r.type === 'redirect') return { kind: 'redirect', status: r.status, location: r.location };
      if (r.type === 'custom') return { kind: 'status', status: r.status, reason: r.reason || 'Custom response', detail: r.description };
      if (r.type === 'abort') return { kind: 'abort' };
      if (r.type === 'proxy') return { kind: 'proxy', target: r.target };

      const segments = r.path.split('/').filter((s) => s !== '');
      if (segments.some((s) => hidden.has(s.toLowerCase()))) return { kind: 'status', status: 404, reason: 'Not Found', detail: 'The path contains a hidden segment (requestFiltering/hiddenSegments).' };
      const extra: Array<[string, string]> = [];
      // The app sees the original URL (iisnode sends X-Original-URL's value); tell it what was rewritten.
      if (r.rewritten) extra.push(['X-Original-URL', r.originalUrl]);
      for (const [name, value] of Object.entries(r.serverVariables)) {
        if (name.startsWith('HTTP_')) extra.push([name.slice(5).toLowerCase().replace(/_/g, '-'), value]);
      }
      if (isNodePath(segments, method)) {
        // iisnode's debugger URLs (iisnode.md §2.11): the segment after the script's, with debuggingEnabled.
        const at = debugSegment === undefined ? -1 : segments.findIndex((seg, i) => i > 0 && seg.toLowerCase() === debugSegment && isNodePath([segments[i - 1] as string], method));
        if (at > 0) {
          if (at === segments.length - 1 && !r.path.endsWith('/')) return { kind: 'redirect', status: 301, location: `${r.path}/${r.queryString ? `?${r.queryString}` : ''}` };
          return { kind: 'debug', command: r.queryString === 'brk' ? 'brk' : r.queryString === 'kill' ? 'kill' : 'attach' };
        }
        return { kind: 'node', headers: extra };
      }

      const file = r.physicalPath;
      const stat = statOf(file);
      if (stat?.isDirectory()) {
        if (!r.path.endsWith('/')) return { kind: 'redirect', status: 301, location: `${r.path}/${r.queryString ? `?${r.queryString}` : ''}` };
        if (config.defaultDocument.enabled) {
          for (const doc of config.defaultDocument.files) {
            if (isNodePath([doc], method) && statOf(path.join(file, doc))?.isFile()) return { kind: 'node', headers: extra };
            const docStat = statOf(path.join(file, doc));
            if (docStat?.isFile()) return { kind: 'static', file: path.join(file, doc), stat: docStat };
          }
        }
        return { kind: 'status', status: 403, reason: 'Forbidden', detail: 'Directory listing is not allowed and no default document exists here.' };
      }
      if (!stat?.isFile()) return { kind: 'status', status: 404, reason: 'Not Found', detail: `No file ${r.path} and no handler for it.` };
      return { kind: 'static', file, stat };
    },
  };
}

function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** IIS handler paths are file-name patterns: `*` any run, `?` one character, case-insensitive. */
function wildcard(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}
