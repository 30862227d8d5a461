// The web role of the task list: a page listing tasks (Table storage), a form that adds one — the entity
// goes to `tasktable`, a work item to `taskqueue` for the worker role, and a note to the `taskdiscussion`
// topic — and the discussion read from the topic's subscription.
const http = require('node:http');
const { tasks, queue, bus, ensure, TOPIC, SUBSCRIPTION } = require('./services');

const ready = ensure();
const sender = bus.createSender(TOPIC);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function listTasks() {
  const list = [];
  for await (const t of tasks.listEntities({ queryOptions: { filter: "PartitionKey eq 'tasks'" } })) list.push(t);
  return list.sort((a, b) => String(a.rowKey).localeCompare(String(b.rowKey)));
}

async function addTask(name) {
  const rowKey = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  await tasks.createEntity({ partitionKey: 'tasks', rowKey, name, completed: false, processed: false });
  await queue.sendMessage(Buffer.from(JSON.stringify({ rowKey })).toString('base64'));
  await sender.sendMessages({ body: `New task: ${name}`, subject: 'task-added', applicationProperties: { rowKey } });
  return rowKey;
}

function page(list, error) {
  const banner = process.env.TASKLIST_BANNER ? `<p class="banner">${esc(process.env.TASKLIST_BANNER)}</p>` : '';
  const rows = list.map((t) => `<li data-task="${esc(t.rowKey)}">${esc(t.name)}${t.processed ? ' <small>(processed by the worker role)</small>' : ''}</li>`).join('');
  return `<!doctype html><meta charset="utf-8"><title>Task list</title>
<style>body{font:15px system-ui,sans-serif;margin:2em;max-width:40em}.banner{background:#fe8;padding:4px 8px}</style>
<h1>Task list</h1>${banner}${error ? `<p role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/tasks"><input name="name" aria-label="Task" required placeholder="Pick up milk"> <button>Add task</button></form>
<ul id="tasks">${rows || '<li class="empty">No tasks yet.</li>'}</ul>
<p><small>Instance ${esc(process.env.CLOUDBENCH_INSTANCE_ID || process.env.CLOUDBENCH_INSTANCE || '')}, pid ${process.pid}. Tasks live in the table <code>tasktable</code>; each new task also goes to the queue <code>taskqueue</code> and the topic <code>${TOPIC}</code> (subscription <code>${SUBSCRIPTION}</code>).</small></p>`;
}

function readForm(req) {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => resolve(new URLSearchParams(body)));
  });
}

http
  .createServer(async (req, res) => {
    try {
      await ready;
      const url = new URL(req.url, 'http://x');
      if (req.method === 'POST' && url.pathname === '/tasks') {
        const name = ((await readForm(req)).get('name') || '').trim();
        if (name === '' || name.length > 200) {
          res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
          return res.end(page(await listTasks(), 'A task needs a name of 1 to 200 characters.'));
        }
        await addTask(name);
        res.writeHead(303, { Location: '/' });
        return res.end();
      }
      if (url.pathname === '/api/tasks') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify(await listTasks()));
      }
      if (url.pathname === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        return res.end(page(await listTasks()));
      }
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not found');
    } catch (err) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`The task list cannot reach its services: ${err.message}\n(Cloudbench starts the emulators with \`cloudbench serve\`; see its output.)`);
    }
  })
  .listen(process.env.PORT);
