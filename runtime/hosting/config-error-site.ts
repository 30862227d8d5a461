// A project whose web.config or iisnode.yml cannot be read at all has no settings to start its workers
// with. iisnode still answered its URL, with a page explaining the error to local callers (tests 116, 126);
// so do we: this small site holds the app's port, answers every request with that page, and watches the
// two files. When one of them changes, `onChange` runs (the workbench tries the project again on the same
// port, so the URL the user has open keeps working).

import type { CloudbenchError } from '../shared/errors.js';
import { watchFiles } from '../workers/watch.js';
import type { Watcher } from '../workers/watch.js';
import { renderConfigError } from './error-page.js';
import type { Exchange, ExchangeHost } from './exchange.js';
import { startFrontEnd } from './front-end.js';
import type { FrontEnd } from './front-end.js';
import { isLoopback } from './site-router.js';

// The files iisnode reads its settings from: web.config and iisnode.yml (its configOverrides default; the
// broken web.config may be the one naming another file, so the default is all that is known here).
const CONFIG_FILES = 'web.config;iisnode.yml';

export interface ConfigErrorSite {
  readonly folder: string;
  readonly url: string;
  readonly port: number;
  error: CloudbenchError;
  close(): Promise<void>;
}

export async function startConfigErrorSite(options: {
  folder: string;
  error: CloudbenchError;
  host: string;
  port: number;
  onChange: () => void;
}): Promise<ConfigErrorSite> {
  const state = { error: options.error };
  const host: ExchangeHost = {
    enableXFF: false,
    maxReplayBodyBytes: 0,
    route(ex: Exchange) {
      const page = renderConfigError(state.error, isLoopback(ex.client.socket.remoteAddress ?? ''), false);
      ex.respond(page.status, page.reason, page.headers, page.body);
    },
    settled() {},
    abandoned() {},
  };
  const frontEnd: FrontEnd = await startFrontEnd(host, { host: options.host, port: options.port, maxHeaderSize: 64 * 1024 });
  let watcher: Watcher | undefined;
  try {
    watcher = watchFiles({ root: options.folder, watchedFiles: CONFIG_FILES, keepWebConfig: true, onChange: options.onChange });
    await watcher.ready;
  } catch (err) {
    await frontEnd.close();
    throw err;
  }
  return {
    folder: options.folder,
    url: frontEnd.url,
    port: frontEnd.port,
    get error() {
      return state.error;
    },
    set error(e: CloudbenchError) {
      state.error = e;
    },
    async close() {
      await watcher?.close();
      await frontEnd.close();
    },
  };
}
