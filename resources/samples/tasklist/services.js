// The cloud services of the task list, from the connection strings in the environment: Cloudbench's
// emulators locally (it sets them for every worker), a real account anywhere else.
const { TableClient } = require('@azure/data-tables');
const { QueueClient } = require('@azure/storage-queue');
const { ServiceBusClient, ServiceBusAdministrationClient } = require('@azure/service-bus');

const STORAGE = process.env.AZURE_STORAGE_CONNECTION_STRING;
const SERVICEBUS = process.env.SERVICEBUS_CONNECTION_STRING;
const TOPIC = 'taskdiscussion';
const SUBSCRIPTION = 'client1';

if (!STORAGE || !SERVICEBUS) {
  throw new Error('AZURE_STORAGE_CONNECTION_STRING and SERVICEBUS_CONNECTION_STRING must be set (Cloudbench sets them when its emulators run)');
}

const tasks = TableClient.fromConnectionString(STORAGE, 'tasktable', { allowInsecureConnection: true });
const queue = new QueueClient(STORAGE, 'taskqueue');
const bus = new ServiceBusClient(SERVICEBUS);

function admin() {
  const client = new ServiceBusAdministrationClient(SERVICEBUS.replace(/;UseDevelopmentEmulator=true/i, '').replace(/sb:\/\/([^:;/]+):\d+/, `sb://$1:${new URL(process.env.SERVICEBUS_HTTP_ENDPOINT).port}`));
  // The local emulator's management API is plain HTTP; the client always builds https:// URLs.
  if (/^http:/.test(process.env.SERVICEBUS_HTTP_ENDPOINT || '') && /127\.0\.0\.1|localhost/.test(SERVICEBUS)) {
    client.pipeline.addPolicy({
      name: 'local-emulator-http',
      sendRequest: (req, next) => {
        req.url = req.url.replace(/^https:/, 'http:');
        req.allowInsecureConnection = true;
        return next(req);
      },
    });
  }
  return client;
}

/** Creates the table, the queue, the topic and its subscription if they do not exist yet. */
async function ensure() {
  await tasks.createTable().catch((e) => (e.statusCode === 409 ? undefined : Promise.reject(e)));
  await queue.createIfNotExists();
  const a = admin();
  if (!(await a.topicExists(TOPIC))) await a.createTopic(TOPIC).catch((e) => (e.code === 'MessageEntityAlreadyExistsError' ? undefined : Promise.reject(e)));
  if (!(await a.subscriptionExists(TOPIC, SUBSCRIPTION))) await a.createSubscription(TOPIC, SUBSCRIPTION).catch((e) => (e.code === 'MessageEntityAlreadyExistsError' ? undefined : Promise.reject(e)));
}

module.exports = { tasks, queue, bus, ensure, TOPIC, SUBSCRIPTION };
