// Rules on the `$management` wire (https://learn.microsoft.com/azure/service-bus-messaging/service-bus-amqp-request-response#rule-operations):
// add-rule sends a map (`sql-filter` | `correlation-filter`, optional `sql-rule-action`); enumerate-rules
// answers with described lists whose descriptor codes the SDK checks exactly (Constants.descriptorCodes of
// @azure/core-amqp): rule-description 0x13700000004, sql-filter 0x1370000006, true 0x1370000007,
// false 0x1370000008, correlation 0x1370000009, empty action 0x13700000005, sql action 0x13700000006.
import { EngineError } from '../engine/errors.js';
import type { CorrelationFilter, PropertyValue, RuleDescription, RuleFilter } from '../engine/types.js';
import { rhea, type RheaTyped } from './rhea-types.js';

const RULE_DESCRIPTION = 0x13700000004;
const SQL_FILTER = 0x1370000006;
const TRUE_FILTER = 0x1370000007;
const FALSE_FILTER = 0x1370000008;
const CORRELATION_FILTER = 0x1370000009;
const EMPTY_ACTION = 0x13700000005;
const SQL_ACTION = 0x13700000006;

const t = rhea.types;

function described(code: number, fields: RheaTyped[]): RheaTyped {
  return t.described(t.wrap_ulong(code), t.wrap_list(fields));
}

function optString(v: string | undefined): RheaTyped {
  return v === undefined ? t.wrap(null) : t.wrap_string(v);
}

function filterTyped(f: RuleFilter): RheaTyped {
  switch (f.type) {
    case 'true':
      return described(TRUE_FILTER, [t.wrap_string('1=1'), t.wrap_int(20)]);
    case 'false':
      return described(FALSE_FILTER, [t.wrap_string('1=0'), t.wrap_int(20)]);
    case 'sql':
      return described(SQL_FILTER, [t.wrap_string(f.expression), t.wrap_int(20)]);
    case 'correlation': {
      const c = f.correlation;
      return described(CORRELATION_FILTER, [
        optString(c.correlationId), optString(c.messageId), optString(c.to), optString(c.replyTo), optString(c.subject),
        optString(c.sessionId), optString(c.replyToSessionId), optString(c.contentType), t.wrap_map(c.properties ?? {}),
      ]);
    }
  }
}

/** One entry of the enumerate-rules response: `{ "rule-description": described list [filter, action, name] }`. */
export function ruleToTyped(rule: RuleDescription): Record<string, RheaTyped> {
  const action = rule.action ? described(SQL_ACTION, [t.wrap_string(rule.action), t.wrap_int(20)]) : described(EMPTY_ACTION, []);
  return { 'rule-description': described(RULE_DESCRIPTION, [filterTyped(rule.filter), action, t.wrap_string(rule.name)]) };
}

function strOrUndefined(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/** The rule of an add-rule request. */
export function ruleFromRequest(name: string, description: Record<string, unknown> | undefined): RuleDescription {
  if (!description) throw new EngineError('BadArgument', 'add-rule needs a rule-description.');
  const sql = description['sql-filter'] as Record<string, unknown> | undefined;
  const corr = description['correlation-filter'] as Record<string, unknown> | undefined;
  const action = description['sql-rule-action'] as Record<string, unknown> | undefined;
  let filter: RuleFilter;
  if (sql) filter = { type: 'sql', expression: String(sql.expression ?? '') };
  else if (corr) {
    const correlation: CorrelationFilter = {
      correlationId: strOrUndefined(corr['correlation-id']), messageId: strOrUndefined(corr['message-id']), to: strOrUndefined(corr.to),
      replyTo: strOrUndefined(corr['reply-to']), subject: strOrUndefined(corr.label), sessionId: strOrUndefined(corr['session-id']),
      replyToSessionId: strOrUndefined(corr['reply-to-session-id']), contentType: strOrUndefined(corr['content-type']),
      properties: (corr.properties ?? undefined) as Record<string, PropertyValue> | undefined,
    };
    filter = { type: 'correlation', correlation };
  } else throw new EngineError('BadArgument', 'add-rule needs a sql-filter or a correlation-filter.');
  const expr = strOrUndefined(action?.expression);
  return expr ? { name, filter, action: expr } : { name, filter };
}
