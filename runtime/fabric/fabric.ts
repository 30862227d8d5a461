// The fabric: environments (the live `local` one plus those cloudbench.json / .cscfg files name), each with a
// production and a staging slot on VIPs of their own, running immutable deployments with N instances
// behind a load balancer. Deploy goes to staging; swap follows App Service's steps (apply the target's
// slot-sticky settings to the source and start it, wait for every instance, warm each one up, switch the VIPs
// in one step, restart the previous production with the staging settings) and keeps a history; preview stops
// after the warm-up until completed or cancelled; rollback is another swap; promote copies an environment's
// production deployment into another's staging slot.

import { EventEmitter } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { cbError, isCloudbenchError } from '../shared/errors.js';
import type { BalancerPolicy } from '../hosting/load-balancer.js';
import { SiteHost } from '../hosting/site-host.js';
import type { SiteHostOptions } from '../hosting/site-host.js';
import { loadProject } from '../project/load-project.js';
import { createDeployment } from './deployment.js';
import type { Deployment } from './deployment.js';
import type { EnvironmentConfig, FabricConfig, SlotName } from './fabric-config.js';
import { SLOTS } from './fabric-config.js';
import { Vip } from './vip.js';
import { describeProbeChange } from '../hosting/health-probe.js';

export interface SwapStep {
  readonly name: string;
  readonly startedAt: number;
  endedAt?: number;
  ok?: boolean;
  detail?: string;
}

export interface SwapRecord {
  readonly environment: string;
  readonly action: 'swap' | 'preview';
  readonly startedAt: number;
  endedAt?: number;
  /** Deployment ids: what production and staging ran before. */
  readonly before: { production: string | null; staging: string | null };
  result: 'running' | 'previewing' | 'completed' | 'cancelled' | 'failed';
  readonly steps: SwapStep[];
}

interface Slot {
  readonly name: SlotName;
  readonly vip: Vip;
  deployment: Deployment | undefined;
  site: SiteHost | undefined;
}

interface Environment {
  /** Replaced when cloudbench.json / a .cscfg file changes (reconfigure). */
  config: EnvironmentConfig;
  readonly slots: Record<SlotName, Slot>;
  /** A swap with preview waiting for complete or cancel: the source, started with production's settings. */
  pending: { site: SiteHost; record: SwapRecord } | undefined;
  busy: boolean;
}

export interface FabricOptions {
  readonly config: FabricConfig;
  /** Where deployment snapshots are kept. */
  readonly store: string;
  /** Host for the VIPs. @default "127.0.0.1" */
  readonly host?: string;
  /** Options for the sites of every slot (workers, queue, env…); port and listen are the fabric's. */
  readonly site: SiteHostOptions;
}

export interface FabricEvents {
  changed: [];
  event: [message: string];
}

const READY_TIMEOUT_MS = 60_000;
/** How long a site leaving a slot may finish its in-flight requests. */
const DRAIN_MS = 30_000;

export class Fabric extends EventEmitter<FabricEvents> {
  readonly #envs = new Map<string, Environment>();
  readonly history: SwapRecord[] = [];
  /** The configuration in force: options.config, then what each reconfigure() gave. */
  #config: FabricConfig;

  constructor(readonly options: FabricOptions) {
    super();
    this.#config = options.config;
    for (const config of options.config.environments) this.#envs.set(config.name, newEnvironment(config));
  }

  /** Opens every slot's VIP (each on a free port, so staging has its own distinct URL). */
  async start(): Promise<void> {
    try {
      for (const env of this.#envs.values()) await this.#listen(env);
    } catch (err) {
      // A slot that cannot listen (its fixed port is taken) leaves none of the others open.
      for (const env of this.#envs.values()) for (const slot of Object.values(env.slots)) await slot.vip.close();
      throw err;
    }
  }

  async #listen(env: Environment, only?: SlotName): Promise<void> {
    for (const slot of Object.values(env.slots)) {
      if (only !== undefined && slot.name !== only) continue;
      const port = env.config.ports[slot.name] ?? 0;
      try {
        await slot.vip.listen(this.options.host ?? '127.0.0.1', port);
      } catch (err) {
        if (!isCloudbenchError(err) || err.code !== 'CB_ERR_HOSTING_PORT_IN_USE') throw err;
        throw cbError('CB_ERR_FABRIC_PORT_IN_USE', { environment: env.config.name, slot: slot.name, port, suggestion: err.params.suggestion ?? port + 1 }, err);
      }
    }
  }

  /**
   * Applies an edited cloudbench.json / .cscfg while running, as the classic fabric applied a changed
   * service configuration: an environment whose instance count changed scales every running slot (new
   * instances join the balancer when ready; removed ones leave it, then drain); a new environment gets its
   * slots and VIPs; a removed one stops (its deployments stay in the store). Changed settings, balancer,
   * worker roles and swap warm-up apply from the next deploy or swap. Returns what it did, for the event feed.
   */
  async reconfigure(next: FabricConfig): Promise<string[]> {
    const done: string[] = [];
    const previous = this.#config;
    this.#config = next;
    for (const config of next.environments) {
      const env = this.#envs.get(config.name);
      if (!env) {
        const added = newEnvironment(config);
        try {
          await this.#listen(added);
        } catch (err) {
          for (const slot of Object.values(added.slots)) await slot.vip.close();
          done.push(`environment ${config.name} not added: ${isCloudbenchError(err) ? err.message : String(err)}`);
          continue;
        }
        this.#envs.set(config.name, added);
        done.push(`environment ${config.name} added (production ${added.slots.production.vip.url}, staging ${added.slots.staging.vip.url})`);
        continue;
      }
      const before = env.config;
      env.config = config;
      for (const slot of SLOTS) {
        if ((config.ports[slot] ?? 0) === (before.ports[slot] ?? 0)) continue;
        const oldUrl = env.slots[slot].vip.url;
        try {
          // The new listener opens before the old one closes, so the slot is never unreachable.
          await this.#listen(env, slot);
          done.push(`${config.name}/${slot} moved from ${oldUrl} to ${env.slots[slot].vip.url}`);
        } catch (err) {
          env.config = { ...config, ports: { ...config.ports, [slot]: before.ports[slot] } };
          done.push(`${config.name}/${slot} stays at ${oldUrl}: ${isCloudbenchError(err) ? err.message : String(err)}`);
        }
      }
      if (config.instances !== before.instances) {
        const sites = this.#runningSites(env);
        await Promise.all(sites.map((site) => site.setInstanceCount(config.instances)));
        done.push(`${config.name}: ${before.instances} → ${config.instances} instances${sites.length > 0 ? ` in ${sites.length} running slot${sites.length === 1 ? '' : 's'}` : ''}`);
      }
      if (JSON.stringify([before.settings, before.slotSettings, previous.workerRoleSettings[config.name]]) !== JSON.stringify([config.settings, config.slotSettings, next.workerRoleSettings[config.name]])) {
        done.push(`${config.name}: settings changed; they apply from its next deploy or swap`);
      }
    }
    for (const [name, env] of [...this.#envs]) {
      if (next.environments.some((e) => e.name === name)) continue;
      if (env.busy || env.pending) {
        done.push(`environment ${name} is no longer configured but a swap is under way there; it stays until the project is reopened`);
        continue;
      }
      this.#envs.delete(name);
      for (const slot of Object.values(env.slots)) await slot.vip.close();
      await Promise.all(Object.values(env.slots).map((slot) => slot.site?.stop(DRAIN_MS)));
      done.push(`environment ${name} removed (its deployments stay in the store)`);
    }
    if (JSON.stringify(previous.healthProbe) !== JSON.stringify(next.healthProbe)) {
      for (const env of this.#envs.values()) for (const site of this.#runningSites(env)) site.setHealthProbe(next.healthProbe);
      done.push(next.healthProbe === undefined ? 'health probe removed in every environment' : 'health probe applied in every environment');
    }
    if (previous.balancer !== next.balancer || JSON.stringify(previous.workerRoles) !== JSON.stringify(next.workerRoles) || previous.warmupPath !== next.warmupPath || JSON.stringify(previous.warmupStatuses) !== JSON.stringify(next.warmupStatuses)) {
      done.push('balancer, worker roles or swap warm-up changed; deployments use them from their next deploy or swap');
    }
    if (done.length > 0) this.emit('changed');
    return done;
  }

  get environments(): string[] {
    return [...this.#envs.keys()];
  }

  view(): Array<{ name: string; instances: number; pending: boolean; slots: Array<{ name: SlotName; url: string; deployment: Deployment | null; instances: string[]; settings: Record<string, string> }> }> {
    return [...this.#envs.values()].map((env) => ({
      name: env.config.name,
      instances: env.config.instances,
      pending: env.pending !== undefined,
      slots: SLOTS.map((s) => {
        const slot = env.slots[s];
        return { name: s, url: slot.vip.url, deployment: slot.deployment ?? null, instances: slot.site?.roleInstances.map((r) => r.name) ?? [], settings: this.#settingsFor(env, s) };
      }),
    }));
  }

  /** The site a slot runs, for scale / kill / balancer commands. */
  site(environment: string, slot: SlotName): SiteHost {
    const site = this.#env(environment).slots[slot].site;
    if (!site) throw cbError('CB_ERR_FABRIC_EMPTY_SLOT', { slot: `${environment}/${slot}` });
    return site;
  }

  /** Snapshots `folder` and runs it in the environment's staging slot; the previous staging site drains. */
  async deploy(environment: string, folder: string, slot: SlotName = 'staging'): Promise<Deployment> {
    const env = this.#env(environment);
    const deployment = createDeployment(folder, this.options.store);
    await this.#run(env, slot, deployment);
    this.emit('event', `Deployed ${deployment.id} (${path.basename(deployment.source)}) to ${environment}/${slot}`);
    return deployment;
  }

  /** Copies `from`'s production deployment into `to`'s staging slot (an ALM pipeline's promotion). */
  async promote(from: string, to: string): Promise<Deployment> {
    const source = this.#env(from).slots.production.deployment;
    if (!source) throw cbError('CB_ERR_FABRIC_EMPTY_SLOT', { slot: `${from}/production` });
    await this.#run(this.#env(to), 'staging', source);
    this.emit('event', `Promoted ${source.id} from ${from}/production to ${to}/staging`);
    return source;
  }

  async scale(environment: string, slot: SlotName, instances: number): Promise<void> {
    await this.site(environment, slot).setInstanceCount(instances);
    this.emit('changed');
  }

  setBalancer(environment: string, slot: SlotName, policy: BalancerPolicy): void {
    this.site(environment, slot).balancer.policy = policy;
    this.emit('changed');
  }

  /**
   * Swap staging into production. `preview` stops after warming up the source with production's settings;
   * `complete` / `cancel` finish or drop a preview. A failure at any step leaves production as it was.
   */
  async swap(environment: string, action: 'swap' | 'preview' | 'complete' | 'cancel' = 'swap'): Promise<SwapRecord> {
    const env = this.#env(environment);
    if (action === 'complete' || action === 'cancel') return this.#finishPreview(env, action);
    if (env.busy || env.pending) throw cbError('CB_ERR_FABRIC_SWAP', { environment, problem: env.pending ? 'cannot start: a swap with preview waits for complete or cancel' : 'cannot start: another swap is running' });
    const staging = env.slots.staging;
    const production = env.slots.production;
    const record: SwapRecord = { environment, action, startedAt: Date.now(), before: { production: production.deployment?.id ?? null, staging: staging.deployment?.id ?? null }, result: 'running', steps: [] };
    this.history.push(record);
    env.busy = true;
    this.emit('changed');
    try {
      if (!staging.deployment) throw cbError('CB_ERR_FABRIC_SWAP', { environment, problem: 'has nothing to swap: the staging slot is empty' });
      const warm = await this.#step(record, 'apply production settings to the staging deployment and start it', async () => {
        const site = this.#createSite(env, 'production', staging.deployment as Deployment);
        await site.start();
        return site;
      });
      try {
        await this.#step(record, 'wait for every instance to be ready', () => waitReady(warm));
        await this.#step(record, `warm up each instance (GET ${this.#config.warmupPath})`, () => this.#warmUp(warm));
      } catch (err) {
        await warm.stop(0);
        throw err;
      }
      if (action === 'preview') {
        env.pending = { site: warm, record };
        record.result = 'previewing';
        this.emit('event', `Swap preview in ${environment}: staging runs with production's settings; complete or cancel`);
        return record;
      }
      await this.#switch(env, warm, record);
      return record;
    } catch (err) {
      record.result = 'failed';
      record.endedAt = Date.now();
      this.emit('event', `Swap in ${environment} failed: ${isCloudbenchError(err) ? err.message : String(err)}`);
      throw isCloudbenchError(err) && err.code === 'CB_ERR_FABRIC_SWAP' ? err : cbError('CB_ERR_FABRIC_SWAP', { environment, problem: `failed: ${err instanceof Error ? err.message : String(err)}` }, err);
    } finally {
      env.busy = false;
      this.emit('changed');
    }
  }

  async #finishPreview(env: Environment, action: 'complete' | 'cancel'): Promise<SwapRecord> {
    const pending = env.pending;
    if (!pending) throw cbError('CB_ERR_FABRIC_SWAP', { environment: env.config.name, problem: `cannot ${action}: no swap with preview is waiting` });
    env.pending = undefined;
    if (action === 'cancel') {
      await this.#step(pending.record, 'cancel: stop the previewed source', () => pending.site.stop(0));
      pending.record.result = 'cancelled';
      pending.record.endedAt = Date.now();
      this.emit('changed');
      return pending.record;
    }
    env.busy = true;
    try {
      await this.#switch(env, pending.site, pending.record);
      return pending.record;
    } finally {
      env.busy = false;
      this.emit('changed');
    }
  }

  /** Steps 5 and 6: both VIPs change in one synchronous step; then the old production restarts as staging. */
  async #switch(env: Environment, warm: SiteHost, record: SwapRecord): Promise<void> {
    const production = env.slots.production;
    const staging = env.slots.staging;
    const oldProduction = { deployment: production.deployment, site: production.site };
    const oldStagingSite = staging.site;
    await this.#step(record, 'switch the VIP routing', async () => {
      production.vip.target = warm.balancer;
      production.deployment = staging.deployment;
      production.site = warm;
      // Until the old production restarts with the staging settings, staging serves what production did.
      staging.vip.target = oldProduction.site?.balancer;
      staging.deployment = oldProduction.deployment;
      staging.site = oldProduction.site;
    });
    // The old staging site (staging settings) is replaced by `warm`: its in-flight requests finish first.
    void oldStagingSite?.stop(DRAIN_MS);
    await this.#step(record, 'restart the previous production with the staging settings', async () => {
      if (!oldProduction.deployment) return;
      const site = this.#createSite(env, 'staging', oldProduction.deployment);
      await site.start();
      await waitReady(site);
      staging.vip.target = site.balancer;
      staging.site = site;
      void oldProduction.site?.stop(DRAIN_MS);
    });
    record.result = 'completed';
    record.endedAt = Date.now();
    this.emit('event', `Swapped ${env.config.name}: production runs ${production.deployment?.id ?? 'nothing'}, staging runs ${staging.deployment?.id ?? 'nothing'}`);
  }

  async #run(env: Environment, slotName: SlotName, deployment: Deployment): Promise<void> {
    if (env.busy) throw cbError('CB_ERR_FABRIC_SWAP', { environment: env.config.name, problem: 'is busy: wait for the running swap to finish' });
    const slot = env.slots[slotName];
    const site = this.#createSite(env, slotName, deployment);
    await site.start();
    const state = await waitReady(site);
    if (state !== 'running') {
      await site.stop(0);
      throw cbError('CB_ERR_FABRIC_SWAP', { environment: env.config.name, problem: `cannot use the deployment: its instances did not start (${state})` });
    }
    const previous = slot.site;
    slot.vip.target = site.balancer;
    slot.site = site;
    slot.deployment = deployment;
    void previous?.stop(DRAIN_MS);
    this.emit('changed');
  }

  #createSite(env: Environment, slot: SlotName, deployment: Deployment): SiteHost {
    const name = env.config.name;
    const site = new SiteHost(loadProject(deployment.folder, this.options.site.env ?? process.env), {
      ...this.options.site,
      listen: false,
      watch: false,
      instances: env.slots[slot].site?.roleInstances.length ?? env.config.instances,
      instanceName: `${name}-${slot}`,
      balancer: this.#config.balancer,
      workerRoles: this.#config.workerRoles,
      healthProbe: this.#config.healthProbe,
      roleEnvironment: { deploymentId: deployment.id, webRole: this.#config.webRole, settings: this.#settingsFor(env, slot), workerRoleSettings: this.#workerRoleSettingsFor(env, slot) },
      extraEnv: {
        ...this.#settingsFor(env, slot),
        CLOUDBENCH_ENVIRONMENT: name,
        CLOUDBENCH_SLOT: slot,
        CLOUDBENCH_ROLE: 'web',
        CLOUDBENCH_DEPLOYMENT: deployment.id,
        // App Service's own names, for apps that read them.
        WEBSITE_SLOT_NAME: slot === 'production' ? 'Production' : slot,
      },
    });
    site.events.on('probe', (change) => {
      this.emit('event', describeProbeChange(change));
      this.emit('changed');
    });
    return site;
  }

  /** The sites running in an environment: its slots', and a swap preview's. */
  #runningSites(env: Environment): SiteHost[] {
    return [...SLOTS.map((s) => env.slots[s].site), env.pending?.site].filter((s): s is SiteHost => s !== undefined);
  }

  #settingsFor(env: Environment, slot: SlotName): Record<string, string> {
    return { ...env.config.settings, ...env.config.slotSettings[slot] };
  }

  /** Worker roles' own cscfg settings (with cloudbench.json's for the environment), and the slot's on top, as the web role's. */
  #workerRoleSettingsFor(env: Environment, slot: SlotName): Record<string, Record<string, string>> {
    const own = this.#config.workerRoleSettings[env.config.name] ?? {};
    return Object.fromEntries(Object.entries(own).map(([role, settings]) => [role, { ...settings, ...env.config.slotSettings[slot] }]));
  }

  async #warmUp(site: SiteHost): Promise<void> {
    const { warmupPath, warmupStatuses } = this.#config;
    await Promise.all(
      site.roleInstances.map(async (role) => {
        const worker = role.group.routable[0];
        if (!worker) throw new Error(`instance ${role.name} has no ready worker`);
        const status = await ping(worker.address, warmupPath);
        if (!warmupStatuses.includes(status)) throw new Error(`instance ${role.name} answered ${status} to GET ${warmupPath}; accepted: ${warmupStatuses.join(', ')}`);
      }),
    );
  }

  async #step<T>(record: SwapRecord, name: string, work: () => Promise<T>): Promise<T> {
    const step: SwapStep = { name, startedAt: Date.now() };
    record.steps.push(step);
    this.emit('changed');
    try {
      const result = await work();
      step.ok = true;
      return result;
    } catch (err) {
      step.ok = false;
      step.detail = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      step.endedAt = Date.now();
      this.emit('changed');
    }
  }

  #env(name: string): Environment {
    const env = this.#envs.get(name);
    if (!env) throw cbError('CB_ERR_FABRIC_UNKNOWN', { what: 'environment', name, known: this.environments.join(', ') || 'none' });
    return env;
  }

  async close(): Promise<void> {
    const sites = new Set<SiteHost>();
    for (const env of this.#envs.values()) {
      if (env.pending) sites.add(env.pending.site);
      for (const slot of Object.values(env.slots)) {
        if (slot.site) sites.add(slot.site);
        await slot.vip.close();
      }
    }
    await Promise.all([...sites].map((s) => s.stop(1000)));
  }
}

function newEnvironment(config: EnvironmentConfig): Environment {
  const slots = Object.fromEntries(SLOTS.map((name) => [name, { name, vip: new Vip(`${config.name}/${name}`), deployment: undefined, site: undefined }])) as Record<SlotName, Slot>;
  return { config, slots, pending: undefined, busy: false };
}

async function waitReady(site: SiteHost): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const state = await Promise.race([site.whenReady(), new Promise<string>((resolve) => (timer = setTimeout(resolve, READY_TIMEOUT_MS, 'timed out')))]);
  clearTimeout(timer);
  if (state !== 'running') throw new Error(`the instances did not become ready (${state})`);
  return state;
}

/** One warm-up request straight to a worker (App Service warms each instance, not the VIP). */
function ping(address: { kind: 'pipe'; path: string } | { kind: 'tcp'; host: string; port: number }, urlPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...(address.kind === 'pipe' ? { socketPath: address.path } : { host: address.host, port: address.port }), path: urlPath, method: 'GET', headers: { 'user-agent': 'Cloudbench-SwapWarmup' }, timeout: 90_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to the warm-up within 90 s`)));
    req.on('error', reject);
    req.end();
  });
}
