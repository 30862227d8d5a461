// The static file handler's decisions, without sockets: MIME mapping, conditional requests, byte ranges.
import type { Stats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHead } from '../../../runtime/hosting/http1/head.js';
import { mimeTypeOf, staticResponse } from '../../../runtime/hosting/static-file.js';

const stat = { size: 100, mtimeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678), mtime: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)) } as Stats;
const req = (extra = '', method = 'GET') => parseHead(`${method} /a.css HTTP/1.1\r\nHost: x${extra}`, true);
const header = (r: ReturnType<typeof staticResponse>, name: string) => r.headers.find(([n]) => n === name)?.[1];

describe('staticResponse', () => {
  it('serves the whole file with type, length, ETag and Last-Modified', () => {
    const r = staticResponse(req(), '/site/a.css', stat, {});
    expect(r).toMatchObject({ status: 200, range: { start: 0, end: 99 } });
    expect(header(r, 'Content-Type')).toBe('text/css; charset=utf-8');
    expect(header(r, 'Content-Length')).toBe(100);
    expect(header(r, 'Last-Modified')).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
  });

  it('answers 304 to a matching If-None-Match (also in a list, or W/) and to If-Modified-Since', () => {
    const etag = header(staticResponse(req(), '/site/a.css', stat, {}), 'ETag') as string;
    expect(staticResponse(req(`\r\nIf-None-Match: "x", ${etag}`), '/site/a.css', stat, {}).status).toBe(304);
    expect(staticResponse(req(`\r\nIf-None-Match: W/${etag}`), '/site/a.css', stat, {}).status).toBe(304);
    expect(staticResponse(req('\r\nIf-None-Match: "other"'), '/site/a.css', stat, {}).status).toBe(200);
    // Last-Modified has whole seconds; the file's milliseconds must not make it look newer.
    expect(staticResponse(req('\r\nIf-Modified-Since: Fri, 02 Jan 2026 03:04:05 GMT'), '/site/a.css', stat, {}).status).toBe(304);
    expect(staticResponse(req('\r\nIf-Modified-Since: Fri, 02 Jan 2026 03:04:04 GMT'), '/site/a.css', stat, {}).status).toBe(200);
  });

  it('answers single byte ranges, suffix ranges, open ranges and 416', () => {
    expect(staticResponse(req('\r\nRange: bytes=10-19'), '/site/a.css', stat, {})).toMatchObject({ status: 206, range: { start: 10, end: 19 } });
    expect(staticResponse(req('\r\nRange: bytes=90-'), '/site/a.css', stat, {})).toMatchObject({ status: 206, range: { start: 90, end: 99 } });
    expect(staticResponse(req('\r\nRange: bytes=-5'), '/site/a.css', stat, {})).toMatchObject({ status: 206, range: { start: 95, end: 99 } });
    expect(staticResponse(req('\r\nRange: bytes=50-500'), '/site/a.css', stat, {})).toMatchObject({ status: 206, range: { start: 50, end: 99 } });
    expect(staticResponse(req('\r\nRange: bytes=100-'), '/site/a.css', stat, {}).status).toBe(416);
    expect(staticResponse(req('\r\nRange: bytes=9-3'), '/site/a.css', stat, {}).status).toBe(416);
    // Multi-range and garbage are ignored: the whole file.
    expect(staticResponse(req('\r\nRange: bytes=0-1,5-6'), '/site/a.css', stat, {}).status).toBe(200);
    expect(staticResponse(req('\r\nRange: lines=1-2'), '/site/a.css', stat, {}).status).toBe(200);
  });

  it('ignores Range when If-Range names another version', () => {
    expect(staticResponse(req('\r\nRange: bytes=0-1\r\nIf-Range: "old"'), '/site/a.css', stat, {}).status).toBe(200);
  });

  it('sends no body for HEAD and refuses other methods', () => {
    expect(staticResponse(req('', 'HEAD'), '/site/a.css', stat, {})).toMatchObject({ status: 200, range: undefined });
    expect(staticResponse(req('', 'POST'), '/site/a.css', stat, {}).status).toBe(405);
  });
});

describe('mimeTypeOf', () => {
  it('maps known extensions, honours <mimeMap> additions and removals, and refuses unknown ones', () => {
    expect(mimeTypeOf('/x/app.JS', {})).toBe('application/javascript; charset=utf-8');
    expect(mimeTypeOf('/x/logo.png', {})).toBe('image/png');
    expect(mimeTypeOf('/x/readme.md', {})).toBeUndefined();
    expect(mimeTypeOf('/x/readme.md', { '.md': 'text/markdown' })).toBe('text/markdown');
    expect(mimeTypeOf('/x/site.css', { '.css': null })).toBeUndefined();
    expect(mimeTypeOf('/x/web.config', {})).toBeUndefined();
  });
});
