// The storage benchmark's "raw HTTP" rows: the REST requests @azure/data-tables and @azure/storage-queue send
// (same paths, query strings, bodies and service headers, captured from the SDKs; not their User-Agent,
// client request id or Accept-Encoding), replayed by a minimal node:http client that signs them with SharedKey
// and does nothing else. An SDK operation costs its client ~0.4–0.5 ms of CPU (pipeline,
// policies, deserialization), which both emulators pay in the sequential SDK rows; without it, what is left
// per request is mostly the server. Every response's status is checked (and bodies that are read are parsed),
// so an unexpected answer throws instead of counting as fast.
import http from 'node:http';
import { createHmac, createSecretKey } from 'node:crypto';
import { DEV_ACCOUNT, DEV_KEY_FOR_BENCH, seed, table } from './workloads.js';

const KEY = createSecretKey(Buffer.from(DEV_KEY_FOR_BENCH, 'base64'));
const TABLE_VERSION = '2019-02-02'; // what @azure/data-tables 13.3 sends
const QUEUE_VERSION = '2026-04-06'; // what @azure/storage-queue 12.30 sends (Azurite runs with --skipApiVersionCheck)

const hmac = (text) => createHmac('sha256', KEY).update(text, 'utf8').digest('base64');

/**
 * Table service SharedKey (not Lite): VERB, Content-MD5, Content-Type, Date (the x-ms-date value), then the
 * canonicalized resource `/<account><url path>` plus `?comp=…` if the query has one; no x-ms- headers.
 * (@azure/data-tables itself signs with SharedKeyLite, `x-ms-date\n<resource>`; both emulators accept both, and
 * the server's work is one HMAC either way.)
 */
export function tableStringToSign(method, path, query, headers) {
  const comp = query?.get('comp');
  const resource = `/${DEV_ACCOUNT}${path}${comp ? `?comp=${comp}` : ''}`;
  return [method, headers['Content-MD5'] ?? '', headers['Content-Type'] ?? '', headers['x-ms-date'], resource].join('\n');
}

/**
 * Queue (and Blob) service SharedKey, as @azure/storage-common's storageSharedKeyCredentialPolicy builds it:
 * 12 standard headers (Content-Length empty when 0; Date empty because x-ms-date is sent), the x-ms- headers
 * lower-cased and sorted (`name:value\n`), then `/<account><url path>` and each query parameter, lower-cased,
 * sorted, decoded, as `\nname:value`. The client sends only x-ms-date and x-ms-version, whose order is the same
 * under plain and the SDK's culture-aware sort.
 */
export function queueStringToSign(method, path, query, headers) {
  const h = (name) => headers[name] ?? '';
  const length = h('Content-Length');
  const xms = Object.keys(headers)
    .filter((n) => n.toLowerCase().startsWith('x-ms-'))
    .map((n) => [n.toLowerCase(), String(headers[n]).trim()])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let resource = `/${DEV_ACCOUNT}${path}`;
  if (query) {
    for (const name of [...new Set([...query.keys()].map((k) => k.toLowerCase()))].sort()) {
      resource += `\n${name}:${query.getAll(name).join(',')}`;
    }
  }
  return [
    method, h('Content-Encoding'), h('Content-Language'), String(length) === '0' ? '' : String(length), h('Content-MD5'), h('Content-Type'),
    '', h('If-Modified-Since'), h('If-Match'), h('If-None-Match'), h('If-Unmodified-Since'), h('Range'),
    xms.map(([n, v]) => `${n}:${v}\n`).join('') + resource,
  ].join('\n');
}

function xmlText(xml, tag) {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m && m[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

const keyLiteral = (key) => encodeURIComponent(key.replace(/'/g, "''"));

/** A signed-request client for one emulator; maxSockets 1 (the default) keeps one request in flight per client. */
export class RawStorage {
  constructor(server, { maxSockets = 1 } = {}) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
    this.tablesPort = Number(new URL(server.tablesUrl).port);
    this.queuesPort = Number(new URL(server.queuesUrl).port);
  }

  close() {
    this.agent.destroy();
  }

  /**
   * One request; resolves { status, headers, body: Buffer }, rejects unless the status is one of `expected`.
   * A kept-alive connection the server closed while it sat idle (Azurite closes them after 5 s) fails with
   * ECONNRESET on reuse; that request is sent once more on a new connection, as Node's docs advise.
   */
  async send(service, method, path, search, headers, body, expected) {
    try {
      return await this.#sendOnce(service, method, path, search, { ...headers }, body, expected);
    } catch (err) {
      if (err.code !== 'ECONNRESET' || !err.reusedSocket) throw err;
      return this.#sendOnce(service, method, path, search, { ...headers }, body, expected);
    }
  }

  #sendOnce(service, method, path, search, headers, body, expected) {
    const query = search ? new URLSearchParams(search) : undefined;
    headers['x-ms-date'] = new Date().toUTCString();
    if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
    const stringToSign = service === 'table' ? tableStringToSign(method, path, query, headers) : queueStringToSign(method, path, query, headers);
    headers.Authorization = `SharedKey ${DEV_ACCOUNT}:${hmac(stringToSign)}`;
    const port = service === 'table' ? this.tablesPort : this.queuesPort;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path: search ? `${path}?${search}` : path, headers, agent: this.agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks);
          if (!expected.includes(res.statusCode)) {
            reject(new Error(`raw ${method} ${path}${search ? `?${search}` : ''}: HTTP ${res.statusCode} (expected ${expected.join('/')}): ${text.toString('utf8', 0, 400)}`));
          } else if (res.headers['content-encoding'] && res.headers['content-encoding'] !== 'identity') {
            reject(new Error(`raw ${method} ${path}: unexpected Content-Encoding ${res.headers['content-encoding']}`));
          } else {
            resolve({ status: res.statusCode, headers: res.headers, body: text });
          }
        });
      });
      req.on('error', (err) => {
        err.reusedSocket = req.reusedSocket;
        reject(err);
      });
      req.end(body);
    });
  }

  tableHeaders(extra) {
    return { Accept: 'application/json;odata=minimalmetadata', 'x-ms-version': TABLE_VERSION, DataServiceVersion: '3.0', ...extra };
  }

  async createTable(name) {
    await this.send('table', 'POST', `/${DEV_ACCOUNT}/Tables`, '', this.tableHeaders({ 'Content-Type': 'application/json;odata=nometadata', Prefer: 'return-no-content' }), JSON.stringify({ TableName: name }), [201, 204]);
  }

  /** Insert Entity, as TableClient.createEntity sends it (204 with return-no-content). */
  async insert(tableName, entity) {
    await this.send('table', 'POST', `/${DEV_ACCOUNT}/${tableName}`, '', this.tableHeaders({ 'Content-Type': 'application/json;odata=nometadata', Prefer: 'return-no-content' }), JSON.stringify(entity), [204]);
  }

  /** Query Entity by its keys, as TableClient.getEntity sends it; the body is parsed and its keys checked. */
  async get(tableName, partitionKey, rowKey) {
    const res = await this.send('table', 'GET', `/${DEV_ACCOUNT}/${tableName}(PartitionKey='${keyLiteral(partitionKey)}',RowKey='${keyLiteral(rowKey)}')`, '', this.tableHeaders(), undefined, [200]);
    const entity = JSON.parse(res.body.toString('utf8'));
    if (entity.PartitionKey !== partitionKey || entity.RowKey !== rowKey) throw new Error(`raw get ${partitionKey}/${rowKey}: got ${entity.PartitionKey}/${entity.RowKey}`);
    return entity;
  }

  /** Every entity of the table, page by page (x-ms-continuation-* headers), as listEntities() sends it; returns the count. */
  async countAll(tableName) {
    let count = 0;
    let search = '';
    for (;;) {
      const res = await this.send('table', 'GET', `/${DEV_ACCOUNT}/${tableName}()`, search, this.tableHeaders(), undefined, [200]);
      const page = JSON.parse(res.body.toString('utf8'));
      if (!Array.isArray(page.value)) throw new Error(`raw list ${tableName}: page without a value array`);
      count += page.value.length;
      const pk = res.headers['x-ms-continuation-nextpartitionkey'];
      if (!pk) return count;
      const rk = res.headers['x-ms-continuation-nextrowkey'];
      search = `NextPartitionKey=${encodeURIComponent(pk)}${rk ? `&NextRowKey=${encodeURIComponent(rk)}` : ''}`;
    }
  }

  queueHeaders(extra) {
    return { Accept: 'application/xml', 'x-ms-version': QUEUE_VERSION, ...extra };
  }

  async createQueue(name) {
    await this.send('queue', 'PUT', `/${DEV_ACCOUNT}/${name}`, 'timeout=30', this.queueHeaders(), undefined, [201]);
  }

  /** Put Message, Get Messages (1), Delete Message: QueueClient.sendMessage + receiveMessages + deleteMessage. */
  async queueCycle(name, text) {
    const path = `/${DEV_ACCOUNT}/${name}/messages`;
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><QueueMessage><MessageText>${text}</MessageText></QueueMessage>`;
    const sent = await this.send('queue', 'POST', path, 'timeout=30', this.queueHeaders({ 'Content-Type': 'application/xml' }), xml, [201]);
    if (!xmlText(sent.body.toString('utf8'), 'MessageId')) throw new Error(`raw send to ${name}: no MessageId in the answer`);
    const got = (await this.send('queue', 'GET', path, 'timeout=30', this.queueHeaders(), undefined, [200])).body.toString('utf8');
    const id = xmlText(got, 'MessageId');
    const popReceipt = xmlText(got, 'PopReceipt');
    if (!id || !popReceipt || xmlText(got, 'MessageText') !== text) throw new Error(`raw receive from ${name}: no message in ${got.slice(0, 300)}`);
    await this.send('queue', 'DELETE', `${path}/${encodeURIComponent(id)}`, `popreceipt=${encodeURIComponent(popReceipt)}&timeout=30`, this.queueHeaders(), undefined, [204]);
  }
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * `n` sequential calls after `warmup` untimed ones (the fn gets negative indexes then): ops/s. The row is meant
 * to be the server's steady state: in compare.js these rows run after the concurrent ones, in a process that has
 * served thousands of each operation (ours went from ~360 to ~170 µs of CPU per insert over the first few
 * thousand); the warm-up settles this client and its connection on the path.
 */
async function timed(n, warmup, fn) {
  for (let i = 1; i <= warmup; i++) await fn(-i);
  const start = now();
  for (let i = 0; i < n; i++) await fn(i);
  return (n / (now() - start)) * 1000;
}

async function withClient(server, fn) {
  const raw = new RawStorage(server);
  try {
    return await fn(raw);
  } finally {
    raw.close();
  }
}

let counter = 0;
const uniqueName = (prefix) => `${prefix}${Date.now().toString(36)}${++counter}`;

/** The raw rows; same shape as workloads() in workloads.js (listBig uses the shared big table). */
export function rawWorkloads(quick) {
  const n = quick ? 1500 : 5000;
  const warmup = quick ? 300 : 1000;
  const big = quick ? 30_000 : 100_000;
  return [
    { id: 'rawInsert', label: 'raw HTTP: single insert, seq', unit: 'ops/s', higher: true, run: (s) => withClient(s, async (raw) => {
      const name = uniqueName('rawins');
      await raw.createTable(name);
      return timed(n, warmup, (i) => raw.insert(name, { PartitionKey: 'p', RowKey: String(i), v: i }));
    }) },
    { id: 'rawRead', label: 'raw HTTP: point read, seq', unit: 'ops/s', higher: true, run: async (s) => {
      const t = await table(s, 'rawget');
      await seed(t, 1000);
      return withClient(s, (raw) => timed(n, warmup, (i) => {
        const k = (Math.abs(i) * 7) % 1000;
        return raw.get(t.tableName, `p${String(Math.floor(k / 100)).padStart(3, '0')}`, String(k).padStart(8, '0'));
      }));
    } },
    { id: 'rawListBig', label: `raw HTTP: list all ${big / 1000}k`, unit: 'ms', higher: false, shared: 'big', run: (s, t) => withClient(s, async (raw) => {
      const times = [];
      for (let r = 0; r < (quick ? 1 : 3); r++) {
        const start = now();
        const c = await raw.countAll(t.tableName);
        times.push(now() - start);
        if (c !== big) throw new Error(`raw list: listed ${c} of ${big}`);
      }
      return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
    }) },
    { id: 'rawQueueSeq', label: 'raw HTTP: queue send+receive+delete, seq', unit: 'msgs/s', higher: true, run: (s) => withClient(s, async (raw) => {
      const name = uniqueName('rawseq');
      await raw.createQueue(name);
      return timed(quick ? 500 : 2000, warmup / 3, () => raw.queueCycle(name, 'hello'));
    }) },
  ];
}
