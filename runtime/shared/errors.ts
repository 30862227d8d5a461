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
    message: '{file}:{line}: {detail}',
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
