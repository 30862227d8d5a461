// IIS's static file handler, as the front end answers it: MIME type from the extension (an unknown one is
// 404, as IIS's 404.3, so source files such as .config are never served), ETag and Last-Modified with 304,
// single byte ranges (206/416), HEAD. Bodies stream from disk with backpressure.
import type { Stats } from 'node:fs';
import path from 'node:path';
import { headerValue } from './http1/head.js';
import type { MessageHead } from './http1/head.js';

export interface StaticResponse {
  readonly status: number;
  readonly reason: string;
  readonly headers: Array<[string, string | number]>;
  /** Inclusive byte range to send, or undefined for no body. */
  readonly range: { start: number; end: number } | undefined;
}

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html', '.htm': 'text/html', '.css': 'text/css', '.js': 'application/javascript', '.mjs': 'application/javascript',
  '.json': 'application/json', '.map': 'application/json', '.txt': 'text/plain', '.xml': 'text/xml', '.csv': 'text/csv',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.ico': 'image/x-icon', '.webp': 'image/webp', '.avif': 'image/avif', '.bmp': 'image/bmp',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.otf': 'font/otf', '.eot': 'application/vnd.ms-fontobject',
  '.mp4': 'video/mp4', '.webm': 'video/webm', '.mp3': 'audio/mpeg', '.wav': 'audio/wav', '.ogg': 'audio/ogg',
  '.pdf': 'application/pdf', '.zip': 'application/zip', '.wasm': 'application/wasm', '.jsx': 'text/jsx',
};

export function mimeTypeOf(file: string, overrides: Readonly<Record<string, string | null>>): string | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext in overrides) return overrides[ext] ?? undefined;
  const type = MIME[ext];
  return type !== undefined && (type.startsWith('text/') || type === 'application/javascript' || type === 'application/json') ? `${type}; charset=utf-8` : type;
}

export function staticResponse(head: MessageHead, file: string, stat: Stats, mimeMap: Readonly<Record<string, string | null>>): StaticResponse {
  const type = mimeTypeOf(file, mimeMap);
  if (type === undefined) return { status: 404, reason: 'Not Found', headers: [['Content-Type', 'text/plain; charset=utf-8']], range: undefined };
  if (head.method !== 'GET' && head.method !== 'HEAD') return { status: 405, reason: 'Method Not Allowed', headers: [['Allow', 'GET, HEAD']], range: undefined };
  const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  const lastModified = stat.mtime.toUTCString();
  const base: Array<[string, string | number]> = [['Content-Type', type], ['ETag', etag], ['Last-Modified', lastModified], ['Accept-Ranges', 'bytes']];

  const ifNoneMatch = headerValue(head, 'if-none-match');
  const ifModifiedSince = headerValue(head, 'if-modified-since');
  const notModified = ifNoneMatch !== undefined ? ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === `W/${etag}` || t.trim() === '*') : ifModifiedSince !== undefined && Date.parse(ifModifiedSince) >= Math.floor(stat.mtimeMs / 1000) * 1000;
  if (notModified) return { status: 304, reason: 'Not Modified', headers: base.filter(([n]) => n !== 'Content-Type'), range: undefined };

  const rangeHeader = headerValue(head, 'range');
  const ifRange = headerValue(head, 'if-range');
  if (rangeHeader !== undefined && (ifRange === undefined || ifRange === etag || ifRange === lastModified)) {
    const m = /^bytes=(\d*)-(\d*)$/.exec(rangeHeader.trim());
    if (m && (m[1] !== '' || m[2] !== '')) {
      let start: number;
      let end: number;
      if (m[1] === '') {
        start = Math.max(0, stat.size - Number(m[2]));
        end = stat.size - 1;
      } else {
        start = Number(m[1]);
        end = m[2] === '' ? stat.size - 1 : Math.min(Number(m[2]), stat.size - 1);
      }
      if (start > end || start >= stat.size) return { status: 416, reason: 'Range Not Satisfiable', headers: [...base, ['Content-Range', `bytes */${stat.size}`]], range: undefined };
      return { status: 206, reason: 'Partial Content', headers: [...base, ['Content-Range', `bytes ${start}-${end}/${stat.size}`], ['Content-Length', end - start + 1]], range: head.method === 'HEAD' ? undefined : { start, end } };
    }
    // A multi-range or malformed Range is ignored: the whole file, as RFC 9110 §14.2 allows.
  }
  return { status: 200, reason: 'OK', headers: [...base, ['Content-Length', stat.size]], range: head.method === 'HEAD' || stat.size === 0 ? undefined : { start: 0, end: stat.size - 1 } };
}
