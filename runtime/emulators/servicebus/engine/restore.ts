// Rebuilds the registry and the in-memory indexes from a store snapshot at start-up: entities first
// (queues and topics before subscriptions), then messages in id order (so each queue's order is kept),
// session states and sequence counters. Locks are not restored: a message locked when the process died is
// available again, as if its lock had expired.
import type { TopicEntity } from './entities.js';
import type { Registry } from './registry.js';
import type { StoreSnapshot } from './store.js';
import type { RuleDescription, StoredMessage } from './types.js';

interface SavedEntity {
  name: string;
  topic?: string;
  properties: object;
  rules?: RuleDescription[];
  createdAt: number;
  updatedAt: number;
  accessedAt: number;
  nextSeq?: number;
}

export function restoreSnapshot(registry: Registry, snapshot: StoreSnapshot, armTopicSchedule: (t: TopicEntity, m: StoredMessage) => void): void {
  const order = { queue: 0, topic: 0, subscription: 1 };
  const entities = [...snapshot.entities].sort((a, b) => order[a.kind] - order[b.kind]);
  for (const e of entities) {
    const saved = JSON.parse(e.json) as SavedEntity;
    const times = { createdAt: saved.createdAt, updatedAt: saved.updatedAt, accessedAt: saved.accessedAt };
    if (e.kind === 'queue') registry.createQueue(saved.name, saved.properties, times);
    else if (e.kind === 'topic') registry.createTopic(saved.name, saved.properties, times, saved.nextSeq ?? 1);
    else registry.createSubscription(saved.topic as string, saved.name, saved.properties, saved.rules ?? [], times);
  }
  const receivables = new Map<string, { restore(m: StoredMessage): void; nextSeq: number; session(id: string): { state: Buffer | null; updatedAt: number } }>();
  for (const q of registry.queues.values()) receivables.set(q.receivable.key, q.receivable);
  for (const t of registry.topics.values()) for (const s of t.subscriptions.values()) receivables.set(s.receivable.key, s.receivable);
  for (const [key, r] of receivables) r.nextSeq = Math.max(r.nextSeq, snapshot.counters[`seq:${key}`] ?? 1);
  for (const m of snapshot.messages) {
    const r = receivables.get(m.entity);
    if (r) {
      r.restore(m);
      continue;
    }
    const t = registry.topics.get(m.entity);
    if (t && m.state === 'scheduled') {
      t.scheduled.set(m.sequenceNumber, m);
      t.nextSeq = Math.max(t.nextSeq, m.sequenceNumber + 1);
      armTopicSchedule(t, m);
    }
  }
  for (const s of snapshot.sessions) {
    const r = receivables.get(s.entity);
    if (!r) continue;
    const session = r.session(s.sessionId);
    session.state = s.state;
    session.updatedAt = s.updatedAt;
  }
}
