import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogRecordMessage, ServerMessage } from '../../../../runtime/shared/protocol.js';
import type * as StreamModule from '~renderer/lib/stream';
import { load } from '../load-renderer.js';
import type { Arg, CtorArg } from '../load-renderer.js';
import { FakeWebSocket } from './fake-web-socket.js';

const { StreamClient, reconnectDelay } = await load<typeof StreamModule>('lib/stream');

type StreamOptions = CtorArg<typeof StreamClient>;
type StreamStatus = Arg<NonNullable<StreamOptions['onStatus']>>;
type WebSocketClass = NonNullable<StreamOptions['WebSocketImpl']>;
const FakeWS = FakeWebSocket as unknown as WebSocketClass;

const logRecord: LogRecordMessage = { seq: 1, time: 0, instance: 'site', worker: 'w1', pid: 10, stream: 'stdout', text: 'hi' };

function client(statuses: StreamStatus[] = []): InstanceType<typeof StreamClient> {
  return new StreamClient({ origin: 'http://127.0.0.1:4321', token: 'tok-123', WebSocketImpl: FakeWS, onStatus: (s: StreamStatus) => statuses.push(s) });
}

const batch = (...messages: unknown[]): string => JSON.stringify({ type: 'batch', messages });

let warn: ReturnType<typeof vi.spyOn>;
let error: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  FakeWebSocket.all.length = 0;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(1_000_000);
  vi.spyOn(Math, 'random').mockReturnValue(0);
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('reconnectDelay', () => {
  it('starts at 250 ms and doubles up to 5 s', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3, 4, 5, 6, 20, 2000].map((a) => reconnectDelay(a, top))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000, 5000]);
  });

  it('jitters down to half the delay, so many tabs do not reconnect in step', () => {
    const bottom = () => 0;
    expect([0, 1, 2, 5].map((a) => reconnectDelay(a, bottom))).toEqual([125, 250, 500, 2500]);
    expect(reconnectDelay(3, () => 0.5)).toBe(1500);
  });
});

describe('StreamClient connection', () => {
  it('connects to the stream path of the origin, with the token as a subprotocol and never in the URL', () => {
    client().start();
    expect(FakeWebSocket.last.url).toBe('ws://127.0.0.1:4321/api/stream');
    expect(FakeWebSocket.last.protocols).toEqual(['cloudbench.v1', 'cloudbench.token.tok-123']);
    new StreamClient({ origin: 'https://example.test/some/page?x=1', token: 't', WebSocketImpl: FakeWS }).start();
    expect(FakeWebSocket.last.url).toBe('wss://example.test/api/stream');
  });

  it('uses the global WebSocket when none is injected', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    new StreamClient({ origin: 'http://127.0.0.1:1', token: 't' }).start();
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('start is idempotent: a second start does not open a second socket', () => {
    const c = client();
    c.start();
    c.start();
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('retries after 125, 250, 500, 1000, 2000, 2500, 2500 ms (lowest jitter) while the runtime is down', () => {
    const statuses: StreamStatus[] = [];
    client(statuses).start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      FakeWebSocket.last.drop();
      const waiting = statuses.at(-1);
      if (waiting?.state !== 'waiting') throw new Error(`expected waiting, got ${JSON.stringify(waiting)}`);
      const delay = waiting.retryAt - Date.now();
      delays.push(delay);
      const sockets = FakeWebSocket.all.length;
      vi.advanceTimersByTime(delay - 1);
      expect(FakeWebSocket.all).toHaveLength(sockets);
      vi.advanceTimersByTime(1);
      expect(FakeWebSocket.all).toHaveLength(sockets + 1);
    }
    expect(delays).toEqual([125, 250, 500, 1000, 2000, 2500, 2500]);
  });

  it('reports connecting, waiting and open with the attempt number', () => {
    const statuses: StreamStatus[] = [];
    client(statuses).start();
    FakeWebSocket.last.drop();
    vi.advanceTimersByTime(125);
    FakeWebSocket.last.accept();
    expect(statuses).toEqual([
      { state: 'connecting', attempt: 0 },
      { state: 'waiting', retryAt: 1_000_125, attempt: 1 },
      { state: 'connecting', attempt: 1 },
      { state: 'open' },
    ]);
  });

  it('starts the backoff over after a successful connection', () => {
    const statuses: StreamStatus[] = [];
    client(statuses).start();
    for (let i = 0; i < 4; i++) {
      FakeWebSocket.last.drop();
      vi.runOnlyPendingTimers();
    }
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop();
    expect(statuses.at(-1)).toEqual({ state: 'waiting', retryAt: Date.now() + 125, attempt: 1 });
  });

  it('retries when the WebSocket constructor throws', () => {
    let fail = true;
    class Throwing extends FakeWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        if (fail) throw new Error('SecurityError');
        super(url, protocols);
      }
    }
    const statuses: StreamStatus[] = [];
    new StreamClient({ origin: 'http://127.0.0.1:1', token: 't', WebSocketImpl: Throwing as unknown as WebSocketClass, onStatus: (s: StreamStatus) => statuses.push(s) }).start();
    expect(statuses.at(-1)?.state).toBe('waiting');
    fail = false;
    vi.advanceTimersByTime(125);
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('stop closes the socket with 1000 and never reconnects, even when the close event comes later', () => {
    const c = client();
    c.start();
    const ws = FakeWebSocket.last;
    ws.accept();
    c.stop();
    expect(ws.closedWith).toEqual({ code: 1000, reason: 'workbench closed' });
    expect(c.isOpen).toBe(false);
    ws.drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('stop during the wait cancels the pending reconnection', () => {
    const c = client();
    c.start();
    FakeWebSocket.last.drop();
    c.stop();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toHaveLength(1);
  });

  it('a late close of the old socket after stop and start does not start a second reconnection', () => {
    const c = client();
    c.start();
    const old = FakeWebSocket.last;
    c.stop();
    c.start();
    const current = FakeWebSocket.last;
    current.accept();
    old.drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.all).toEqual([old, current]);
    expect(c.isOpen).toBe(true);
  });
});

describe('StreamClient subscriptions', () => {
  it('sends nothing before the socket opens, then one subscribe with every topic', () => {
    const c = client();
    c.subscribe(['topology', 'metrics']);
    c.subscribe(['metrics', 'logs']);
    c.start();
    expect(c.send({ type: 'terminal.attach', id: 'x' })).toBe(false);
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sent).toEqual([{ type: 'subscribe', topics: ['topology', 'metrics', 'logs'] }]);
  });

  it('subscribes to a topic once however many views want it, and unsubscribes when the last one leaves', () => {
    const c = client();
    c.start();
    const ws = FakeWebSocket.last;
    ws.accept();
    const offA = c.subscribe(['logs', 'events']);
    const offB = c.subscribe(['logs']);
    offA();
    offA();
    offB();
    expect(ws.sent).toEqual([
      { type: 'subscribe', topics: ['logs', 'events'] },
      { type: 'unsubscribe', topics: ['events'] },
      { type: 'unsubscribe', topics: ['logs'] },
    ]);
  });

  it('re-subscribes on every reconnection, then calls onOpen listeners (which re-fetch what they missed)', () => {
    const c = client();
    const seenAtOpen: unknown[][] = [];
    c.onOpen(() => seenAtOpen.push([...FakeWebSocket.last.sent]));
    c.subscribe(['requests']);
    const offTerminals = c.subscribe(['terminals']);
    c.start();
    FakeWebSocket.last.accept();
    FakeWebSocket.last.drop();
    offTerminals(); // while disconnected: nothing to send now, and not re-sent later
    vi.advanceTimersByTime(125);
    const second = FakeWebSocket.last;
    second.accept();
    expect(seenAtOpen).toEqual([
      [{ type: 'subscribe', topics: ['requests', 'terminals'] }],
      [{ type: 'subscribe', topics: ['requests'] }],
    ]);
    expect(second.sent).toEqual([{ type: 'subscribe', topics: ['requests'] }]);
  });

  it('sends nothing on reconnection when no topic is wanted, but still calls onOpen', () => {
    const c = client();
    const opened = vi.fn();
    const off = c.onOpen(opened);
    c.start();
    FakeWebSocket.last.accept();
    expect(FakeWebSocket.last.sent).toEqual([]);
    expect(opened).toHaveBeenCalledTimes(1);
    off();
    FakeWebSocket.last.drop();
    vi.advanceTimersByTime(125);
    FakeWebSocket.last.accept();
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('send writes JSON while open and reports false when it could not', () => {
    const c = client();
    c.start();
    FakeWebSocket.last.accept();
    expect(c.send({ type: 'terminal.input', id: 't1', data: 'ls\r' })).toBe(true);
    expect(FakeWebSocket.last.sent).toEqual([{ type: 'terminal.input', id: 't1', data: 'ls\r' }]);
    FakeWebSocket.last.drop();
    expect(c.send({ type: 'terminal.input', id: 't1', data: 'x' })).toBe(false);
  });
});

describe('StreamClient messages', () => {
  function open(): { c: InstanceType<typeof StreamClient>; ws: FakeWebSocket } {
    const c = client();
    c.start();
    const ws = FakeWebSocket.last;
    ws.accept();
    return { c, ws };
  }

  it('dispatches each message of a batch by type, in order', () => {
    const { c, ws } = open();
    const got: ServerMessage[] = [];
    c.on('logs', (m: ServerMessage) => got.push(m));
    c.on('terminal.output', (m: ServerMessage) => got.push(m));
    const messages = [
      { type: 'logs', records: [logRecord] },
      { type: 'hello', version: 1 },
      { type: 'terminal.output', id: 't1', data: 'x' },
      { type: 'logs', records: [] },
    ];
    ws.deliver(batch(...messages));
    expect(got).toEqual([messages[0], messages[2], messages[3]]);
  });

  it('drops only the bad messages of a batch and keeps the rest', () => {
    const { c, ws } = open();
    const got: ServerMessage[] = [];
    c.on('logs', (m: ServerMessage) => got.push(m));
    ws.deliver(
      batch(
        { type: 'logs', records: [{ ...logRecord, stream: 'stdwhat' }] },
        { type: 'logs', records: [logRecord] },
        { type: 'no.such.type' },
        null,
        'logs',
        { type: 'logs' },
        { type: 'logs', records: [{ ...logRecord, seq: 2 }] },
      ),
    );
    expect(got.map((m) => (m.type === 'logs' ? m.records.map((r) => r.seq) : null))).toEqual([[1], [2]]);
    expect(warn).toHaveBeenCalledTimes(5);
  });

  it('ignores frames that are not JSON or not a batch, without closing the socket', () => {
    const { c, ws } = open();
    const handler = vi.fn();
    c.on('hello', handler);
    ws.deliver('not json');
    ws.deliver(JSON.stringify({ type: 'hello', version: 1 }));
    ws.deliver(JSON.stringify({ type: 'batch', messages: 'nope' }));
    ws.deliver(JSON.stringify(null));
    ws.deliver(new ArrayBuffer(4));
    expect(handler).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(4);
    ws.deliver(batch({ type: 'hello', version: 1 }));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(ws.closedWith).toBeNull();
  });

  it('keeps dispatching when a handler throws', () => {
    const { c, ws } = open();
    const after = vi.fn();
    const second = vi.fn();
    c.on('event', () => {
      throw new Error('view bug');
    });
    c.on('event', second);
    c.on('terminals', after);
    ws.deliver(batch({ type: 'event', event: { time: 1, kind: 'serving', message: 'up' } }, { type: 'terminals', terminals: [] }));
    expect(second).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalledTimes(1);
  });

  it('stops calling a handler once it is removed', () => {
    const { c, ws } = open();
    const handler = vi.fn();
    const off = c.on('hello', handler);
    ws.deliver(batch({ type: 'hello', version: 1 }));
    off();
    ws.deliver(batch({ type: 'hello', version: 1 }));
    expect(handler).toHaveBeenCalledTimes(1);
  });
});
