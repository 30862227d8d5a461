// The browser's end of a CDP session: one WebSocket to the runtime's proxy (`/api/debug/cdp/<worker>/<key>`),
// numbered commands with their replies, events by method name.

type Params = Record<string, unknown>;

export class CdpError extends Error {
  constructor(method: string, message: string) {
    super(`${method}: ${message}`);
    this.name = 'CdpError';
  }
}

export class CdpClient {
  #nextId = 1;
  readonly #pending = new Map<number, { method: string; resolve: (v: Params) => void; reject: (e: Error) => void }>();
  readonly #handlers = new Map<string, Set<(params: Params) => void>>();
  readonly #closeHandlers = new Set<() => void>();
  #closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.addEventListener('message', (e) => this.#onMessage(String(e.data)));
    ws.addEventListener('close', () => this.#onClose());
  }

  /** Opens the proxy's socket (`path` on this page's host). */
  static connect(path: string, origin = location.origin): Promise<CdpClient> {
    const url = new URL(path, origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.href);
      ws.addEventListener('open', () => resolve(new CdpClient(ws)), { once: true });
      ws.addEventListener('error', () => reject(new Error(`Cannot connect to the debugger of this worker (${url.pathname.split('/').slice(0, -1).join('/')}/…).`)), { once: true });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  send<T extends Params = Params>(method: string, params: Params = {}): Promise<T> {
    if (this.#closed) return Promise.reject(new CdpError(method, 'the debugger connection is closed'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { method, resolve: resolve as (v: Params) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, handler: (params: Params) => void): () => void {
    let set = this.#handlers.get(method);
    if (!set) this.#handlers.set(method, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  onClose(handler: () => void): () => void {
    this.#closeHandlers.add(handler);
    return () => this.#closeHandlers.delete(handler);
  }

  close(): void {
    this.ws.close();
    this.#onClose();
  }

  #onMessage(text: string): void {
    let m: { id?: number; method?: string; params?: Params; result?: Params; error?: { message?: string } };
    try {
      m = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof m.id === 'number') {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (!p) return;
      if (m.error) p.reject(new CdpError(p.method, m.error.message ?? 'failed'));
      else p.resolve(m.result ?? {});
    } else if (typeof m.method === 'string') {
      for (const h of this.#handlers.get(m.method) ?? []) h(m.params ?? {});
    }
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(new CdpError(p.method, 'the debugger connection closed'));
    this.#pending.clear();
    for (const h of this.#closeHandlers) h();
  }
}
