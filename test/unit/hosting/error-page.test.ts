// Error responses of the front end. With devErrorsEnabled the page must help (code, message, fix, the
// worker's stderr) without letting that stderr inject markup; without it, nothing about the app may leak.
import { describe, expect, it } from 'vitest';
import { escapeHtml, renderError } from '../../../runtime/hosting/error-page.js';
import type { ErrorResponse } from '../../../runtime/hosting/error-page.js';
import { cbError } from '../../../runtime/shared/errors.js';

const died = cbError('CB_ERR_HOSTING_WORKER_DIED', { worker: 'w2', pid: 4242, method: 'POST', url: '/upload?a=<b>', reason: 'it was not idempotent' });
const queueFull = cbError('CB_ERR_HOSTING_QUEUE_FULL', { instance: 'web_0', limit: 10 });

function header(res: ErrorResponse, name: string): string | number | undefined {
  const hits = res.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase());
  expect(hits.length).toBeLessThanOrEqual(1);
  return hits[0]?.[1];
}

describe('renderError with devErrorsEnabled', () => {
  const stderr = 'TypeError: <script>alert("x")</script> & more\n    at handler (/app/server.js:3:9)\r\n\x1b[31mred\x1b[0m\tend\x00\x7f';
  const res = renderError(died, { devErrorsEnabled: true, stderrTail: stderr });

  it('answers with the error status, a reason phrase and an HTML page', () => {
    expect(res.status).toBe(502);
    expect(res.reason).toBe('Bad Gateway');
    expect(header(res, 'Content-Type')).toBe('text/html; charset=utf-8');
    expect(header(res, 'Cache-Control')).toBe('no-cache');
    expect(header(res, 'X-Cloudbench-Error')).toBe('CB_ERR_HOSTING_WORKER_DIED');
    expect(res.body.startsWith('<!doctype html>')).toBe(true);
  });

  it('shows the code, the escaped message and the fix', () => {
    expect(res.body).toContain('<code>CB_ERR_HOSTING_WORKER_DIED</code>');
    expect(res.body).toContain(escapeHtml(died.message));
    expect(res.body).toContain('/upload?a=&lt;b&gt;');
    expect(res.body).not.toContain('/upload?a=<b>');
    expect(res.body).toContain(`How to fix:</strong> ${escapeHtml(died.fix)}`);
  });

  it('shows the stderr tail escaped, with control bytes as [xAB] and tabs and newlines kept', () => {
    expect(res.body).toContain('TypeError: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more\n    at handler');
    expect(res.body).toContain('[x0D]\n[x1B][31mred[x1B][0m\tend[x00][x7F]');
    expect(res.body).not.toContain('<script>');
    // eslint-disable-next-line no-control-regex -- no raw control byte may reach the page
    expect(res.body).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(res.body).toContain(`stderr (last ${Buffer.byteLength(stderr)} bytes)`);
  });

  it('counts the stderr tail in bytes, not characters', () => {
    const page = renderError(died, { devErrorsEnabled: true, stderrTail: 'héllo €' });
    expect(page.body).toContain('stderr (last 10 bytes)');
    expect(page.body).toContain('héllo €');
  });

  it('says so when the worker wrote nothing to stderr', () => {
    for (const stderrTail of [undefined, '']) {
      const page = renderError(died, { devErrorsEnabled: true, stderrTail });
      expect(page.body).toContain('The worker wrote nothing to stderr.');
      expect(page.body).not.toContain('<pre>');
    }
  });
});

describe('renderError without devErrorsEnabled', () => {
  const res = renderError(died, { devErrorsEnabled: false, stderrTail: 'secret stack trace' });

  it('answers with a plain-text status line only', () => {
    expect(res.status).toBe(502);
    expect(res.body).toBe('502 Bad Gateway\n');
    expect(header(res, 'Content-Type')).toBe('text/plain; charset=utf-8');
    expect(header(res, 'Cache-Control')).toBe('no-cache');
  });

  it('leaks neither the stderr nor the message', () => {
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('/upload');
    expect(res.body).not.toContain('w2');
  });
});

describe('renderError: Retry-After and reasons', () => {
  it('adds Retry-After to 503s, 1 second unless told otherwise', () => {
    expect(header(renderError(queueFull, { devErrorsEnabled: true }), 'Retry-After')).toBe(1);
    expect(header(renderError(queueFull, { devErrorsEnabled: false, retryAfterSeconds: 30 }), 'Retry-After')).toBe(30);
    expect(renderError(queueFull, { devErrorsEnabled: false }).reason).toBe('Service Unavailable');
  });

  it('adds no Retry-After to other statuses', () => {
    expect(header(renderError(died, { devErrorsEnabled: true, retryAfterSeconds: 5 }), 'Retry-After')).toBeUndefined();
  });

  it('uses the standard reason for 500 and a generic one for statuses it has no phrase for', () => {
    expect(renderError(cbError('CB_ERR_HOSTING_INSTANCE_FAILED', {}), { devErrorsEnabled: false }).reason).toBe('Internal Server Error');
    const notFound = renderError(cbError('CB_ERR_PROJECT_NOT_FOUND', { path: '/x', problem: 'does not exist' }), { devErrorsEnabled: false });
    expect(notFound.status).toBe(404);
    expect(notFound.reason).toBe('Error');
    expect(notFound.body).toBe('404 Error\n');
  });
});

describe('escapeHtml', () => {
  it('escapes the HTML metacharacters, & first', () => {
    expect(escapeHtml('<a href="x">&amp;</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('marks every control byte except tab and newline as [xAB], upper-case hex', () => {
    let all = '';
    for (let c = 0; c < 32; c++) all += String.fromCharCode(c);
    all += '\x7f';
    const expected = [...all].map((ch) => (ch === '\t' || ch === '\n' ? ch : `[x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}]`)).join('');
    expect(escapeHtml(all)).toBe(expected);
    expect(escapeHtml('\x1b')).toBe('[x1B]');
  });

  it('leaves other text, including non-ASCII, alone', () => {
    expect(escapeHtml("it's fine: é €")).toBe("it's fine: é €");
  });
});
