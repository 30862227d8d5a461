// @ts-check
'use strict';
// The Cloudbench worker hook, preloaded into every worker with `node --require <this file> <app>` (it is
// CommonJS so that it preloads into CommonJS and ESM apps alike). It is optional: an app started without it
// still works, because readiness is also detected by connecting to the worker's PORT. With it:
// - readiness is reported the moment the app's server listens on process.env.PORT (no probing delay);
// - a `cloudbench:shutdown` IPC message stands in for SIGTERM where signals do not exist (Windows);
// - the worker exits when its parent goes away, so a runtime killed with SIGKILL leaves no orphans;
// - `cloudbench:inspector.open` / `.close` open and close the V8 inspector on demand (one-click debugging,
//   runtime/debug/): on 127.0.0.1 only, on the port asked for, or any free one when that is taken.
// The modern form of iisnode's interceptor.js, minus the stdout patching: output is captured through pipes.

const net = require('node:net');

if (process.env.CLOUDBENCH_WORKER === '1' && typeof process.send === 'function') {
  const target = process.env.PORT;
  let reported = false;

  /** @param {unknown} message */
  const send = (message) => {
    try {
      if (process.connected && process.send) process.send(message);
    } catch {
      // The parent is gone; the 'disconnect' handler below ends the worker.
    }
  };

  const originalListen = net.Server.prototype.listen;
  /** @this {net.Server} @param {any[]} args */
  function listenAndReport(...args) {
    this.once('listening', () => {
      const address = this.address();
      const matches = typeof address === 'string' ? address === target : address !== null && String(address.port) === target;
      if (matches && !reported) {
        reported = true;
        send({ type: 'cloudbench:ready', pid: process.pid });
      }
    });
    return originalListen.apply(this, /** @type {any} */ (args));
  }
  net.Server.prototype.listen = /** @type {any} */ (listenAndReport);

  process.on('message', (message) => {
    const type = message && typeof message === 'object' ? /** @type {{type?: unknown}} */ (message).type : undefined;
    if (type === 'cloudbench:inspector.open' || type === 'cloudbench:inspector.close') return inspectorCommand(type, message);
    if (type !== 'cloudbench:shutdown') return;
    // Behave as SIGTERM would: let the app's own handler run if it has one, else exit.
    if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
    else process.exit(0);
  });
  /** @param {string} type @param {any} message */
  const inspectorCommand = (type, message) => {
    const inspector = require('node:inspector');
    try {
      if (type === 'cloudbench:inspector.close') {
        inspector.close();
        return send({ type: 'cloudbench:inspector.closed' });
      }
      // Loopback only: the inspector runs any code it is sent. A busy port does not throw; url() stays unset.
      if (inspector.url() === undefined) inspector.open(Number(message.port) || 0, '127.0.0.1', false);
      if (inspector.url() === undefined) inspector.open(0, '127.0.0.1', false);
      send({ type: 'cloudbench:inspector.opened', url: inspector.url() });
    } catch (err) {
      send({ type: 'cloudbench:inspector.failed', error: String(err && /** @type {Error} */ (err).message) });
    }
  };
  process.on('disconnect', () => process.exit(0));
  // Listening for messages refs the IPC channel; unref it so the hook never keeps an app alive by itself.
  process.channel?.unref();
}
