// A live feed whose history comes over HTTP (logs, requests): on attach, and again after every reconnect,
// fetch what was missed while live records that arrive meanwhile are held; then hand over the backlog
// followed by the held records, so nothing is lost or reordered across the seam.

export interface FeedSource<T> {
  /** Live records from the stream; returns the unsubscribe. */
  readonly listen: (handler: (records: readonly T[]) => void) => () => void;
  /** Subscribe to the stream topic; returns the unsubscribe. */
  readonly subscribe: () => () => void;
  /** Called each time the stream (re)connects; returns the unsubscribe. */
  readonly onOpen: (handler: () => void) => () => void;
  /** What was missed, fetched over HTTP. */
  readonly load: (signal: AbortSignal) => Promise<readonly T[]>;
  readonly receive: (records: readonly T[]) => void;
  readonly setLoading: (loading: boolean) => void;
  /** The load's failure, or null once a load succeeded. */
  readonly setError: (error: unknown) => void;
}

/** Starts the feed; returns its teardown. */
export function attachBackfilledFeed<T>(source: FeedSource<T>): () => void {
  let pending: T[] | null = null;
  let ctrl = new AbortController();
  const fill = (): void => {
    ctrl.abort();
    ctrl = new AbortController();
    const signal = ctrl.signal;
    pending = [];
    source.setLoading(true);
    source
      .load(signal)
      .then((records) => {
        source.setError(null);
        source.receive(records);
      })
      .catch((err: unknown) => {
        if (!signal.aborted) source.setError(err);
      })
      .finally(() => {
        if (signal.aborted) return;
        const live = pending ?? [];
        pending = null;
        source.receive(live);
        source.setLoading(false);
      });
  };
  const offs = [
    source.listen((records) => {
      if (pending) for (const r of records) pending.push(r);
      else source.receive(records);
    }),
    source.subscribe(),
    source.onOpen(fill),
  ];
  fill();
  return () => {
    ctrl.abort();
    pending = null;
    source.setLoading(false);
    for (const off of offs) off();
  };
}
