// Forward one HTTP request to a worker over its pooled connections (undici's Pool: llhttp in wasm, no
// per-request objects beyond the handler) and stream the response back, both directions with backpressure.
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher, Pool } from 'undici';
import { requestHeadersForWorker, responseHeadersForClient } from './forward-headers.js';
import type { Pending } from './instance.js';

export interface ForwardOutcome {
  readonly status: number;
  /** Set when the attempt failed before any of the response reached the client. */
  readonly error?: Error;
  /** false when the worker certainly never saw the request (it could not be connected to). */
  readonly received?: boolean;
}

/** Errors that mean the connection to the worker was never made: the request did not reach it. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOENT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);

export function forwardRequest(p: Pending, pool: Pool, enableXFF: boolean, settle: (outcome: ForwardOutcome) => void): void {
  const res = p.res;
  if (!res) return;
  const req = p.req;
  let responded = false;
  let done = false;
  let controller: Dispatcher.DispatchController | undefined;
  const finish = (outcome: ForwardOutcome): void => {
    if (done) return;
    done = true;
    res.off('close', onClientClose);
    settle(outcome);
  };
  // The client went away: stop the worker's side too (its request sees 'aborted' / 'close').
  const onClientClose = (): void => {
    if (!res.writableFinished && controller && !controller.aborted) controller.abort(new Error('client closed the connection'));
  };
  res.on('close', onClientClose);

  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(c) {
      controller = c;
      if (res.destroyed) c.abort(new Error('client closed the connection'));
    },
    onResponseStart(c, statusCode, headers: IncomingHttpHeaders, statusMessage) {
      if (statusCode < 200) return;
      responded = true;
      res.writeHead(statusCode, statusMessage || undefined, responseHeadersForClient(headers));
      if (res.req.method === 'HEAD') return;
      res.on('drain', () => c.resume());
    },
    onResponseData(c, chunk) {
      if (!res.write(chunk)) c.pause();
    },
    onResponseEnd() {
      res.end();
      finish({ status: res.statusCode });
    },
    onResponseError(_c, error) {
      if (responded) {
        // Mid-response: the status line is already out, so the only honest signal left is a broken connection.
        res.destroy(error);
        finish({ status: res.statusCode });
        return;
      }
      const code = (error as NodeJS.ErrnoException).code ?? '';
      finish({ status: 502, error, received: !NOT_CONNECTED.has(code) });
    },
  };

  try {
    pool.dispatch(
      {
        path: req.url ?? '/',
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: requestHeadersForWorker(req, { enableXFF }),
        body: p.body === 'stream' ? req : p.body,
        headersTimeout: 0,
        bodyTimeout: 0,
        // Send each request on its own connection turn; never pipeline behind another response.
        blocking: true,
      },
      handler,
    );
  } catch (err) {
    finish({ status: 502, error: err as Error, received: false });
  }
}
