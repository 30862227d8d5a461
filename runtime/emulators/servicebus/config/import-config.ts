// Imports Microsoft's Service Bus emulator Config.json (service-bus.md §1.3) at start-up: queues, topics,
// subscriptions and rules with their properties. Entities already in the data folder are kept and get the
// file's properties; missing ones are created. Microsoft's limits (one namespace named sbemulatorns,
// 50 entities, TTL ≤ 1 hour, …) are not enforced: the file is taken as a description, not a quota.
import { readFileSync } from 'node:fs';
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { cbError } from '../../../shared/errors.js';
import type { ServiceBusEngine } from '../engine/engine.js';
import { isEngineError, SqlSyntaxError } from '../engine/errors.js';
import type { RuleDescription } from '../engine/types.js';
import { parseDuration } from '../iso-duration.js';
import { ConfigProblem, arrayOf, lineColumn, objectOf, required, type ObjectSpec } from './config-tree.js';
import { importRule } from './config-rules.js';

type Prop = readonly [json: string, engine: string, kind: 'duration' | 'boolean' | 'integer' | 'string'];
const QUEUE: Prop[] = [
  ['DeadLetteringOnMessageExpiration', 'deadLetteringOnMessageExpiration', 'boolean'], ['DefaultMessageTimeToLive', 'defaultMessageTimeToLiveMs', 'duration'],
  ['DuplicateDetectionHistoryTimeWindow', 'duplicateDetectionHistoryTimeWindowMs', 'duration'], ['ForwardDeadLetteredMessagesTo', 'forwardDeadLetteredMessagesTo', 'string'],
  ['ForwardTo', 'forwardTo', 'string'], ['LockDuration', 'lockDurationMs', 'duration'], ['MaxDeliveryCount', 'maxDeliveryCount', 'integer'],
  ['RequiresDuplicateDetection', 'requiresDuplicateDetection', 'boolean'], ['RequiresSession', 'requiresSession', 'boolean'],
];
const TOPIC: Prop[] = [
  ['DefaultMessageTimeToLive', 'defaultMessageTimeToLiveMs', 'duration'], ['DuplicateDetectionHistoryTimeWindow', 'duplicateDetectionHistoryTimeWindowMs', 'duration'],
  ['RequiresDuplicateDetection', 'requiresDuplicateDetection', 'boolean'],
];
const SUBSCRIPTION: Prop[] = QUEUE.filter(([k]) => !['DuplicateDetectionHistoryTimeWindow', 'RequiresDuplicateDetection'].includes(k));

function properties(node: Node | undefined, where: string, props: Prop[]): Record<string, unknown> {
  if (node === undefined) return {};
  const spec: ObjectSpec = Object.fromEntries(props.map(([k, , kind]) => [k, kind === 'duration' ? 'string' : kind]));
  const map = objectOf(node, where, spec);
  const out: Record<string, unknown> = {};
  for (const [json, key, kind] of props) {
    const v = map.get(json);
    if (v === undefined || v.value === null) continue;
    try {
      out[key] = kind === 'duration' ? parseDuration(String(v.value)) : v.value;
    } catch (err) {
      throw new ConfigProblem(v.offset, `${where}.${json}: ${(err as Error).message}`);
    }
  }
  return out;
}

function apply(engine: ServiceBusEngine, root: Node): void {
  const top = objectOf(root, 'the file', { UserConfig: 'object' });
  const user = objectOf(required(top, 'UserConfig', 'the file', root), 'UserConfig', { Namespaces: 'array', Logging: 'object' });
  const reg = engine.registry;
  for (const ns of arrayOf(user.get('Namespaces'))) {
    const n = objectOf(ns, 'a namespace', { Name: 'string', Queues: 'array', Topics: 'array' });
    for (const qn of arrayOf(n.get('Queues'))) {
      const q = objectOf(qn, 'a queue', { Name: 'string', Properties: 'object' });
      const name = String(required(q, 'Name', 'a queue', qn).value);
      at(q.get('Name') as Node, () => {
        const props = properties(q.get('Properties'), `queue "${name}"`, QUEUE);
        if (reg.queues.has(name.toLowerCase())) reg.updateQueue(name, props);
        else reg.createQueue(name, props);
      });
    }
    for (const tn of arrayOf(n.get('Topics'))) {
      const t = objectOf(tn, 'a topic', { Name: 'string', Properties: 'object', Subscriptions: 'array' });
      const topic = String(required(t, 'Name', 'a topic', tn).value);
      at(t.get('Name') as Node, () => {
        const props = properties(t.get('Properties'), `topic "${topic}"`, TOPIC);
        if (reg.topics.has(topic.toLowerCase())) reg.updateTopic(topic, props);
        else reg.createTopic(topic, props);
      });
      for (const sn of arrayOf(t.get('Subscriptions'))) {
        const s = objectOf(sn, 'a subscription', { Name: 'string', Properties: 'object', Rules: 'array' });
        const sub = String(required(s, 'Name', 'a subscription', sn).value);
        const rules: RuleDescription[] = arrayOf(s.get('Rules')).map((rn) => importRule(rn));
        at(s.get('Name') as Node, () => {
          const props = properties(s.get('Properties'), `subscription "${sub}"`, SUBSCRIPTION);
          const exists = reg.topic(topic).subscriptions.has(sub.toLowerCase());
          if (!exists) reg.createSubscription(topic, sub, props, rules.length > 0 ? rules : undefined);
          else {
            reg.updateSubscription(topic, sub, props);
            for (const r of rules) {
              if (reg.rules(topic, sub).some((x) => x.name.toLowerCase() === r.name.toLowerCase())) reg.updateRule(topic, sub, r);
              else reg.addRule(topic, sub, r);
            }
          }
        });
      }
    }
  }
}

/** Runs `fn`, turning engine errors into problems positioned at `node`. */
function at(node: Node, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigProblem) throw err;
    if (err instanceof SqlSyntaxError || isEngineError(err)) throw new ConfigProblem(node.offset, err.message);
    throw err;
  }
}

export function importConfigFile(engine: ServiceBusEngine, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw cbError('CB_ERR_SERVICEBUS_CONFIG_READ', { file, detail: (err as Error).message }, err);
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  try {
    const first = errors[0];
    if (first) throw new ConfigProblem(first.offset, `invalid JSON: ${printParseErrorCode(first.error)}`);
    if (root === undefined) throw new ConfigProblem(0, 'the file is empty');
    engine.store.transaction(() => apply(engine, root));
  } catch (err) {
    if (!(err instanceof ConfigProblem)) throw err;
    const { line, column } = lineColumn(text, err.offset);
    throw cbError('CB_ERR_SERVICEBUS_CONFIG', { file, line, column, detail: err.message }, err);
  }
}
