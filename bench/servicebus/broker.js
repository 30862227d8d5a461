// The emulator under test, in its own process (as `cloudbench emulators` runs it), so the benchmark's
// clients do not share its event loop. Prints one JSON line with its ports once both are listening.
//   node bench/servicebus/broker.js [--data DIR]
import { startServiceBusEmulator } from '../../dist/runtime/emulators/servicebus/index.js';

const dataAt = process.argv.indexOf('--data');
const emulator = await startServiceBusEmulator({
  amqpPort: 0,
  httpPort: 0,
  ...(dataAt > 0 ? { dataDir: process.argv[dataAt + 1] } : { inMemory: true }),
});
for (const q of ['send', 'recv', 'lat', 'conn']) emulator.engine.registry.createQueue(q);
process.stdout.write(`${JSON.stringify({ amqpPort: emulator.amqpPort, httpPort: emulator.httpPort, connectionString: emulator.connectionString() })}\n`);
process.on('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
