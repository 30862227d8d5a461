// What the fabric runs, from the project folder: `cloudbench.json` (ours, with a JSON Schema in
// resources/cloudbench.schema.json) and Azure's classic `ServiceConfiguration.<env>.cscfg` files (instance
// count and settings of the role, per environment). Errors name file, line and column.
//
//   { "instances": 2, "balancer": "round-robin",
//     "environments": { "test": { "instances": 1, "settings": { "K": "v" },
//                                 "slotSettings": { "production": { "K": "p" }, "staging": { "K": "s" } },
//                                 "ports": { "production": 8081, "staging": 8082 } } },
//     "swap": { "warmupPath": "/", "warmupStatuses": [200] } }

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseTree, findNodeAtLocation, getNodeValue, printParseErrorCode } from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';
import { cbError } from '../shared/errors.js';
import { BALANCER_POLICIES } from '../hosting/load-balancer.js';
import type { BalancerPolicy } from '../hosting/load-balancer.js';
import type { HealthProbeSettings } from '../hosting/health-probe.js';
import { attr, childrenNamed, findPath, parseXml } from '../project/xml.js';
import type { XmlElement } from '../project/xml.js';

export const SLOTS = ['production', 'staging'] as const;
export type SlotName = (typeof SLOTS)[number];

export interface EnvironmentConfig {
  readonly name: string;
  readonly instances: number;
  /** Settings every slot of the environment gets (environment variables of the workers). */
  readonly settings: Readonly<Record<string, string>>;
  /** Slot-sticky settings: they stay with the slot when deployments swap. */
  readonly slotSettings: Readonly<Record<SlotName, Readonly<Record<string, string>>>>;
  /** Fixed VIP ports per slot (stable URLs across restarts); a slot without one gets a free port. */
  readonly ports: Readonly<Partial<Record<SlotName, number>>>;
}

export interface FabricConfig {
  /** Instances of the local environment (the live folder). */
  readonly instances: number;
  readonly balancer: BalancerPolicy;
  readonly environments: readonly EnvironmentConfig[];
  readonly warmupPath: string;
  readonly warmupStatuses: readonly number[];
  /** Background scripts (queue consumers…) that run beside the web role in every slot, with no VIP. */
  readonly workerRoles: ReadonlyArray<{ readonly name: string; readonly script: string; readonly instances: number }>;
  /** The balancer's health probe of every instance (all environments), or none. */
  readonly healthProbe: HealthProbeSettings | undefined;
  /** Which files it came from, for the UI. */
  readonly sources: readonly string[];
  /** The web role's name (`<WebRole name>` in ServiceDefinition.csdef; WebRole without one), for RoleEnvironment. */
  readonly webRole: string;
  /** The local environment's settings (ServiceConfiguration.Local.cscfg's web role): the live folder's workers get them. */
  readonly localSettings: Readonly<Record<string, string>>;
  /**
   * The worker roles' own settings, by environment ('local' too) and role: each cscfg `<Role>` named like a
   * csdef `<WorkerRole>`. RoleEnvironment in a worker role answers these; a role the file does not list gets the web role's.
   */
  readonly workerRoleSettings: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, string>>>>>>;
}

const DEFAULT_WARMUP_STATUSES = [200, 201, 202, 204, 301, 302, 304, 307, 308, 401, 403, 404];

export function loadFabricConfig(folder: string): FabricConfig {
  const sources: string[] = [];
  const envs = new Map<string, { instances?: number; settings: Record<string, string>; slotSettings: Record<SlotName, Record<string, string>>; ports: Partial<Record<SlotName, number>> }>();
  const env = (name: string) => {
    let e = envs.get(name);
    if (!e) envs.set(name, (e = { settings: {}, slotSettings: { production: {}, staging: {} }, ports: {} }));
    return e;
  };
  let localInstances: number | undefined;
  let localSettings: Record<string, string> = {};
  const workerRoleSettings: Record<string, Record<string, Record<string, string>>> = {};
  let webRole = 'WebRole';
  let balancer: BalancerPolicy = 'round-robin';
  let warmupPath = '/';
  let warmupStatuses = DEFAULT_WARMUP_STATUSES;
  const workerRoles = new Map<string, { name: string; script: string; instances: number }>();
  let healthProbe: HealthProbeSettings | undefined;

  // ServiceDefinition.csdef: a <WorkerRole> whose entry point runs `node <script>` is a worker role.
  const csdef = safeList(folder).find((f) => /^ServiceDefinition\.csdef$/i.test(f));
  if (csdef !== undefined) {
    const full = path.join(folder, csdef);
    sources.push(csdef);
    const root = parseXml(readFileSync(full, 'utf8'), full);
    // <LoadBalancerProbes><LoadBalancerProbe protocol="http" path="/probe" intervalInSeconds="15" timeoutInSeconds="31"/>:
    // Azure probes every interval and takes an instance out when no probe succeeded for timeoutInSeconds.
    const probe = childrenNamed(findPath(root, 'LoadBalancerProbes'), 'LoadBalancerProbe')[0];
    if (probe !== undefined) {
      const bad = (problem: string): never => {
        throw cbError('CB_ERR_FABRIC_CONFIG', { file: full, line: probe.line, column: probe.column, problem });
      };
      const protocol = (attr(probe, 'protocol') ?? 'http').toLowerCase();
      if (protocol !== 'http' && protocol !== 'tcp') bad(`<LoadBalancerProbe protocol="${protocol}"> must be http or tcp`);
      const probePath = attr(probe, 'path') ?? '/';
      if (protocol === 'http' && !probePath.startsWith('/')) bad(`<LoadBalancerProbe path="${probePath}"> must start with /`);
      const seconds = (name: string, fallback: number): number => {
        const text = attr(probe, name);
        const n = text === undefined ? fallback : Number(text);
        if (!Number.isInteger(n) || n < 1 || n > 3600) bad(`<LoadBalancerProbe ${name}="${text ?? ''}"> must be a whole number of seconds from 1 to 3600`);
        return n;
      };
      const interval = seconds('intervalInSeconds', 15);
      const timeout = seconds('timeoutInSeconds', 31);
      healthProbe = { protocol: protocol as 'http' | 'tcp', path: probePath, intervalMs: interval * 1000, timeoutMs: interval * 1000, failures: Math.max(1, Math.floor(timeout / interval)) };
    }
    const webRoleElement = childrenNamed(root, 'WebRole')[0];
    webRole = (webRoleElement && attr(webRoleElement, 'name')) ?? webRole;
    for (const role of childrenNamed(root, 'WorkerRole')) {
      const entry = findPath(role, 'Runtime', 'EntryPoint', 'ProgramEntryPoint');
      const commandLine = entry === undefined ? '' : (attr(entry, 'commandLine') ?? '');
      const script = /([^\s"']+\.(?:c|m)?js)\b/.exec(commandLine)?.[1];
      if (script === undefined) {
        throw cbError('CB_ERR_FABRIC_CONFIG', { file: full, line: (entry ?? role).line, column: (entry ?? role).column, problem: `worker role "${attr(role, 'name') ?? ''}" needs <Runtime><EntryPoint><ProgramEntryPoint commandLine="node worker.js"/> naming its script` });
      }
      const name = attr(role, 'name') ?? 'WorkerRole';
      workerRoles.set(name, { name, script: script.replace(/^\.[\\/]/, '').replace(/\\/g, '/'), instances: 1 });
    }
  }

  // Azure's classic service model: ServiceConfiguration.Local.cscfg is the local environment; every other
  // ServiceConfiguration.<Name>.cscfg is an environment called <name>. A cscfg lists every role of the service;
  // which <Role> is the web role's is decided once cloudbench.json's worker roles are known too (below).
  const cscfgRoles = new Map<string, { file: string; roles: Array<{ name: string | undefined; element: XmlElement; settings: Record<string, string> }> }>();
  for (const file of safeList(folder).filter((f) => /^ServiceConfiguration\.[^.]+\.cscfg$/i.test(f)).sort()) {
    const full = path.join(folder, file);
    sources.push(file);
    const name = (/^ServiceConfiguration\.([^.]+)\.cscfg$/i.exec(file)?.[1] as string).toLowerCase();
    const other = cscfgRoles.get(name);
    if (other) throw cbError('CB_ERR_FABRIC_CONFIG', { file: full, line: 1, column: 1, problem: `${path.basename(other.file)} configures the ${name} environment too; keep one of the two files` });
    if (name !== 'local') env(name); // environments keep the order of their files (one without a web role goes below)
    const root = parseXml(readFileSync(full, 'utf8'), full);
    const roles = childrenNamed(root, 'Role').map((role) => {
      const settings: Record<string, string> = {};
      for (const setting of childrenNamed(findPath(role, 'ConfigurationSettings'), 'Setting')) {
        const settingName = attr(setting, 'name');
        if (settingName) settings[settingName] = attr(setting, 'value') ?? '';
      }
      return { name: attr(role, 'name'), element: role, settings };
    });
    cscfgRoles.set(name, { file: full, roles });
  }
  const jsonEnvironments = new Set<string>();

  const jsonFile = path.join(folder, 'cloudbench.json');
  if (existsSync(jsonFile)) {
    sources.push('cloudbench.json');
    const text = readFileSync(jsonFile, 'utf8');
    const errors: ParseError[] = [];
    const tree = parseTree(text, errors, { allowTrailingComma: true });
    const at = (offset: number) => lineColumn(text, offset);
    const fail = (node: Node | undefined, problem: string): never => {
      const p = at(node?.offset ?? 0);
      throw cbError('CB_ERR_FABRIC_CONFIG', { file: jsonFile, line: p.line, column: p.column, problem });
    };
    if (errors.length > 0 || tree === undefined) {
      const e = errors[0];
      const p = at(e?.offset ?? 0);
      throw cbError('CB_ERR_FABRIC_CONFIG', { file: jsonFile, line: p.line, column: p.column, problem: e ? `malformed JSON (${printParseErrorCode(e.error)})` : 'empty file' });
    }
    if (tree.type !== 'object') fail(tree, 'the file must hold one JSON object');
    const known = new Set(['$schema', 'instances', 'balancer', 'environments', 'swap', 'workerRoles', 'healthProbe']);
    for (const prop of tree.children ?? []) {
      const key = prop.children?.[0]?.value as string;
      if (!known.has(key)) fail(prop, `unknown key "${key}"; expected one of ${[...known].join(', ')}`);
    }
    const count = (node: Node | undefined, where: string): number | undefined => {
      if (node === undefined) return undefined;
      const v = getNodeValue(node) as unknown;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 64) fail(node, `${where} must be a whole number from 1 to 64; got ${JSON.stringify(v)}`);
      return v as number;
    };
    const strings = (node: Node | undefined, where: string): Record<string, string> => {
      if (node === undefined) return {};
      if (node.type !== 'object') fail(node, `${where} must be an object of name: "value" strings`);
      const out: Record<string, string> = {};
      for (const prop of node.children ?? []) {
        const [k, v] = prop.children ?? [];
        if (v?.type !== 'string') fail(v ?? prop, `${where}.${String(k?.value)} must be a string`);
        out[String(k?.value)] = String(v?.value);
      }
      return out;
    };
    localInstances = count(findNodeAtLocation(tree, ['instances']), 'instances') ?? localInstances;
    const b = findNodeAtLocation(tree, ['balancer']);
    if (b !== undefined) {
      if (!BALANCER_POLICIES.includes(b.value as BalancerPolicy)) fail(b, `balancer must be one of ${BALANCER_POLICIES.join(', ')}; got ${JSON.stringify(b.value)}`);
      balancer = b.value as BalancerPolicy;
    }
    const envNode = findNodeAtLocation(tree, ['environments']);
    const usedPorts = new Map<number, string>();
    if (envNode !== undefined && envNode.type !== 'object') fail(envNode, 'environments must be an object keyed by environment name');
    for (const prop of envNode?.children ?? []) {
      const [k, v] = prop.children ?? [];
      const name = String(k?.value);
      if (!/^[a-z][a-z0-9-]{0,31}$/.test(name) || name === 'local') fail(k, `environment name "${name}" must be lower-case letters, digits and dashes (and not "local", which is the live folder)`);
      if (v?.type !== 'object') fail(v ?? prop, `environments.${name} must be an object`);
      for (const p of v?.children ?? []) {
        const key = p.children?.[0]?.value as string;
        if (!['instances', 'settings', 'slotSettings', 'ports'].includes(key)) fail(p, `unknown key "${key}" in environments.${name}; expected instances, settings, slotSettings, ports`);
      }
      jsonEnvironments.add(name);
      const e = env(name);
      e.instances = count(findNodeAtLocation(v as Node, ['instances']), `environments.${name}.instances`) ?? e.instances;
      Object.assign(e.settings, strings(findNodeAtLocation(v as Node, ['settings']), `environments.${name}.settings`));
      for (const slot of SLOTS) Object.assign(e.slotSettings[slot], strings(findNodeAtLocation(v as Node, ['slotSettings', slot]), `environments.${name}.slotSettings.${slot}`));
      const portsNode = findNodeAtLocation(v as Node, ['ports']);
      if (portsNode !== undefined && portsNode.type !== 'object') fail(portsNode, `environments.${name}.ports must be an object: { "production": 8081, "staging": 8082 }`);
      for (const p of portsNode?.children ?? []) {
        const [pk, pv] = p.children ?? [];
        const slot = String(pk?.value);
        if (!(SLOTS as readonly string[]).includes(slot)) fail(pk ?? p, `unknown slot "${slot}" in environments.${name}.ports; expected production, staging`);
        const port = getNodeValue(pv as Node) as unknown;
        const where = `environments.${name}.ports.${slot}`;
        if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) fail(pv ?? p, `${where} must be a port number from 1 to 65535; got ${JSON.stringify(port)}`);
        const other = usedPorts.get(port as number);
        if (other !== undefined) fail(pv, `${where} is ${String(port)}, which ${other} already uses`);
        usedPorts.set(port as number, where);
        e.ports[slot as SlotName] = port as number;
      }
    }
    const wr = findNodeAtLocation(tree, ['workerRoles']);
    if (wr !== undefined && wr.type !== 'object') fail(wr, 'workerRoles must be an object keyed by role name');
    for (const prop of wr?.children ?? []) {
      const [k, v] = prop.children ?? [];
      const name = String(k?.value);
      const script = v === undefined ? undefined : findNodeAtLocation(v, ['script']);
      if (v?.type !== 'object' || script?.type !== 'string' || !existsSync(path.resolve(folder, String(script.value)))) {
        fail(script ?? v ?? prop, `workerRoles.${name}.script must name a script file in the project (got ${JSON.stringify(script?.value)})`);
      }
      const instances = count(findNodeAtLocation(v as Node, ['instances']), `workerRoles.${name}.instances`) ?? 1;
      workerRoles.set(name, { name, script: String(script?.value), instances });
    }
    const hp = findNodeAtLocation(tree, ['healthProbe']);
    if (hp !== undefined) {
      if (hp.type !== 'object') fail(hp, 'healthProbe must be an object: { "path": "/health", "intervalSeconds": 5, "failures": 2 }');
      for (const p of hp.children ?? []) {
        const key = p.children?.[0]?.value as string;
        if (!['protocol', 'path', 'intervalSeconds', 'timeoutSeconds', 'failures'].includes(key)) fail(p, `unknown key "${key}" in healthProbe; expected protocol, path, intervalSeconds, timeoutSeconds, failures`);
      }
      const protocolNode = findNodeAtLocation(hp, ['protocol']);
      const protocol = protocolNode === undefined ? 'http' : protocolNode.value;
      if (protocol !== 'http' && protocol !== 'tcp') fail(protocolNode, `healthProbe.protocol must be "http" or "tcp"; got ${JSON.stringify(protocol)}`);
      const pathNode = findNodeAtLocation(hp, ['path']);
      if (protocol === 'http' && (pathNode === undefined || typeof pathNode.value !== 'string' || !String(pathNode.value).startsWith('/'))) fail(pathNode ?? hp, 'healthProbe.path must be a path starting with / (what the probe requests)');
      const whole = (name: string, min: number, max: number, fallback: number): number => {
        const node = findNodeAtLocation(hp, [name]);
        if (node === undefined) return fallback;
        const v = getNodeValue(node) as unknown;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail(node, `healthProbe.${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(v)}`);
        return v as number;
      };
      const interval = whole('intervalSeconds', 1, 3600, 5);
      healthProbe = {
        protocol: protocol as 'http' | 'tcp',
        path: pathNode === undefined ? '/' : String(pathNode.value),
        intervalMs: interval * 1000,
        timeoutMs: whole('timeoutSeconds', 1, 3600, Math.min(interval, 5)) * 1000,
        failures: whole('failures', 1, 10, 2),
      };
    }
    const wp = findNodeAtLocation(tree, ['swap', 'warmupPath']);
    if (wp !== undefined) {
      if (typeof wp.value !== 'string' || !wp.value.startsWith('/')) fail(wp, 'swap.warmupPath must be a path starting with /');
      warmupPath = wp.value as string;
    }
    const ws = findNodeAtLocation(tree, ['swap', 'warmupStatuses']);
    if (ws !== undefined) {
      const v = getNodeValue(ws) as unknown;
      if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || x < 100 || x > 599)) fail(ws, 'swap.warmupStatuses must be an array of HTTP statuses');
      warmupStatuses = v as number[];
    }
  }

  // The web role's <Role> of each cscfg: the one named as in the csdef, or else the first that is not a worker role
  // (csdef or cloudbench.json). It sets the environment's instances and settings, under cloudbench.json's; a worker
  // role's own <Role> gives its RoleEnvironment settings, also under cloudbench.json's settings for the environment.
  for (const [name, { file, roles }] of cscfgRoles) {
    const web = roles.find((r) => r.name === webRole) ?? roles.find((r) => r.name === undefined || !workerRoles.has(r.name));
    const jsonSettings = name === 'local' || !envs.has(name) ? {} : { ...env(name).settings };
    for (const r of roles) {
      if (r !== web && r.name !== undefined && workerRoles.has(r.name)) (workerRoleSettings[name] ??= {})[r.name] = { ...r.settings, ...jsonSettings };
    }
    if (!web) {
      // No web role here: not an environment of its own, unless cloudbench.json makes it one.
      if (!jsonEnvironments.has(name)) envs.delete(name);
      continue;
    }
    const count = findPath(web.element, 'Instances');
    const n = count === undefined ? undefined : Number(attr(count, 'count'));
    if (count !== undefined && (!Number.isInteger(n) || (n as number) < 1)) {
      throw cbError('CB_ERR_FABRIC_CONFIG', { file, line: count.line, column: count.column, problem: `<Instances count="${attr(count, 'count') ?? ''}"> must be a whole number of at least 1` });
    }
    if (name === 'local') {
      localInstances ??= n;
      localSettings = web.settings;
    } else {
      const e = env(name);
      e.instances ??= n;
      e.settings = { ...web.settings, ...jsonSettings };
    }
  }

  // Without any configuration there is still one environment to deploy to and swap in.
  if (envs.size === 0) env('test');
  return {
    instances: localInstances ?? 1,
    balancer,
    environments: [...envs].map(([name, e]) => ({ name, instances: e.instances ?? 1, settings: e.settings, slotSettings: e.slotSettings, ports: e.ports })),
    warmupPath,
    warmupStatuses,
    workerRoles: [...workerRoles.values()],
    healthProbe,
    sources,
    webRole,
    localSettings,
    workerRoleSettings,
  };
}

function safeList(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: offset - last };
}
