// The runtime's one diagnostics channel (STYLE.md Part 2 §13): modules never use console, they take a
// namespaced logger from here. It is node:util's debuglog, so it costs nothing when off and needs no
// dependency.
//
// How to turn it on — debuglog reads NODE_DEBUG once, when the process starts (setting
// process.env.NODE_DEBUG later has no effect). The variable is a comma-separated list of names in which
// `*` matches anything; each entry must match the whole name, case-insensitively:
//
//   NODE_DEBUG=cloudbench:*                          every Cloudbench module
//   NODE_DEBUG=cloudbench:logs,cloudbench:workers    just those two
//   NODE_DEBUG=cloudbench                            nothing: the entry must match the whole name
//
// Lines go to the process's stderr as `CLOUDBENCH:LOGS 1234: message` (name upper-cased, then the pid of
// the Cloudbench process; put the worker's pid or request id in the message itself). The format string
// takes util.format placeholders: %s %d %i %f %j %o %O %%.

import { debuglog } from 'node:util';

const PREFIX = 'cloudbench:';

export interface DebugLogger {
  (fmt: string, ...args: unknown[]): void;
  /** Whether NODE_DEBUG selects this logger; test it before building an expensive message. */
  readonly enabled: boolean;
}

/**
 * A logger for one runtime module. `createDebug('logs')` and `createDebug('cloudbench:logs')` are the same
 * logger, named `cloudbench:logs`, so every module sits under the one `cloudbench:*` switch.
 */
export function createDebug(namespace: string): DebugLogger {
  const name = namespace.startsWith(PREFIX) ? namespace : PREFIX + namespace;
  return debuglog(name);
}
