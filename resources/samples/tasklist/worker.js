// The worker role of the task list: takes work items from `taskqueue` and marks their task processed in
// `tasktable`. A message it cannot handle becomes visible again after 30 s (the queue's retry).
const { tasks, queue, ensure } = require('./services');

async function loop() {
  await ensure();
  console.log(`task worker ${process.env.CLOUDBENCH_INSTANCE_ID || ''} is polling taskqueue`);
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 16, visibilityTimeout: 30 });
    for (const m of receivedMessageItems) {
      const { rowKey } = JSON.parse(Buffer.from(m.messageText, 'base64').toString('utf8'));
      await tasks.updateEntity({ partitionKey: 'tasks', rowKey, processed: true }, 'Merge');
      await queue.deleteMessage(m.messageId, m.popReceipt);
      console.log(`processed task ${rowKey}`);
    }
    if (receivedMessageItems.length === 0) await new Promise((r) => setTimeout(r, 500));
  }
}

loop().catch((err) => {
  console.error(`task worker failed: ${err.stack || err.message}`);
  process.exit(1);
});
