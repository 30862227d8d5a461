// Error responses of the front end. With devErrorsEnabled (iisnode's default) they are HTML pages that name
// the error code, say how to fix it and show the tail of the worker's stderr (HTML-escaped, control bytes
// made visible as iisnode does); without it, a plain status line, so nothing leaks from a production-like setup.
import type { CloudbenchError } from '../shared/errors.js';

export interface ErrorPageOptions {
  readonly devErrorsEnabled: boolean;
  /** The last stderr of the worker concerned, if any. */
  readonly stderrTail?: string | undefined;
  /** Seconds for Retry-After (503s). */
  readonly retryAfterSeconds?: number;
}

export interface ErrorResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: Array<[string, string | number]>;
  readonly body: string;
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

export function renderError(error: CloudbenchError, options: ErrorPageOptions): ErrorResponse {
  const reason = REASONS[error.status] ?? 'Error';
  const headers: Array<[string, string | number]> = [
    ['Cache-Control', 'no-cache'],
    ['X-Cloudbench-Error', error.code],
  ];
  if (error.status === 503) headers.push(['Retry-After', options.retryAfterSeconds ?? 1]);
  if (!options.devErrorsEnabled) {
    headers.push(['Content-Type', 'text/plain; charset=utf-8']);
    return { status: error.status, reason, headers, body: `${error.status} ${reason}\n` };
  }
  headers.push(['Content-Type', 'text/html; charset=utf-8']);
  return { status: error.status, reason, headers, body: renderHtml(error, reason, options.stderrTail) };
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // Control bytes other than tab and newline become visible [xAB] marks, as in iisnode's dev errors.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point here
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `[x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}]`);
}

function renderHtml(error: CloudbenchError, reason: string, stderrTail: string | undefined): string {
  const tail =
    stderrTail === undefined || stderrTail === ''
      ? '<p>The worker wrote nothing to stderr.</p>'
      : `<h2>stderr (last ${Buffer.byteLength(stderrTail)} bytes)</h2><pre>${escapeHtml(stderrTail)}</pre>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${error.status} ${escapeHtml(error.code)}</title>
<style>body{font:14px/1.5 system-ui,sans-serif;margin:2em;max-width:72em}pre{background:#f4f4f4;padding:1em;overflow:auto}code{font-weight:bold}</style></head>
<body><h1>${error.status} ${reason}</h1>
<p><code>${escapeHtml(error.code)}</code>: ${escapeHtml(error.message)}</p>
<p><strong>How to fix:</strong> ${escapeHtml(error.fix)}</p>
${tail}
<p><small>Cloudbench front end. Set devErrorsEnabled="false" in web.config or iisnode.yml to answer with plain statuses.</small></p>
</body></html>
`;
}
