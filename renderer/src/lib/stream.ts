// The WebSocket half of the control protocol: one socket for every live topic. Topics are reference
// counted (two views that want `topology` share one subscription), the socket reconnects with a growing,
// jittered delay, and every (re)connection re-sends the subscriptions and tells listeners (terminals
// re-attach then). Frames are `{ type: 'batch', messages }`; each message is validated on its own so one
// bad message costs only itself, then dispatched by `type`.
import { ServerMessageSchema, STREAM_PATH, STREAM_PROTOCOL, TOKEN_PROTOCOL_PREFIX } from './protocol';
import type { ClientMessage, ServerMessage, Topic } from './protocol';

export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export type StreamStatus =
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'open' }
  | { readonly state: 'waiting'; readonly retryAt: number; readonly attempt: number };

export interface StreamOptions {
  /** Where the control API lives (the page's own origin in the workbench). */
  origin: string;
  token: string;
  onStatus?: (status: StreamStatus) => void;
  /** Injectable for tests. */
  WebSocketImpl?: typeof WebSocket;
}

const MIN_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;

/** 250 ms doubling up to 5 s, with jitter so many tabs do not reconnect in step. */
export function reconnectDelay(attempt: number, random = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** attempt);
  return Math.round(base * (0.5 + random() / 2));
}

type Handler = (message: ServerMessage) => void;

export class StreamClient {
  readonly #url: string;
  readonly #protocols: string[];
  readonly #onStatus: (status: StreamStatus) => void;
  readonly #WS: typeof WebSocket;
  readonly #topics = new Map<Topic, number>();
  readonly #handlers = new Map<ServerMessage['type'], Set<Handler>>();
  readonly #openHandlers = new Set<() => void>();
  #ws: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;

  constructor(options: StreamOptions) {
    const url = new URL(STREAM_PATH, options.origin);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#url = url.href;
    // The token travels as a subprotocol: browsers cannot set headers on a WebSocket, and a URL would
    // end up in logs.
    this.#protocols = [STREAM_PROTOCOL, TOKEN_PROTOCOL_PREFIX + options.token];
    this.#onStatus = options.onStatus ?? (() => {});
    this.#WS = options.WebSocketImpl ?? WebSocket;
  }

  get isOpen(): boolean {
    return this.#ws?.readyState === 1;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000, 'workbench closed');
  }

  /** Receives the topics until the returned function is called. */
  subscribe(topics: Topic[]): () => void {
    const fresh = topics.filter((t) => {
      const n = this.#topics.get(t) ?? 0;
      this.#topics.set(t, n + 1);
      return n === 0;
    });
    if (fresh.length > 0) this.send({ type: 'subscribe', topics: fresh });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const gone = topics.filter((t) => {
        const n = (this.#topics.get(t) ?? 1) - 1;
        if (n <= 0) this.#topics.delete(t);
        else this.#topics.set(t, n);
        return n <= 0;
      });
      if (gone.length > 0) this.send({ type: 'unsubscribe', topics: gone });
    };
  }

  /** Calls handler for each message of that type, until the returned function is called. */
  on<T extends ServerMessage['type']>(type: T, handler: (message: ServerMessageOf<T>) => void): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    const h = handler as Handler;
    set.add(h);
    return () => set.delete(h);
  }

  /** Called after each successful (re)connection, once the subscriptions have been re-sent. */
  onOpen(handler: () => void): () => void {
    this.#openHandlers.add(handler);
    return () => this.#openHandlers.delete(handler);
  }

  /** Sends now if the socket is open; returns false otherwise (state is re-sent on reconnection). */
  send(message: ClientMessage): boolean {
    if (this.#ws?.readyState !== 1) return false;
    this.#ws.send(JSON.stringify(message));
    return true;
  }

  #connect(): void {
    this.#onStatus({ state: 'connecting', attempt: this.#attempt });
    let ws: WebSocket;
    try {
      ws = new this.#WS(this.#url, this.#protocols);
    } catch {
      this.#retry();
      return;
    }
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      this.#onStatus({ state: 'open' });
      const topics = [...this.#topics.keys()];
      if (topics.length > 0) this.send({ type: 'subscribe', topics });
      for (const h of this.#openHandlers) h();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') this.#receive(ev.data);
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#retry();
    };
  }

  #retry(): void {
    if (this.#stopped) return;
    const delay = reconnectDelay(this.#attempt);
    this.#attempt++;
    this.#onStatus({ state: 'waiting', retryAt: Date.now() + delay, attempt: this.#attempt });
    this.#timer = setTimeout(() => this.#connect(), delay);
  }

  #receive(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      console.warn('cloudbench: a stream frame is not JSON; ignored');
      return;
    }
    if (typeof frame !== 'object' || frame === null || (frame as { type?: unknown }).type !== 'batch' || !Array.isArray((frame as { messages?: unknown }).messages)) {
      console.warn('cloudbench: a stream frame is not a batch; ignored');
      return;
    }
    for (const raw of (frame as { messages: unknown[] }).messages) {
      const parsed = ServerMessageSchema.safeParse(raw);
      if (!parsed.success) {
        console.warn('cloudbench: a stream message is outside the protocol; ignored', parsed.error.issues[0]);
        continue;
      }
      const set = this.#handlers.get(parsed.data.type);
      if (!set) continue;
      for (const h of set) {
        try {
          h(parsed.data);
        } catch (err) {
          console.error('cloudbench: a stream handler failed', err);
        }
      }
    }
  }
}
