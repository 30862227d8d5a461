// Shared set-up for the Service Bus integration tests: an in-process emulator on free ports, in memory,
// and clients of the unmodified SDKs pointed at it.
import { ServiceBusAdministrationClient, ServiceBusClient } from '@azure/service-bus';
import { startServiceBusEmulator, type RunningServiceBusEmulator, type ServiceBusEmulatorOptions } from '../../../runtime/emulators/servicebus/index.js';

export async function startEmulator(options: ServiceBusEmulatorOptions = {}): Promise<RunningServiceBusEmulator> {
  return startServiceBusEmulator({ inMemory: true, amqpPort: 0, httpPort: 0, ...options });
}

export function sdkClient(emulator: RunningServiceBusEmulator): ServiceBusClient {
  return new ServiceBusClient(emulator.connectionString(), { retryOptions: { maxRetries: 0, timeoutInMs: 10_000 } });
}

/**
 * The admin client over plain HTTP. @azure/service-bus 7.9 always builds https:// URLs for the ATOM API
 * (service-bus.md §2.6) and ignores `additionalPolicies`; its public `pipeline` takes one policy that
 * rewrites the scheme for the emulator's http:// port (no monkey-patching of the client).
 */
export function adminClient(emulator: RunningServiceBusEmulator): ServiceBusAdministrationClient {
  const cs = `Endpoint=sb://127.0.0.1:${emulator.httpPort};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`;
  const admin = new ServiceBusAdministrationClient(cs, { retryOptions: { maxRetries: 0 } });
  admin.pipeline.addPolicy({
    name: 'emulator-http',
    sendRequest: (request, next) => {
      request.url = request.url.replace(/^https:/, 'http:');
      request.allowInsecureConnection = true;
      return next(request);
    },
  });
  return admin;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
