// The error catalogue: every error Cloudbench reports has a code here, a message template, an HTTP status
// and a row in docs/errors.md (test/unit/shared/errors.test.ts keeps the three in step). Codes are never
// reused: retire one by leaving it in place with `retired: true`.
//
// Templates name their parameters as {name}. A message says what was expected, what was received, and the
// `fix` says what to change.

export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  readonly fix: string;
  readonly retired?: boolean;
}

export const ERRORS = {
  // CLI -------------------------------------------------------------------------------------------------
  CB_ERR_CLI_USAGE: {
    status: 400,
    message: '{detail}',
    fix: 'Run `cloudbench --help` for the commands and their options.',
  },
  CB_ERR_CLI_UNKNOWN_COMMAND: {
    status: 400,
    message: 'Unknown command "{command}". Expected one of: {expected}.',
    fix: 'Run `cloudbench --help` for the list of commands.',
  },

  // Project folder ----------------------------------------------------------------------------------------
  CB_ERR_PROJECT_NOT_FOUND: {
    status: 404,
    message: 'Project folder "{path}" {problem}.',
    fix: 'Pass the path of an existing folder that holds the app, e.g. `cloudbench serve ./my-app`.',
  },
  CB_ERR_PROJECT_NO_ENTRY: {
    status: 404,
    message: 'No entry point found in "{folder}". Looked for: {lookedFor}.',
    fix: 'Add a web.config with an iisnode handler, a package.json "main" or "start" script, or a server.js, app.js or index.js.',
  },
  CB_ERR_PROJECT_ENTRY_MISSING: {
    status: 404,
    message: '{source} names the entry point "{entry}", but {path} does not exist.',
    fix: 'Create the file, or point {source} at the script that calls listen(process.env.PORT).',
  },
  CB_ERR_PROJECT_BAD_JSON: {
    status: 400,
    message: '{file}:{line}:{column}: {detail}',
    fix: 'Fix the JSON syntax at that position.',
  },

  // Configuration (web.config, iisnode.yml, IISNODE_* environment) ---------------------------------------------
  CB_ERR_CONFIG_XML: {
    status: 500,
    message: '{file}:{line}:{column}: {detail}',
    fix: 'Fix the XML at that position; web.config must be well-formed XML with a <configuration> root.',
  },
  CB_ERR_CONFIG_ATTRIBUTE: {
    status: 500,
    message: '{file}:{line}:{column}: <{element}> attribute "{attribute}" has the value "{value}"; expected {expected}.',
    fix: 'Change the attribute to an accepted value, or remove it to use the default.',
  },
  CB_ERR_CONFIG_YML: {
    status: 500,
    message: '{file}:{line}:{column}: {detail}',
    fix: 'Each line of iisnode.yml is `key: value`, a `# comment` or blank; booleans are true/false/1/0/yes/no.',
  },
  CB_ERR_CONFIG_ENV: {
    status: 500,
    message: 'Environment variable {name}="{value}": expected {expected}.',
    fix: 'Unset the variable or give it an accepted value.',
  },
  CB_ERR_CONFIG_VALUE: {
    status: 400,
    message: 'Option "{option}" has the value "{value}"; expected {expected}.',
    fix: 'Pass an accepted value for {option}.',
  },

  // Hosting front end ---------------------------------------------------------------------------------------
  CB_ERR_HOSTING_PORT_IN_USE: {
    status: 500,
    message: 'Port {port} on {host} is already in use.',
    fix: 'Stop the program using it, or pick another port, e.g. `--port {suggestion}` (free right now).',
  },
  CB_ERR_HOSTING_LISTEN: {
    status: 500,
    message: 'Cannot listen on {host}:{port}: {detail}.',
    fix: 'Pick a port above 1024 and an address of this machine (127.0.0.1 by default).',
  },
  CB_ERR_HOSTING_QUEUE_FULL: {
    status: 503,
    message: 'The request queue of {instance} is full ({limit} requests wait for a worker).',
    fix: 'Raise the queue length (--queue-length) or the worker count, or find what keeps the workers busy.',
  },
  CB_ERR_HOSTING_QUEUE_TIMEOUT: {
    status: 503,
    message: 'The request waited {waitedMs} ms for a worker of {instance}, longer than the queue timeout of {limitMs} ms.',
    fix: 'Raise the queue timeout (--queue-timeout) or the worker count, or find what keeps the workers busy or failing.',
  },
  CB_ERR_HOSTING_WORKER_DIED: {
    status: 502,
    message: 'Worker {worker} (pid {pid}) exited while handling {method} {url}; the request was not retried because {reason}.',
    fix: 'See the worker\'s stderr below for the cause. Idempotent requests with small bodies are retried on another worker automatically.',
  },
  CB_ERR_HOSTING_UPSTREAM: {
    status: 502,
    message: 'Forwarding {method} {url} to worker {worker} failed: {detail}.',
    fix: 'The app closed or broke the connection; see the worker\'s log.',
  },
  CB_ERR_HOSTING_PROXY: {
    status: 502,
    message: 'A rewrite rule sends {method} {url} to {target}, which {problem}.',
    fix: 'Start the server the rule points at, or correct the URL in the rule\'s <action>.',
  },
  CB_ERR_HOSTING_INSTANCE_FAILED: {
    status: 500,
    message: 'The app in {instance} keeps crashing: {crashes} workers exited within {windowMs} ms of starting, so Cloudbench stopped restarting them.',
    fix: 'Fix the error shown in stderr below and save a watched file (or recycle) to start again.',
  },
  CB_ERR_HOSTING_STOPPING: {
    status: 503,
    message: 'Cloudbench is shutting down {instance}.',
    fix: 'Start it again with `cloudbench serve`.',
  },

  // Workers ---------------------------------------------------------------------------------------------------
  CB_ERR_WORKERS_SPAWN: {
    status: 500,
    message: 'Cannot start "{command}": {detail}.',
    fix: 'Check nodeProcessCommandLine (web.config/iisnode.yml) or that node is on the PATH.',
  },
  CB_ERR_WORKERS_START_TIMEOUT: {
    status: 500,
    message: 'Worker {worker} (pid {pid}) did not listen on process.env.PORT within {timeoutMs} ms.',
    fix: 'Make the app call listen(process.env.PORT). If it needs a number, use --worker-port tcp.',
  },
  CB_ERR_WORKERS_INVALID_TRANSITION: {
    status: 500,
    message: 'Worker {worker} cannot go from state {from} to {to}.',
    fix: 'This is a bug in Cloudbench; please report it with the log.',
  },

  // Control API ------------------------------------------------------------------------------------------------
  CB_ERR_CONTROL_UNAUTHORIZED: {
    status: 401,
    message: 'The control API needs the workbench token: {detail}.',
    fix: 'Open the workbench through the URL cloudbench printed (it carries the token), or send `Authorization: Bearer <token>`.',
  },
  CB_ERR_CONTROL_FORBIDDEN: {
    status: 403,
    message: 'Request refused: {detail}.',
    fix: 'The control API answers only its own pages, addressed as 127.0.0.1 or localhost; open the workbench URL cloudbench printed.',
  },
  CB_ERR_CONTROL_BAD_REQUEST: {
    status: 400,
    message: 'Invalid {what}: {detail}.',
    fix: 'Send what the control protocol expects (runtime/shared/protocol.ts).',
  },
  CB_ERR_CONTROL_NOT_FOUND: {
    status: 404,
    message: 'No {what} "{name}".',
    fix: 'Check the name; GET /api/state lists what exists.',
  },
  CB_ERR_CONTROL_METHOD: {
    status: 405,
    message: '{method} is not allowed on {path}; use {allowed}.',
    fix: 'Use the method the control protocol gives for this path.',
  },
  CB_ERR_CONTROL_NO_PROJECT: {
    status: 409,
    message: 'No project is open.',
    fix: 'Open a project folder first (the Open view, or `cloudbench serve <folder>`).',
  },

  // Terminal ---------------------------------------------------------------------------------------------------
  CB_ERR_TERMINAL_NOT_FOUND: {
    status: 404,
    message: 'No terminal session "{id}".',
    fix: 'The session was closed; open a new terminal.',
  },
  CB_ERR_TERMINAL_SPAWN: {
    status: 500,
    message: 'Cannot start the shell "{shell}": {detail}.',
    fix: 'Set the SHELL environment variable to a shell that exists on this machine.',
  },

  // Workbench UI (raised in the browser) ---------------------------------------------------------------------------
  CB_ERR_UI_UNREACHABLE: {
    status: 503,
    message: '{detail}',
    fix: 'Check that `cloudbench serve` is still running; if it was restarted, open the new URL it printed (the token changes every run).',
  },
  CB_ERR_UI_BAD_RESPONSE: {
    status: 502,
    message: '{detail}',
    fix: 'Make sure the workbench page and the runtime come from the same Cloudbench version (reload the page).',
  },
  CB_ERR_UI_UNEXPECTED: {
    status: 500,
    message: '{detail}',
    fix: 'Reload the page; if it happens again, report it with the browser console output.',
  },

  // Logs ------------------------------------------------------------------------------------------------------
  CB_ERR_LOGS_DIRECTORY: {
    status: 500,
    message: 'Cannot write logs to {path}: {detail}.',
    fix: 'Make the folder writable, point logDirectory elsewhere, or set loggingEnabled="false".',
  },
  // Emulators (shared by storage and service bus) ---------------------------------------------------------
  CB_ERR_EMULATORS_PORT_IN_USE: {
    status: 409,
    message: 'The {service} emulator cannot listen on {host}:{port}: {problem}.',
    fix: 'Stop the program using that port (another Cloudbench, Azurite or the official emulator), or pick another port with {option} (0 = any free port).',
  },
  CB_ERR_EMULATORS_TLS: {
    status: 400,
    message: 'The storage emulators cannot serve HTTPS with {file}: {problem}.',
    fix: 'Pass a PEM certificate with --cert and its PEM private key with --key (for a local one: openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout key.pem -out cert.pem), or leave both out for HTTP.',
  },
  CB_ERR_EMULATORS_DATA_DIR: {
    status: 500,
    message: 'The emulators cannot use the data folder "{path}": {problem}.',
    fix: 'Make the folder writable, pass another one with --data DIR, or run with --in-memory (nothing is kept).',
  },

  // Storage explorer (runtime/control/storage-explorer.ts) ---------------------------------------------------------
  CB_ERR_STORAGE_NOT_CONNECTED: {
    status: 503,
    message: 'There is no storage account to explore: {detail}.',
    fix: 'Start cloudbench with the emulators on (leave out --no-emulators), or paste a connection string in the Storage view.',
  },
  CB_ERR_STORAGE_CONNECTION_STRING: {
    status: 400,
    message: 'The connection string cannot be used: {detail}.',
    fix: 'Paste the whole connection string from the portal (Access keys): DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…;EndpointSuffix=core.windows.net, or one with SharedAccessSignature=.',
  },
  CB_ERR_STORAGE_BAD_REQUEST: {
    status: 400,
    message: 'The storage service refused the request ({serviceCode}): {detail}',
    fix: 'Change what the message names; for a $filter, the position counts from 1.',
  },
  CB_ERR_STORAGE_NOT_FOUND: {
    status: 404,
    message: 'The storage service has no such {what} ({serviceCode}): {detail}',
    fix: 'Refresh the list; it may have been deleted by someone else.',
  },
  CB_ERR_STORAGE_CONFLICT: {
    status: 409,
    message: 'The storage service reports a conflict ({serviceCode}): {detail}',
    fix: 'Pick another name or key, or wait until a table or queue being deleted is gone (Azure takes up to 40 s).',
  },
  CB_ERR_STORAGE_CHANGED: {
    status: 412,
    message: 'The entity changed since you loaded it (its ETag is no longer {etag}).',
    fix: 'Reload the entity, then make your change again.',
  },
  CB_ERR_STORAGE_FAILED: {
    status: 502,
    message: 'The storage service answered {statusCode} {serviceCode}: {detail}',
    fix: 'Check the account, its key or SAS permissions and that the endpoint is reachable.',
  },

  // Desktop shell (electron/) ------------------------------------------------------------------------------------
  CB_ERR_SHELL_IPC_SENDER: {
    status: 403,
    message: 'Refused {operation} from "{url}": only the workbench page at {origin} may use the desktop bridge.',
    fix: 'Call the bridge from the workbench window itself; other pages and frames get no access to it.',
  },
  CB_ERR_SHELL_IPC_PAYLOAD: {
    status: 400,
    message: 'Refused {operation}: {detail}.',
    fix: 'Pass the arguments runtime/shared/bridge.ts declares for this operation.',
  },
  CB_ERR_SHELL_URL_REFUSED: {
    status: 403,
    message: 'Refused to open "{url}": {reason}.',
    fix: 'Only https: URLs and the running app\'s own http://127.0.0.1 URLs open in the browser; DevTools need a worker\'s ws://127.0.0.1:<port>/<id> inspector URL.',
  },
  CB_ERR_SHELL_RUNTIME_START: {
    status: 500,
    message: 'The runtime did not start: {detail}.',
    fix: 'Read the runtime output quoted in the message; if the project is the problem, open another folder (File > Open Folder…).',
  },
  CB_ERR_SHELL_RUNTIME_EXITED: {
    status: 500,
    message: 'The runtime stopped unexpectedly ({exit}). Its last output: {tail}',
    fix: 'Restart it from the dialog or the tray menu; if it keeps stopping, run `cloudbench serve <folder>` in a terminal to see why.',
  },

  // Debugger (runtime/debug) --------------------------------------------------------------------------------------
  CB_ERR_DEBUG_NOT_ATTACHED: {
    status: 409,
    message: 'Worker {worker} has no debugger attached.',
    fix: 'Attach first (the worker card\'s "Attach debugger", or POST /api/debug/workers/{worker}/attach).',
  },
  CB_ERR_DEBUG_WORKER_STATE: {
    status: 409,
    message: 'Worker {worker} is {state}; only a running worker can be debugged.',
    fix: 'Pick a ready worker, or wait until this one is ready.',
  },
  CB_ERR_DEBUG_OPEN_FAILED: {
    status: 500,
    message: 'Could not open the inspector of worker {worker} (pid {pid}): {detail}.',
    fix: 'Read the worker\'s stderr in the Logs view; with --no-hook, add --inspect-port=0 to nodeProcessCommandLine so workers do not all ask for port 9229.',
  },
  CB_ERR_DEBUG_UNSUPPORTED: {
    status: 501,
    message: 'Cannot attach to worker {worker}: {detail}.',
    fix: 'Run without --no-hook (the worker hook opens the inspector on demand), or use "Debug from start".',
  },
  CB_ERR_DEBUG_PROXY_REFUSED: {
    status: 403,
    message: 'The debugger connection to {path} was refused: {detail}.',
    fix: 'Take the WebSocket URL from the target list (GET /api/debug/targets) while the worker is attached; it changes on every attach.',
  },
  CB_ERR_DEBUG_SOURCE_MAP: {
    status: 404,
    message: 'Cannot read the source map "{map}" of {script}: {detail}.',
    fix: 'Build the app with source maps next to its scripts (tsc --sourceMap, or --inlineSourceMap), inside the project folder.',
  },
  CB_ERR_DEBUG_LAUNCH_JSON: {
    status: 500,
    message: 'Cannot update {file}: {detail}.',
    fix: 'Fix or remove the file (it must be JSON with comments, holding an object with a "configurations" array), then try again.',
  },

  // Service Bus emulator ---------------------------------------------------------------------------------------
  CB_ERR_SERVICEBUS_CONFIG_READ: {
    status: 500,
    message: 'Cannot read the Service Bus configuration "{file}": {detail}.',
    fix: 'Check the path given with --servicebus-config, and that the file is readable.',
  },
  CB_ERR_SERVICEBUS_CONFIG: {
    status: 400,
    message: '{file}:{line}:{column}: {detail}',
    fix: 'Fix the Config.json at that position; it uses the format of Microsoft\'s Service Bus emulator (UserConfig.Namespaces[0].Queues/Topics), see docs/servicebus.md.',
  },
  // Service Bus explorer (runtime/control/servicebus-explorer.ts)
  CB_ERR_SERVICEBUS_NOT_CONNECTED: {
    status: 503,
    message: 'There is no Service Bus namespace to explore: {detail}.',
    fix: 'Start cloudbench with the emulators on (leave out --no-emulators), or paste a connection string in the Service Bus view.',
  },
  CB_ERR_SERVICEBUS_CONNECTION_STRING: {
    status: 400,
    message: 'The Service Bus connection string cannot be used: {detail}.',
    fix: 'Paste the namespace connection string from the portal (Shared access policies): Endpoint=sb://<namespace>.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…',
  },
  CB_ERR_SERVICEBUS_BAD_REQUEST: {
    status: 400,
    message: 'Service Bus refused the request ({serviceCode}): {detail}',
    fix: 'Change what the message names; a SQL filter or action error gives the line and column.',
  },
  CB_ERR_SERVICEBUS_NOT_FOUND: {
    status: 404,
    message: 'Service Bus has no such {what} ({serviceCode}): {detail}',
    fix: 'Refresh the entities; it may have been deleted by someone else.',
  },
  CB_ERR_SERVICEBUS_CONFLICT: {
    status: 409,
    message: 'Service Bus reports a conflict ({serviceCode}): {detail}',
    fix: 'Pick another name: an entity or rule of that name already exists.',
  },
  CB_ERR_SERVICEBUS_FAILED: {
    status: 502,
    message: 'Service Bus failed ({serviceCode}): {detail}',
    fix: 'Check the connection string, its key or policy rights (Manage for entities and rules, Send, Listen) and that the namespace is reachable.',
  },
  // Fabric (environments, slots, deployments, swap, scale) -----------------------------------------------
  CB_ERR_FABRIC_EMPTY_SLOT: {
    status: 503,
    message: 'Nothing is deployed to {slot} yet.',
    fix: 'Deploy the project to this slot first: `cloudbench deploy <environment>` or Deployments › Deploy in the workbench.',
  },
  CB_ERR_FABRIC_UNKNOWN: {
    status: 404,
    message: 'No {what} "{name}". Known: {known}.',
    fix: 'Use one of the names listed; environments come from cloudbench.json (and ServiceConfiguration.<env>.cscfg files).',
  },
  CB_ERR_FABRIC_SWAP: {
    status: 409,
    message: 'The swap in {environment} {problem}.',
    fix: 'Production is untouched. Fix what the step reports (see the swap timeline) and swap again.',
  },
  CB_ERR_FABRIC_CONFIG: {
    status: 400,
    message: '{file}:{line}:{column}: {problem}',
    fix: 'Correct the file; resources/cloudbench.schema.json describes cloudbench.json (editors complete it with "$schema").',
  },
  CB_ERR_FABRIC_PORT_IN_USE: {
    status: 500,
    message: 'The {slot} slot of environment {environment} cannot listen on port {port}: it is already in use.',
    fix: 'Stop the program using it, or set another port in cloudbench.json (environments.{environment}.ports.{slot}), e.g. {suggestion} (free right now); without one the slot takes a free port.',
  },
  CB_ERR_FABRIC_NO_WORKBENCH: {
    status: 503,
    message: 'No running workbench found ({detail}).',
    fix: 'Start one with `cloudbench serve <folder>` (or `npm start`) in another terminal, then run this command again.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;
export type ErrorParams = Readonly<Record<string, string | number>>;

/** Replaces each {name} by params[name]; a missing parameter stays visible as {name}. */
export function formatTemplate(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** The parameter names a template uses, in order of first use. */
export function templateParams(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string))];
}

/** A serializable view of an error, safe to send to the UI or a client. */
export interface ErrorInfo {
  code: ErrorCode;
  status: number;
  message: string;
  fix: string;
  params: ErrorParams;
}

export class CloudbenchError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly fix: string;
  readonly params: ErrorParams;

  constructor(code: ErrorCode, params: ErrorParams = {}, options?: { cause?: unknown }) {
    const spec: ErrorSpec = ERRORS[code];
    super(formatTemplate(spec.message, params), options);
    this.name = 'CloudbenchError';
    this.code = code;
    this.status = spec.status;
    this.fix = formatTemplate(spec.fix, params);
    this.params = params;
  }

  toJSON(): ErrorInfo {
    return { code: this.code, status: this.status, message: this.message, fix: this.fix, params: this.params };
  }
}

export function cbError(code: ErrorCode, params: ErrorParams = {}, cause?: unknown): CloudbenchError {
  return new CloudbenchError(code, params, cause === undefined ? undefined : { cause });
}

export function isCloudbenchError(value: unknown, code?: ErrorCode): value is CloudbenchError {
  return value instanceof CloudbenchError && (code === undefined || value.code === code);
}
