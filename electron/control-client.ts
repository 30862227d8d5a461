// The main process's own client of the control API (the same HTTP calls the page makes, with the token the
// runtime printed): recent projects for File > Open Recent, open and close a project from the menu, the
// running app's URL. Responses are validated with the shared protocol's schemas.
import { ROUTES } from '../runtime/shared/protocol.js';
import type { RouteName, Topology } from '../runtime/shared/protocol.js';

export interface ControlClient {
  recent(): Promise<string[]>;
  openProject(folder: string): Promise<Topology>;
  closeProject(): Promise<Topology>;
  state(): Promise<Topology>;
}

/** The token from a workbench URL (`http://127.0.0.1:<port>/#token=<token>`). */
export function tokenOf(workbenchUrl: string): string | undefined {
  const hash = new URL(workbenchUrl).hash;
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? undefined;
}

export function createControlClient(workbenchUrl: string, fetchImpl: typeof fetch = fetch): ControlClient {
  const origin = new URL(workbenchUrl).origin;
  const token = tokenOf(workbenchUrl);
  if (token === undefined) throw new Error(`the workbench URL has no token: ${workbenchUrl}`);
  async function call<N extends 'recent' | 'openProject' | 'closeProject' | 'state'>(name: N, body?: unknown): Promise<unknown> {
    const route = ROUTES[name as RouteName];
    const res = await fetchImpl(origin + route.path, {
      method: route.method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const json: unknown = await res.json();
    if (!res.ok) throw new Error(`${route.method} ${route.path}: ${res.status} ${JSON.stringify(json)}`);
    return route.response.parse(json);
  }
  return {
    recent: async () => ((await call('recent')) as { recent: Array<{ folder: string }> }).recent.map((r) => r.folder),
    openProject: async (folder) => (await call('openProject', { folder })) as Topology,
    closeProject: async () => (await call('closeProject')) as Topology,
    state: async () => (await call('state')) as Topology,
  };
}
