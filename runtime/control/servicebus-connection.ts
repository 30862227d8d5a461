// Which namespace the Service Bus explorer talks to, and its two SDK clients: ServiceBusClient (AMQP: peek,
// send, receive, settle) and ServiceBusAdministrationClient (ATOM over HTTP: entities, rules, runtime counts).
// The local emulator runs in a child process, so both go over its ports like any app would. A pasted
// connection string stays in this process's memory; only its endpoint goes back to the page.
import { ServiceBusAdministrationClient, ServiceBusClient, isServiceBusError } from '@azure/service-bus';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import type { CloudbenchError } from '../shared/errors.js';
import type { SbConnection } from '../shared/protocol.js';
import type { Workbench } from './workbench.js';

export interface SbClients {
  readonly sb: ServiceBusClient;
  readonly admin: ServiceBusAdministrationClient;
  readonly endpoint: string;
}

/** Reads `key=value;…` (values may hold `=`, as keys do); keys lower-cased. */
export function parseSbConnectionString(text: string): Map<string, string> {
  const parts = new Map<string, string>();
  const pieces = text.split(';');
  for (const [i, piece] of pieces.entries()) {
    const trimmed = piece.trim();
    if (trimmed === '') continue;
    const eq = trimmed.indexOf('=');
    // Not quoted: the piece could be (part of) a key.
    if (eq <= 0) throw cbError('CB_ERR_SERVICEBUS_CONNECTION_STRING', { detail: `part ${i + 1} (of ${pieces.length}, split at ";") is not key=value` });
    parts.set(trimmed.slice(0, eq).toLowerCase(), trimmed.slice(eq + 1));
  }
  return parts;
}

/** `sb://host[:port]` of a connection string; throws a coded error when it cannot be used. */
export function sbEndpointOf(text: string): string {
  const parts = parseSbConnectionString(text);
  const endpoint = parts.get('endpoint');
  if (!endpoint) throw cbError('CB_ERR_SERVICEBUS_CONNECTION_STRING', { detail: 'it has no Endpoint=sb://…' });
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw cbError('CB_ERR_SERVICEBUS_CONNECTION_STRING', { detail: `Endpoint "${endpoint.slice(0, 80)}" is not a URL` });
  }
  if (!parts.has('sharedaccesskey') && !parts.has('sharedaccesssignature')) throw cbError('CB_ERR_SERVICEBUS_CONNECTION_STRING', { detail: 'it has neither SharedAccessKey nor SharedAccessSignature' });
  return `sb://${url.host}`;
}

const RETRY = { maxRetries: 1, timeoutInMs: 15_000, retryDelayInMs: 200 };

/**
 * The admin client for the local emulator's HTTP port. ServiceBusAdministrationClient 7.9 always builds
 * https:// URLs and ignores UseDevelopmentEmulator; one pipeline policy turns them into http:// (docs/servicebus.md
 * "The admin client over HTTP"). Only the local emulator gets it: a real namespace keeps TLS.
 */
function emulatorAdmin(httpEndpoint: string, amqpConnectionString: string): ServiceBusAdministrationClient {
  const key = parseSbConnectionString(amqpConnectionString);
  const host = new URL(httpEndpoint).host;
  const cs = `Endpoint=sb://${host};SharedAccessKeyName=${key.get('sharedaccesskeyname') ?? 'RootManageSharedAccessKey'};SharedAccessKey=${key.get('sharedaccesskey') ?? ''}`;
  const admin = new ServiceBusAdministrationClient(cs, { retryOptions: RETRY });
  admin.pipeline.addPolicy({
    name: 'cloudbench-emulator-http',
    sendRequest: (request, next) => {
      request.url = request.url.replace(/^https:/, 'http:');
      request.allowInsecureConnection = true;
      return next(request);
    },
  });
  return admin;
}

/** Holds the current clients; switching closes the old ones. */
export class SbConnectionHolder {
  #custom: { connectionString: string; clients: SbClients } | undefined;
  #emulator: SbClients | undefined;
  readonly #workbench: Workbench;

  constructor(workbench: Workbench) {
    this.#workbench = workbench;
  }

  #emulatorStrings(): { amqp: string; http: string } | string {
    const emulators = this.#workbench.options.emulators;
    const amqp = emulators?.connections.serviceBus;
    const http = emulators?.environment.SERVICEBUS_HTTP_ENDPOINT;
    if (!emulators) return 'the emulators are off (--no-emulators)';
    if (!amqp || !http) return 'the Service Bus emulator did not start';
    return { amqp, http };
  }

  describe(): SbConnection {
    if (this.#custom) return { source: 'custom', endpoint: this.#custom.clients.endpoint, unavailable: null };
    const strings = this.#emulatorStrings();
    if (typeof strings === 'string') return { source: 'emulator', endpoint: null, unavailable: strings };
    return { source: 'emulator', endpoint: sbEndpointOf(strings.amqp), unavailable: null };
  }

  clients(): SbClients {
    if (this.#custom) return this.#custom.clients;
    if (this.#emulator) return this.#emulator;
    const strings = this.#emulatorStrings();
    if (typeof strings === 'string') throw cbError('CB_ERR_SERVICEBUS_NOT_CONNECTED', { detail: strings });
    this.#emulator = {
      sb: new ServiceBusClient(strings.amqp, { retryOptions: RETRY }),
      admin: emulatorAdmin(strings.http, strings.amqp),
      endpoint: sbEndpointOf(strings.amqp),
    };
    return this.#emulator;
  }

  /** A pasted connection string (checked by listing queues), or null for the local emulator again. */
  async connect(connectionString: string | null): Promise<SbConnection> {
    if (connectionString === null || connectionString.trim() === '') {
      await this.#closeCustom();
      return this.describe();
    }
    const endpoint = sbEndpointOf(connectionString);
    const clients: SbClients = {
      sb: new ServiceBusClient(connectionString, { retryOptions: RETRY }),
      admin: new ServiceBusAdministrationClient(connectionString, { retryOptions: RETRY }),
      endpoint,
    };
    try {
      const page = clients.admin.listQueues().byPage({ maxPageSize: 1 });
      await page.next();
    } catch (err) {
      await clients.sb.close().catch(() => {});
      const e = sbError(err, 'namespace');
      throw cbError('CB_ERR_SERVICEBUS_CONNECTION_STRING', { detail: `the namespace does not answer with it (${e.message})` }, err);
    }
    await this.#closeCustom();
    this.#custom = { connectionString, clients };
    return this.describe();
  }

  async #closeCustom(): Promise<void> {
    const old = this.#custom;
    this.#custom = undefined;
    await old?.clients.sb.close().catch(() => {});
  }

  async close(): Promise<void> {
    await this.#closeCustom();
    await this.#emulator?.sb.close().catch(() => {});
    this.#emulator = undefined;
  }
}

// ---- SDK errors → the catalogue ----------------------------------------------------------------------------

/** The first useful line of an ATOM error (`<Error><Code/><Detail/></Error>`) or an AMQP error. */
function detailOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const detail = /<Detail>([\s\S]*?)<\/Detail>/.exec(text)?.[1] ?? text;
  return (detail.split('\n')[0] ?? detail).trim();
}

/** What a failed SDK call becomes: 400 with the service's own words (a SQL filter's position), 404, 409, 502. */
export function sbError(err: unknown, what: string): CloudbenchError {
  if (isCloudbenchError(err)) return err;
  const detail = detailOf(err);
  if (isServiceBusError(err)) {
    const serviceCode = err.code;
    if (serviceCode === 'MessagingEntityNotFound' || serviceCode === 'MessageNotFound' || serviceCode === 'SessionCannotBeLocked') return cbError('CB_ERR_SERVICEBUS_NOT_FOUND', { what, serviceCode, detail }, err);
    if (serviceCode === 'MessagingEntityAlreadyExists') return cbError('CB_ERR_SERVICEBUS_CONFLICT', { serviceCode, detail }, err);
    if (serviceCode === 'MessageSizeExceeded') return cbError('CB_ERR_SERVICEBUS_BAD_REQUEST', { serviceCode, detail }, err);
    // Rule operations over $management carry the AMQP condition; a bad SQL expression is a 400 there.
    if (/sql|syntax|filter|invalid|argument/i.test(detail) && serviceCode === 'GeneralError') return cbError('CB_ERR_SERVICEBUS_BAD_REQUEST', { serviceCode, detail }, err);
    return cbError('CB_ERR_SERVICEBUS_FAILED', { serviceCode, detail }, err);
  }
  const failure = err as { statusCode?: number; code?: string };
  const statusCode = typeof failure.statusCode === 'number' ? failure.statusCode : 0;
  const serviceCode = failure.code ?? (statusCode === 0 ? 'no answer' : String(statusCode));
  switch (statusCode) {
    case 400:
      return cbError('CB_ERR_SERVICEBUS_BAD_REQUEST', { serviceCode, detail }, err);
    case 404:
      return cbError('CB_ERR_SERVICEBUS_NOT_FOUND', { what, serviceCode, detail }, err);
    case 409:
      return cbError('CB_ERR_SERVICEBUS_CONFLICT', { serviceCode, detail }, err);
    default:
      return cbError('CB_ERR_SERVICEBUS_FAILED', { serviceCode: statusCode ? `${statusCode} ${serviceCode}` : serviceCode, detail }, err);
  }
}
