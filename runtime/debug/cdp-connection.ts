// A minimal Chrome DevTools Protocol client over one WebSocket: numbered commands with their replies, and
// events by name. The runtime uses it for its own monitoring session on each attached worker; tests use it
// to drive workers as a debugger would.
import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';

export interface CdpEvent {
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export interface CdpConnectionEventMap {
  event: [event: CdpEvent];
  close: [];
}

export class CdpConnection extends EventEmitter<CdpConnectionEventMap> {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  #closed = false;

  private constructor(private readonly ws: WebSocket) {
    super();
    ws.on('message', (data) => this.#onMessage(data.toString()));
    ws.on('close', () => this.#onClose());
    ws.on('error', () => ws.terminate());
  }

  /** Connects to an inspector (or a proxy of one); rejects when the handshake fails or takes longer than timeoutMs. */
  static connect(url: string, options: { timeoutMs?: number; headers?: Record<string, string>; protocols?: string[] } = {}): Promise<CdpConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no answer from ${url} within ${options.timeoutMs ?? 5000} ms`));
      }, options.timeoutMs ?? 5000);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new CdpConnection(ws));
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(timer);
        ws.terminate();
        reject(Object.assign(new Error(`${url} answered ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a command; resolves with its result, rejects with the protocol's error message. */
  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (this.#closed) return Promise.reject(new Error(`the connection is closed (${method})`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** The next event of that name (and matching the predicate), or a rejection after timeoutMs. */
  next(method: string, timeoutMs = 10_000, matches: (params: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const onEvent = (e: CdpEvent): void => {
        if (e.method !== method || !matches(e.params)) return;
        clearTimeout(timer);
        this.off('event', onEvent);
        resolve(e.params);
      };
      const timer = setTimeout(() => {
        this.off('event', onEvent);
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('event', onEvent);
    });
  }

  close(): void {
    this.ws.close();
    this.#onClose();
  }

  /** Closes the connection and resolves once the other side has seen it go (or after timeoutMs). */
  closeAndWait(timeoutMs = 1000): Promise<void> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) {
        this.#onClose();
        return resolve();
      }
      const timer = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, timeoutMs);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.close();
    });
  }

  #onMessage(text: string): void {
    let message: { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message?: string } };
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof message.id === 'number') {
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message ?? 'CDP error'));
      else waiter?.resolve(message.result ?? {});
    } else if (typeof message.method === 'string') {
      this.emit('event', { method: message.method, params: message.params ?? {} });
    }
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#pending.values()) w.reject(new Error('the inspector connection closed'));
    this.#pending.clear();
    this.emit('close');
  }
}
