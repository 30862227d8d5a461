// Rules of a Config.json subscription: `{Name, Properties: {FilterType: "Correlation"|"Sql",
// CorrelationFilter?, SqlFilter?: {SqlExpression}, Action?: {SqlExpression}}}` (service-bus.md §1.3).
// SQL is parsed here so that a bad expression is reported at its position in the file.
import type { Node } from 'jsonc-parser';
import { SqlSyntaxError } from '../engine/errors.js';
import { compileRule } from '../filters/rule.js';
import type { CorrelationFilter, PropertyValue, RuleDescription } from '../engine/types.js';
import { ConfigProblem, objectOf, required } from './config-tree.js';

const CORRELATION_KEYS: Record<string, keyof CorrelationFilter> = {
  ContentType: 'contentType', CorrelationId: 'correlationId', Label: 'subject', MessageId: 'messageId', ReplyTo: 'replyTo',
  ReplyToSessionId: 'replyToSessionId', SessionId: 'sessionId', To: 'to',
};

export function importRule(node: Node): RuleDescription {
  const r = objectOf(node, 'a rule', { Name: 'string', Properties: 'object' });
  const name = String(required(r, 'Name', 'a rule', node).value);
  const propsNode = required(r, 'Properties', `rule "${name}"`, node);
  const p = objectOf(propsNode, `rule "${name}".Properties`, { FilterType: 'string', CorrelationFilter: 'object', SqlFilter: 'object', Action: 'object' });
  const type = String(required(p, 'FilterType', `rule "${name}"`, propsNode).value);
  let rule: RuleDescription;
  let exprNode: Node | undefined;
  if (type === 'Sql') {
    const sqlNode = required(p, 'SqlFilter', `rule "${name}"`, propsNode);
    exprNode = required(objectOf(sqlNode, 'SqlFilter', { SqlExpression: 'string' }), 'SqlExpression', 'SqlFilter', sqlNode);
    rule = { name, filter: { type: 'sql', expression: String(exprNode.value) } };
  } else if (type === 'Correlation') {
    const cNode = required(p, 'CorrelationFilter', `rule "${name}"`, propsNode);
    const c = objectOf(cNode, 'CorrelationFilter', { ...Object.fromEntries(Object.keys(CORRELATION_KEYS).map((k) => [k, 'string' as const])), Properties: 'object' });
    const correlation: CorrelationFilter = {};
    for (const [json, key] of Object.entries(CORRELATION_KEYS)) {
      const v = c.get(json);
      if (v) (correlation as Record<string, unknown>)[key] = String(v.value);
    }
    const props = c.get('Properties');
    if (props) correlation.properties = Object.fromEntries((props.children ?? []).map((kv) => [String(kv.children?.[0]?.value), kv.children?.[1]?.value as PropertyValue]));
    rule = { name, filter: { type: 'correlation', correlation } };
  } else {
    throw new ConfigProblem(p.get('FilterType')?.offset ?? propsNode.offset, `FilterType must be "Sql" or "Correlation", got "${type}"`);
  }
  const actionNode = p.get('Action');
  let actionExpr: Node | undefined;
  if (actionNode) {
    actionExpr = required(objectOf(actionNode, 'Action', { SqlExpression: 'string' }), 'SqlExpression', 'Action', actionNode);
    rule = { ...rule, action: String(actionExpr.value) };
  }
  try {
    compileRule(rule);
  } catch (err) {
    if (!(err instanceof SqlSyntaxError)) throw err;
    const isAction = actionExpr !== undefined && !(exprNode && safeParses(rule));
    const base = (isAction ? actionExpr : exprNode) as Node;
    // +1: the offset of the string token points at its opening quote.
    throw new ConfigProblem(base.offset + 1 + err.offset, err.message);
  }
  return rule;
}

function safeParses(rule: RuleDescription): boolean {
  try {
    compileRule({ name: rule.name, filter: rule.filter });
    return true;
  } catch {
    return false;
  }
}
