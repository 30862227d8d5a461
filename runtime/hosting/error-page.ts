// Error responses of the front end. With devErrorsEnabled (iisnode's default) they are HTML pages that name
// the error code, say how to fix it and show the tail of the worker's stderr (HTML-escaped, control bytes
// made visible as iisnode does); without it, a plain status line, so nothing leaks from a production-like setup.
import type { ServerResponse } from 'node:http';
import type { CloudbenchError } from '../shared/errors.js';

export interface ErrorPageOptions {
  readonly devErrorsEnabled: boolean;
  /** The last stderr of the worker concerned, if any. */
  readonly stderrTail?: string;
  /** Seconds for Retry-After (503s). */
  readonly retryAfterSeconds?: number;
}

export function sendError(res: ServerResponse, error: CloudbenchError, options: ErrorPageOptions): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string | number> = { 'Cache-Control': 'no-cache', 'X-Cloudbench-Error': error.code };
  if (error.status === 503) headers['Retry-After'] = options.retryAfterSeconds ?? 1;
  let body: string;
  if (options.devErrorsEnabled) {
    headers['Content-Type'] = 'text/html; charset=utf-8';
    body = renderHtml(error, options.stderrTail);
  } else {
    headers['Content-Type'] = 'text/plain; charset=utf-8';
    body = `${error.status} ${statusText(error.status)}\n`;
  }
  headers['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(error.status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function statusText(status: number): string {
  return status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Unavailable' : status === 500 ? 'Internal Server Error' : 'Error';
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // Control bytes other than tab and newline become visible [xAB] marks, as in iisnode's dev errors.
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `[x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}]`);
}

function renderHtml(error: CloudbenchError, stderrTail: string | undefined): string {
  const tail = stderrTail === undefined || stderrTail === '' ? '<p>The worker wrote nothing to stderr.</p>' : `<h2>stderr (last ${Buffer.byteLength(stderrTail)} bytes)</h2><pre>${escapeHtml(stderrTail)}</pre>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${error.status} ${escapeHtml(error.code)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2em;max-width:72em}pre{background:#f4f4f4;padding:1em;overflow:auto}code{font-weight:bold}</style></head>
<body><h1>${error.status} ${statusText(error.status)}</h1>
<p><code>${escapeHtml(error.code)}</code>: ${escapeHtml(error.message)}</p>
<p><strong>How to fix:</strong> ${escapeHtml(error.fix)}</p>
${tail}
<p><small>Cloudbench front end. Set devErrorsEnabled="false" in web.config or iisnode.yml to answer with plain statuses.</small></p>
</body></html>
`;
}
