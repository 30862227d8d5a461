// The debugger's control API routes (ROUTES debug*): thin translations to the DebugManager, the target
// list shaping and the launch.json writer in runtime/debug.
import { cbError } from '../shared/errors.js';
import type { DebugTarget, RouteName } from '../shared/protocol.js';
import type { SiteHost } from '../hosting/site-host.js';
import type { SiteRouter } from '../hosting/site-router.js';
import type { DebugManager, DebuggableWorker } from '../debug/debug-manager.js';
import { readDebugFile } from '../debug/debug-file.js';
import { attachConfiguration, writeLaunchJson } from '../debug/launch-json.js';
import { fetchNodeVersion, fetchRawList, jsonVersion, shapeJsonList } from '../debug/target-list.js';
import type { Workbench } from './workbench.js';

type DebugRouteName = Extract<RouteName, `debug${string}`>;
type Handler = (ctx: { params: Record<string, string>; body: unknown; query: unknown }) => Promise<unknown> | unknown;

/** Every worker of the open project, in every instance of it. */
export function siteWorkers(site: SiteHost | undefined): DebuggableWorker[] {
  if (!site) return [];
  return site.allInstances.flatMap((r) => r.group.workers.map((worker) => ({ worker, group: r.group, instance: r.name })));
}

/** The site routers of the open project (one per role instance), which answer iisnode's debugger URLs. */
export function siteRouters(site: SiteHost | undefined): SiteRouter[] {
  return site === undefined ? [] : site.roleInstances.map((r) => r.router);
}

export function debugHandlers(workbench: Workbench, manager: DebugManager, controlHost: () => string): Record<DebugRouteName, Handler> {
  const ok = { ok: true as const };
  const worker = (params: Record<string, string>): string => params.worker as string;
  const target = (id: string): DebugTarget => {
    const session = manager.session(id);
    if (!session) throw cbError('CB_ERR_DEBUG_NOT_ATTACHED', { worker: id });
    return session.target();
  };
  return {
    debugTargets: () => ({ targets: manager.targets() }),
    debugAttach: ({ params }) => manager.attach(worker(params)),
    debugDetach: async ({ params }) => (await manager.detach(worker(params)), ok),
    debugStart: ({ params }) => manager.debugFromStart(worker(params)),
    debugResume: async ({ params }) => (await manager.resume(worker(params)), ok),
    debugVsCode: ({ params }) => {
      const t = target(worker(params));
      const name = `Cloudbench: worker #${t.ordinal}${t.instance === 'local' ? '' : ` (${t.instance})`}`;
      const file = writeLaunchJson(workbench.requireSite().project.folder, attachConfiguration(name, t.port));
      return { file, name, port: t.port };
    },
    debugFile: ({ query }) => {
      const url = (query as { url: string }).url;
      return { url, text: readDebugFile(url, workbench.requireSite().project.folder) };
    },
    debugJsonList: async () => {
      const lists = await Promise.all(manager.targets().map(async (t) => shapeJsonList(await fetchRawList(t.port), t, controlHost())));
      return lists.flat();
    },
    debugJsonVersion: async () => {
      const first = manager.targets()[0];
      return jsonVersion(first ? await fetchNodeVersion(first.port) : undefined);
    },
  };
}
