// A client for the control API of a running `cloudbench serve`, from the workbench URL it printed (the
// token is in the fragment). Tests use it to call routes as the UI does, or without the token to check
// that they are refused.
import http from 'node:http';

export interface ControlReply {
  status: number;
  json: any;
  text: string;
  headers: http.IncomingHttpHeaders;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is instead of `body` (malformed JSON tests). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** false: no Authorization header. */
  auth?: boolean;
}

export class ControlClient {
  readonly base: string;
  readonly token: string;

  constructor(workbenchUrl: string) {
    const u = new URL(workbenchUrl);
    this.base = u.origin;
    this.token = u.hash.replace('#token=', '');
  }

  call = (method: string, pathname: string, options: CallOptions = {}): Promise<ControlReply> => {
    const headers: Record<string, string> = { ...(options.auth === false ? {} : { authorization: `Bearer ${this.token}` }), ...options.headers };
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    return new Promise((resolve, reject) => {
      const req = http.request(`${this.base}${pathname}`, { method, headers }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text, headers: res.headers });
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  };

  /** The JSON of a 200 answer; anything else throws with the status and body. */
  ok = async (method: string, pathname: string, body?: unknown): Promise<any> => {
    const r = await this.call(method, pathname, { body });
    if (r.status !== 200) throw new Error(`${method} ${pathname} → ${r.status} ${r.text}`);
    return r.json;
  };
}
