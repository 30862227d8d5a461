// The workbench's place in the URL fragment: `#/<view>?<params>`.

export interface HashRoute {
  view: string;
  params: Record<string, string>;
}

export function formatHashRoute(view: string, params: Readonly<Record<string, string>> = {}): string {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '')).toString();
  return `#/${view}${q ? `?${q}` : ''}`;
}

/** `#/logs?worker=3` → { view: 'logs', params: { worker: '3' } }; anything else → null. */
export function parseHashRoute(hash: string): HashRoute | null {
  const m = /^#\/(\w+)(?:\?(.*))?$/.exec(hash);
  if (!m) return null;
  return { view: m[1] as string, params: Object.fromEntries(new URLSearchParams(m[2] ?? '')) };
}
