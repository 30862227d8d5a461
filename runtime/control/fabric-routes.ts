// The control API's fabric routes: state, deploy, swap (with preview), scale, promote, balancer policy and
// instance kill. `local` is the live folder's site; other environments are the fabric's.
import type { z } from 'zod';
import { cbError } from '../shared/errors.js';
import { LoadGenerator } from '../fabric/load-generator.js';
import type { LoadStartSchema, BalancerSchema, DeploySchema, FabricState, KillInstanceSchema, PromoteSchema, RouteName, ScaleSchema, SwapSchema } from '../shared/protocol.js';
import type { SiteHost } from '../hosting/site-host.js';
import type { Workbench } from './workbench.js';

type Handler = (ctx: { params: Record<string, string>; body: unknown; query: unknown }) => Promise<unknown> | unknown;

/** Each worker role the site runs, with its instances' names. */
function workerRoles(site: SiteHost | undefined): FabricState['environments'][number]['slots'][number]['workerRoles'] {
  return (site?.options.workerRoles ?? []).map((r) => ({ name: r.name, instances: site!.workerRole(r.name).map((i) => i.name) }));
}

export function fabricState(workbench: Workbench): FabricState {
  const site = workbench.site;
  const fabric = workbench.fabric;
  const slotSite = (env: string, slot: 'production' | 'staging', running: boolean) => (running ? fabric!.site(env, slot) : undefined);
  return {
    sources: workbench.fabricConfig?.sources.slice() ?? [],
    local: site ? { url: site.url, instances: site.roleInstances.map((r) => r.name), balancer: site.balancer.policy, workerRoles: workerRoles(site) } : null,
    environments: (fabric?.view() ?? []).map((e) => ({
      ...e,
      slots: e.slots.map((s) => {
        const running = slotSite(e.name, s.name, s.instances.length > 0);
        return { ...s, deployment: s.deployment ? { ...s.deployment } : null, balancer: running ? running.balancer.policy : null, workerRoles: workerRoles(running) };
      }),
    })),
    history: (fabric?.history ?? []).map((h) => ({ ...h, steps: h.steps.map((s) => ({ ...s })) })),
  };
}

export function fabricHandlers(workbench: Workbench): Record<Extract<RouteName, `fabric${string}`>, Handler> {
  const fabric = () => {
    const f = workbench.fabric;
    if (!f) throw cbError('CB_ERR_CONTROL_NO_PROJECT');
    return f;
  };
  const siteOf = (environment: string, slot: 'production' | 'staging' | undefined): SiteHost =>
    environment === 'local' ? workbench.requireSite() : fabric().site(environment, slot ?? 'production');
  const state = () => fabricState(workbench);
  const load = new LoadGenerator();
  let unsubscribe = (): void => {};
  const loadState = () => ({ running: load.running, settings: load.settings ? { ...load.settings } : null, samples: load.samples.map((s) => ({ ...s, byInstance: { ...s.byInstance } })) });
  return {
    fabricLoad: loadState,
    fabricLoadStart: ({ body }) => {
      const b = body as z.infer<typeof LoadStartSchema>;
      const site = siteOf(b.environment, b.slot);
      const base = b.environment === 'local' ? site.url : fabric().view().find((e) => e.name === b.environment)?.slots.find((s) => s.name === (b.slot ?? 'production'))?.url;
      if (!base) throw cbError('CB_ERR_FABRIC_EMPTY_SLOT', { slot: `${b.environment}/${b.slot ?? 'production'}` });
      unsubscribe();
      unsubscribe = site.subscribeRequests((r) => load.served(r.instance));
      load.start({ url: new URL(b.path, base).href, concurrency: b.concurrency, rate: b.rate, durationSec: b.durationSec });
      return loadState();
    },
    fabricLoadStop: () => {
      load.stop();
      unsubscribe();
      return loadState();
    },
    fabric: state,
    fabricDeploy: async ({ body }) => {
      const b = body as z.infer<typeof DeploySchema>;
      await fabric().deploy(b.environment, b.folder ?? workbench.requireSite().project.folder, b.slot ?? 'staging');
      return state();
    },
    fabricSwap: async ({ body }) => {
      const b = body as z.infer<typeof SwapSchema>;
      const record = await fabric().swap(b.environment, b.action ?? 'swap');
      return { ...record, steps: record.steps.map((s) => ({ ...s })) };
    },
    fabricScale: async ({ body }) => {
      const b = body as z.infer<typeof ScaleSchema>;
      const site = siteOf(b.environment, b.slot);
      await (b.role === undefined ? site.setInstanceCount(b.instances) : site.setWorkerRoleCount(b.role, b.instances));
      workbench.emit('topology');
      return state();
    },
    fabricPromote: async ({ body }) => {
      const b = body as z.infer<typeof PromoteSchema>;
      await fabric().promote(b.from, b.to);
      return state();
    },
    fabricBalancer: ({ body }) => {
      const b = body as z.infer<typeof BalancerSchema>;
      siteOf(b.environment, b.slot).balancer.policy = b.policy;
      return state();
    },
    fabricKillInstance: async ({ body }) => {
      const b = body as z.infer<typeof KillInstanceSchema>;
      await siteOf(b.environment, b.slot).killInstance(b.instance);
      workbench.emit('topology');
      return state();
    },
  };
}
