// Subscription rules between the explorer's wire shape and the admin client's: SQL, correlation and true/false
// filters (true and false are the SQL filters 1=1 and 1=0, as Service Bus stores them) and SQL actions.
import type { SbRule, SbRuleFilter } from '../shared/protocol.js';

export function toRuleFilter(f: SbRuleFilter): { sqlExpression: string } | Record<string, unknown> {
  switch (f.type) {
    case 'sql':
      return { sqlExpression: f.expression };
    case 'true':
      return { sqlExpression: '1=1' };
    case 'false':
      return { sqlExpression: '1=0' };
    default: {
      const { type: _type, ...rest } = f;
      return rest;
    }
  }
}

export function fromRule(r: { name: string; filter: unknown; action: { sqlExpression?: string } }): SbRule {
  const f = r.filter as Record<string, unknown>;
  let filter: SbRuleFilter;
  if (typeof f.sqlExpression === 'string') {
    const e = f.sqlExpression.replace(/\s+/g, '');
    filter = e === '1=1' ? { type: 'true' } : e === '1=0' ? { type: 'false' } : { type: 'sql', expression: f.sqlExpression };
  } else {
    const text = (k: string): string | undefined => (typeof f[k] === 'string' && f[k] !== '' ? (f[k] as string) : undefined);
    const props: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries((f.applicationProperties as Record<string, unknown> | undefined) ?? {})) {
      props[k] = typeof v === 'number' || typeof v === 'boolean' ? v : v instanceof Date ? v.toISOString() : String(v);
    }
    filter = {
      type: 'correlation',
      correlationId: text('correlationId'),
      messageId: text('messageId'),
      to: text('to'),
      replyTo: text('replyTo'),
      subject: text('subject'),
      sessionId: text('sessionId'),
      replyToSessionId: text('replyToSessionId'),
      contentType: text('contentType'),
      ...(Object.keys(props).length > 0 ? { applicationProperties: props } : {}),
    };
  }
  return { name: r.name, filter, action: r.action.sqlExpression?.trim() ? r.action.sqlExpression : null };
}

