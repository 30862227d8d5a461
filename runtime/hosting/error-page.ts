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
  /**
   * iisnode's contract, for projects with a web.config: failures of the node process answer as iisnode did,
   * 500.<substatus> (the page names the substatus), and with devErrorsEnabled as HTTP 200 (functional tests
   * 112 and 120 pin both). Other projects get the real status.
   */
  readonly iisnode?: boolean;
}

/** iisnode's status.substatus for the failures it had (iisnode.md §2.9). */
const IISNODE_SUBSTATUS: Partial<Record<string, { status: number; subStatus: number; hresult: string }>> = {
  CB_ERR_HOSTING_WORKER_DIED: { status: 500, subStatus: 1013, hresult: '0x6d' },
  CB_ERR_HOSTING_UPSTREAM: { status: 500, subStatus: 1013, hresult: '0x6d' },
  CB_ERR_HOSTING_INSTANCE_FAILED: { status: 500, subStatus: 1002, hresult: '0x2' },
  CB_ERR_WORKERS_SPAWN: { status: 500, subStatus: 1002, hresult: '0x2' },
  CB_ERR_WORKERS_START_TIMEOUT: { status: 500, subStatus: 1001, hresult: '0x2' },
};

export interface ErrorResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: Array<[string, string | number]>;
  readonly body: string;
}

const REASONS: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

export function renderError(error: CloudbenchError, options: ErrorPageOptions): ErrorResponse {
  const compat = options.iisnode ? IISNODE_SUBSTATUS[error.code] : undefined;
  if (compat) {
    const reason = REASONS[compat.status] as string;
    const headers: Array<[string, string | number]> = [['Cache-Control', 'no-cache'], ['X-Cloudbench-Error', error.code]];
    if (!options.devErrorsEnabled) {
      headers.push(['Content-Type', 'text/plain; charset=utf-8']);
      return { status: compat.status, reason, headers, body: `${compat.status} ${reason}\n` };
    }
    headers.push(['Content-Type', 'text/html; charset=utf-8']);
    const facts = `<p>HRESULT: ${compat.hresult}<br>HTTP status: ${compat.status}<br>HTTP subStatus: ${compat.subStatus}<br>HTTP reason: ${reason}</p>`;
    return { status: 200, reason: 'OK', headers, body: renderHtml(error, reason, options.stderrTail, facts) };
  }
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

function renderHtml(error: CloudbenchError, reason: string, stderrTail: string | undefined, facts = ''): string {
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
${facts}
${tail}
<p><small>Cloudbench front end. Set devErrorsEnabled="false" in web.config or iisnode.yml to answer with plain statuses.</small></p>
</body></html>
`;
}

/**
 * A web.config or iisnode.yml that cannot be applied. As iisnode did (errors 1031/1032, tests 116 and 126),
 * callers on this machine get HTTP 200 with a page that explains it (file, line and column); anyone else
 * gets a plain 500, so the site's layout does not leak.
 */
export function renderConfigError(error: CloudbenchError, local: boolean, running: boolean): ErrorResponse {
  const headers: Array<[string, string | number]> = [['Content-Type', 'text/html; charset=utf-8'], ['Cache-Control', 'no-cache']];
  if (!local) {
    return { status: 500, reason: 'Internal Server Error', headers, body: '<!doctype html><meta charset="utf-8"><title>500 Internal Server Error</title><h1>500 Internal Server Error</h1><p>The site has a configuration error.</p>\n' };
  }
  const then = running ? 'The previous settings keep running until the file is fixed.' : 'The app starts as soon as the file is fixed.';
  const body =
    `<!doctype html><meta charset="utf-8"><title>Configuration error</title>` +
    `<h1>The site's configuration cannot be applied</h1>` +
    `<p><code>${escapeHtml(error.code)}</code>: ${escapeHtml(error.message)}</p>` +
    `<p>${escapeHtml(error.fix)}</p><p>${then}</p>` +
    `<p>HTTP status: 500<br>HTTP subStatus: ${/iisnode\.yml|\.ya?ml/i.test(error.message) ? 1032 : 1031}<br>` +
    `(iisnode answered configuration errors with this page to local callers only.)</p>\n`;
  return { status: 200, reason: 'OK', headers, body };
}
