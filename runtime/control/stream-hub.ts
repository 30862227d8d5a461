// The live stream: one WebSocket per page, topics it subscribes to, and messages gathered for ~16 ms and sent
// as one frame. A flood of log lines therefore costs one send per client per tick, and nothing on the
// request path waits for a browser.
import type { WebSocket } from 'ws';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import { ClientMessageSchema } from '../shared/protocol.js';
import type { ClientMessage, LogRecordMessage, RequestRecordMessage, ServerFrame, ServerMessage, SiteEvent, Topic } from '../shared/protocol.js';
import type { TerminalManager } from '../terminal/terminal-manager.js';
import type { Workbench } from './workbench.js';

const TICK_MS = 16;
const METRICS_MS = 1000;

interface Client {
  readonly ws: WebSocket;
  readonly topics: Set<Topic>;
  readonly terminals: Map<string, () => void>;
  queue: ServerMessage[];
}

export class StreamHub {
  readonly #clients = new Set<Client>();
  #timer: NodeJS.Timeout | undefined;
  #topologyDirty = false;
  readonly #metrics: NodeJS.Timeout;
  readonly #off: Array<() => void> = [];

  constructor(
    private readonly workbench: Workbench,
    private readonly terminals: TerminalManager,
  ) {
    const onTopology = (): void => {
      this.#topologyDirty = true;
      this.#schedule();
    };
    const onEvent = (event: SiteEvent): void => this.publish('events', { type: 'event', event });
    const onLogs = (records: LogRecordMessage[]): void => this.publish('logs', { type: 'logs', records });
    const onRequests = (records: RequestRecordMessage[]): void => this.publish('requests', { type: 'requests', records });
    workbench.on('topology', onTopology);
    workbench.on('event', onEvent);
    workbench.on('logs', onLogs);
    workbench.on('requests', onRequests);
    // Terminals opened, resized, exited or closed (by any page or by themselves).
    this.#off.push(terminals.onChange(() => this.terminalsChanged()));
    this.#off.push(() => {
      workbench.off('topology', onTopology);
      workbench.off('event', onEvent);
      workbench.off('logs', onLogs);
      workbench.off('requests', onRequests);
    });
    this.#metrics = setInterval(() => {
      if (![...this.#clients].some((c) => c.topics.has('metrics'))) return;
      this.publish('metrics', { type: 'metrics', time: Date.now(), instances: this.workbench.metrics() });
    }, METRICS_MS);
    this.#metrics.unref();
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  add(ws: WebSocket): void {
    const client: Client = { ws, topics: new Set(), terminals: new Map(), queue: [{ type: 'hello', version: 1 }] };
    this.#clients.add(client);
    this.#schedule();
    ws.on('message', (data, isBinary) => this.#onMessage(client, isBinary ? '' : data.toString()));
    ws.on('close', () => {
      for (const off of client.terminals.values()) off();
      this.#clients.delete(client);
      this.#followRequests();
    });
    ws.on('error', () => ws.terminate());
  }

  /** Queue a message for every client subscribed to `topic`. */
  publish(topic: Topic, message: ServerMessage): void {
    for (const c of this.#clients) if (c.topics.has(topic)) c.queue.push(message);
    this.#schedule();
  }

  /** Request records are built for the stream only while some page follows them (they sit on the hot path). */
  #followRequests(): void {
    this.workbench.liveRequests = [...this.#clients].some((c) => c.topics.has('requests'));
  }

  terminalsChanged(): void {
    this.publish('terminals', { type: 'terminals', terminals: this.terminals.list() });
  }

  close(): void {
    clearInterval(this.#metrics);
    clearTimeout(this.#timer);
    for (const off of this.#off) off();
    for (const c of this.#clients) c.ws.close(1001, 'cloudbench is stopping');
  }

  #onMessage(client: Client, text: string): void {
    let message: ClientMessage;
    try {
      const parsed = ClientMessageSchema.safeParse(JSON.parse(text));
      if (!parsed.success) throw cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'stream message', detail: parsed.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') });
      message = parsed.data;
    } catch (err) {
      const error = isCloudbenchError(err) ? err : cbError('CB_ERR_CONTROL_BAD_REQUEST', { what: 'stream message', detail: 'it is not JSON' });
      client.queue.push({ type: 'error', error: error.toJSON() });
      this.#schedule();
      return;
    }
    try {
      this.#handle(client, message);
    } catch (err) {
      if (!isCloudbenchError(err)) throw err;
      client.queue.push({ type: 'error', error: err.toJSON() });
      this.#schedule();
    }
  }

  #handle(client: Client, message: ClientMessage): void {
    switch (message.type) {
      case 'subscribe':
        for (const t of message.topics) {
          client.topics.add(t);
          // A new subscriber gets the current state at once.
          if (t === 'topology') client.queue.push({ type: 'topology', topology: this.workbench.topology() });
          if (t === 'terminals') client.queue.push({ type: 'terminals', terminals: this.terminals.list() });
          if (t === 'metrics') client.queue.push({ type: 'metrics', time: Date.now(), instances: this.workbench.metrics() });
        }
        this.#followRequests();
        break;
      case 'unsubscribe':
        for (const t of message.topics) client.topics.delete(t);
        this.#followRequests();
        break;
      case 'terminal.attach': {
        const id = message.id;
        client.terminals.get(id)?.();
        const scrollback = this.terminals.scrollback(id);
        client.queue.push({ type: 'terminal.output', id, data: scrollback });
        const off = this.terminals.subscribe(id, {
          onData: (data) => {
            client.queue.push({ type: 'terminal.output', id, data });
            this.#schedule();
          },
          onExit: (exitCode) => {
            client.queue.push({ type: 'terminal.exit', id, exitCode });
            this.#schedule();
          },
        });
        client.terminals.set(id, off);
        break;
      }
      case 'terminal.detach':
        client.terminals.get(message.id)?.();
        client.terminals.delete(message.id);
        break;
      case 'terminal.input':
        this.terminals.write(message.id, message.data);
        break;
    }
    this.#schedule();
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => this.#flush(), TICK_MS);
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#topologyDirty) {
      this.#topologyDirty = false;
      const topology = this.workbench.topology();
      for (const c of this.#clients) if (c.topics.has('topology')) c.queue.push({ type: 'topology', topology });
    }
    for (const c of this.#clients) {
      if (c.queue.length === 0 || c.ws.readyState !== c.ws.OPEN) continue;
      const frame: ServerFrame = { type: 'batch', messages: c.queue };
      c.queue = [];
      c.ws.send(JSON.stringify(frame));
    }
  }
}
