// Node announces its inspector on stderr: `Debugger listening on ws://127.0.0.1:<port>/<uuid>`, or
// `Starting inspector on <host>:<port> failed: <reason>`. Where the hook cannot ask the worker (it is absent,
// or the process was started with --inspect-brk and waits before any of our code runs), this is how the
// runtime learns the URL.
import type { Readable } from 'node:stream';

const LISTENING = /Debugger listening on (ws:\/\/\S+)/;
const FAILED = /Starting inspector on (\S+) failed: ([^\r\n]+)/;

export type InspectorAnnouncement = { readonly url: string } | { readonly failed: string };

/** Reads one announcement from text (a stderr chunk or several); undefined when there is none. */
export function parseAnnouncement(text: string): InspectorAnnouncement | undefined {
  const ok = LISTENING.exec(text);
  if (ok) return { url: ok[1] as string };
  const bad = FAILED.exec(text);
  if (bad) return { failed: `${bad[1]}: ${bad[2]}` };
  return undefined;
}

/** Waits for the next announcement on a stderr stream (the stream keeps flowing to its other readers). */
export function nextAnnouncement(stderr: Readable, timeoutMs: number): Promise<InspectorAnnouncement> {
  return new Promise((resolve) => {
    let text = '';
    const done = (a: InspectorAnnouncement): void => {
      clearTimeout(timer);
      stderr.off('data', onData);
      stderr.off('close', onClose);
      resolve(a);
    };
    const onData = (chunk: Buffer | string): void => {
      text = (text + chunk.toString()).slice(-4096);
      const a = parseAnnouncement(text);
      if (a) done(a);
    };
    const onClose = (): void => done({ failed: 'the worker exited' });
    const timer = setTimeout(() => done({ failed: `no "Debugger listening" line on stderr within ${timeoutMs} ms` }), timeoutMs);
    stderr.on('data', onData);
    stderr.on('close', onClose);
  });
}

/** The port of a ws://127.0.0.1:<port>/<id> inspector URL. */
export function portOf(url: string): number {
  return Number(new URL(url).port);
}
