// `cloudbench status | deploy | swap | scale`: commands against the workbench that `cloudbench serve` runs.
// serve records where its control API listens, with its token, in ~/.cloudbench/workbench.json (readable
// by this user only) and removes it when it stops; `--workbench <url#token>` or CLOUDBENCH_WORKBENCH
// points elsewhere.

import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cbError } from '../shared/errors.js';
import type { FabricState, SwapRecordSchema } from '../shared/protocol.js';
import type { z } from 'zod';

function home(): string {
  return process.env.CLOUDBENCH_HOME ?? path.join(os.homedir(), '.cloudbench');
}

const FILE = (): string => path.join(home(), 'workbench.json');

/** Written by serve once its control API listens. */
export function recordWorkbench(url: string): () => void {
  try {
    mkdirSync(home(), { recursive: true });
    writeFileSync(FILE(), `${JSON.stringify({ url, pid: process.pid }, null, 2)}\n`, { mode: 0o600 });
    chmodSync(FILE(), 0o600);
  } catch {
    return () => {};
  }
  return () => {
    try {
      const current = JSON.parse(readFileSync(FILE(), 'utf8')) as { pid?: number };
      if (current.pid === process.pid) rmSync(FILE(), { force: true });
    } catch {
      // Already gone.
    }
  };
}

function workbench(explicit: string | undefined): { origin: string; token: string } {
  let url = explicit ?? process.env.CLOUDBENCH_WORKBENCH;
  if (url === undefined) {
    try {
      url = (JSON.parse(readFileSync(FILE(), 'utf8')) as { url: string }).url;
    } catch {
      throw cbError('CB_ERR_FABRIC_NO_WORKBENCH', { detail: `no ${FILE()}` });
    }
  }
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token');
  if (!token) throw cbError('CB_ERR_FABRIC_NO_WORKBENCH', { detail: `${url} has no #token=…` });
  return { origin: parsed.origin, token };
}

async function call<T>(wb: { origin: string; token: string }, method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${wb.origin}${route}`, {
      method,
      headers: { authorization: `Bearer ${wb.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw cbError('CB_ERR_FABRIC_NO_WORKBENCH', { detail: `${wb.origin} does not answer: ${err instanceof Error ? err.message : String(err)}` });
  }
  const data = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; fix: string } } & T;
  if (!res.ok) {
    const e = data.error;
    throw Object.assign(new Error(e ? `${e.code}: ${e.message}\n  ${e.fix}` : `HTTP ${res.status}`), { printed: true });
  }
  return data;
}

const OPTIONS = {
  workbench: { type: 'string' },
  preview: { type: 'boolean' },
  complete: { type: 'boolean' },
  cancel: { type: 'boolean' },
  role: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const FABRIC_HELP = `
Fabric commands (against a running \`cloudbench serve\`):
  status                              Environments, slots, deployments, instances and the last swaps.
  deploy <environment> [folder]       Snapshot the folder (default: the open project) to the staging slot.
  swap <environment> [--preview | --complete | --cancel]
                                      Swap staging into production (again to roll back).
  scale <environment> [slot] <n> [--role <name>]
                                      Set the instance count (environment "local" = the live folder);
                                      with --role, of that worker role.
  kill <environment> [slot] <instance>
                                      Fail an instance as a VM would: the fabric replaces it, and the
                                      balancer routes around it meanwhile.
  promote <from> <to>                 Copy <from>'s production deployment into <to>'s staging slot.
  Option: --workbench <url#token>     Which workbench (default: the one recorded in ~/.cloudbench/workbench.json).
`;

export async function fabricCommand(command: string, rest: string[], say: (text: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw cbError('CB_ERR_CLI_USAGE', { detail: (err as Error).message });
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(FABRIC_HELP);
    return 0;
  }
  const wb = workbench(values.workbench);
  const usage = (text: string): never => {
    throw cbError('CB_ERR_CLI_USAGE', { detail: text });
  };
  switch (command) {
    case 'status': {
      printState(await call<FabricState>(wb, 'GET', '/api/fabric'), say);
      return 0;
    }
    case 'deploy': {
      const [environment, folder] = positionals;
      if (!environment) usage('deploy needs an environment: cloudbench deploy <environment> [folder]');
      const state = await call<FabricState>(wb, 'POST', '/api/fabric/deploy', { environment, ...(folder ? { folder: path.resolve(folder) } : {}) });
      const slot = state.environments.find((e) => e.name === environment)?.slots.find((s) => s.name === 'staging');
      say(`deployed ${slot?.deployment?.id ?? '?'} to ${environment}/staging at ${slot?.url ?? '?'}`);
      return 0;
    }
    case 'swap': {
      const [environment] = positionals;
      if (!environment) usage('swap needs an environment: cloudbench swap <environment>');
      const action = values.preview ? 'preview' : values.complete ? 'complete' : values.cancel ? 'cancel' : 'swap';
      const record = await call<z.infer<typeof SwapRecordSchema>>(wb, 'POST', '/api/fabric/swap', { environment, action });
      for (const s of record.steps) say(`  ${s.ok ? 'ok ' : s.ok === false ? 'FAILED' : '…  '} ${s.name}${s.endedAt ? ` (${s.endedAt - s.startedAt} ms)` : ''}${s.detail ? `: ${s.detail}` : ''}`);
      say(`swap ${record.result}`);
      return 0;
    }
    case 'scale': {
      const [environment, a, b] = positionals;
      const slot = b === undefined ? undefined : a;
      const n = Number(b ?? a);
      if (!environment || !Number.isInteger(n) || n < 1) usage('scale needs an environment and a count: cloudbench scale <environment> [slot] <n>');
      await call(wb, 'POST', '/api/fabric/scale', { environment, ...(slot ? { slot } : {}), ...(values.role ? { role: values.role } : {}), instances: n });
      say(`${environment}${slot ? `/${slot}` : ''}${values.role ? ` worker role ${values.role}` : ''} runs ${n} instance${n === 1 ? '' : 's'}`);
      return 0;
    }
    case 'kill': {
      const [environment, a, b] = positionals;
      const slot = b === undefined ? undefined : a;
      const instance = b ?? a;
      if (!environment || !instance) usage('kill needs an environment and an instance: cloudbench kill <environment> [slot] <instance> (cloudbench status lists them)');
      const before = await call<FabricState>(wb, 'GET', '/api/fabric');
      const list = (s: FabricState) => (environment === 'local' ? (s.local?.instances ?? []) : (s.environments.find((e) => e.name === environment)?.slots.find((x) => x.name === (slot ?? 'production'))?.instances ?? []));
      const after = await call<FabricState>(wb, 'POST', '/api/fabric/kill-instance', { environment, ...(slot ? { slot } : {}), instance });
      const replacement = list(after).find((name) => !list(before).includes(name));
      say(`killed ${instance} in ${environment}${slot ? `/${slot}` : ''}${replacement ? `; ${replacement} replaces it` : ''}`);
      return 0;
    }
    case 'promote': {
      const [from, to] = positionals;
      if (!from || !to) usage('promote needs two environments: cloudbench promote <from> <to>');
      const state = await call<FabricState>(wb, 'POST', '/api/fabric/promote', { from, to });
      const slot = state.environments.find((e) => e.name === to)?.slots.find((s) => s.name === 'staging');
      say(`promoted ${slot?.deployment?.id ?? '?'} from ${from}/production to ${to}/staging at ${slot?.url ?? '?'}`);
      return 0;
    }
    default:
      return usage(`unknown fabric command ${command}`);
  }
}

function printState(state: FabricState, say: (text: string) => void): void {
  const roles = (list: FabricState['environments'][number]['slots'][number]['workerRoles']) => list.map((r) => `; worker role ${r.name}: ${r.instances.length} [${r.instances.join(', ')}]`).join('');
  if (state.local) say(`local (live folder): ${state.local.url} — ${state.local.instances.length} instance(s) [${state.local.instances.join(', ')}], ${state.local.balancer}${roles(state.local.workerRoles)}`);
  for (const env of state.environments) {
    for (const slot of env.slots) {
      say(`${env.name}/${slot.name}: ${slot.url} — ${slot.deployment ? `deployment ${slot.deployment.id} from ${slot.deployment.source}` : 'empty'}${slot.instances.length ? `, ${slot.instances.length} instance(s)` : ''}${roles(slot.workerRoles)}`);
    }
    if (env.pending) say(`${env.name}: a swap with preview waits (cloudbench swap ${env.name} --complete | --cancel)`);
  }
  for (const h of state.history.slice(-5)) say(`swap ${h.environment} at ${new Date(h.startedAt).toISOString()}: ${h.result}`);
}
