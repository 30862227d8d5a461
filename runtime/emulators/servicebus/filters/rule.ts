// A subscription rule compiled once (when it is added) into a predicate and an optional action, so fan-out
// costs one tree walk per rule and no parsing.
import { EngineError } from '../engine/errors.js';
import type { CorrelationFilter, PropertyValue, RuleDescription } from '../engine/types.js';
import type { SqlActionStatement, SqlNode } from './sql-ast.js';
import { evaluate, matches } from './sql-eval.js';
import { parseSqlAction, parseSqlFilter } from './sql-parser.js';
import { filterView, findUserProperty, writeProperty, type FilterableMessage } from './message-view.js';

export interface CompiledRule {
  readonly description: RuleDescription;
  match(m: FilterableMessage): boolean;
  /** Applies the rule's action to `m` in place (callers pass the subscription's own copy). */
  apply?(m: FilterableMessage): void;
}

function sameValue(a: PropertyValue | undefined, b: PropertyValue | undefined): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return a === b;
}

/** Every field set on the filter must equal the message's (AND of equalities, as the service defines it). */
function correlationMatcher(f: CorrelationFilter): (m: FilterableMessage) => boolean {
  const checks: ((m: FilterableMessage) => boolean)[] = [];
  const fields = ['correlationId', 'messageId', 'to', 'replyTo', 'subject', 'sessionId', 'replyToSessionId', 'contentType'] as const;
  for (const field of fields) {
    const want = f[field];
    if (want !== undefined && want !== null) checks.push((m) => m[field] === want);
  }
  for (const [name, want] of Object.entries(f.properties ?? {})) {
    checks.push((m) => {
      const key = findUserProperty(m.applicationProperties, name);
      return key !== undefined && sameValue(m.applicationProperties[key], want);
    });
  }
  return (m) => checks.every((c) => c(m));
}

function compileAction(statements: SqlActionStatement[]): (m: FilterableMessage) => void {
  return (m) => {
    for (const s of statements) {
      const value = s.kind === 'set' ? evaluate(s.value, filterView(m)) : undefined;
      if (!writeProperty(m, s.target.scope, s.target.name, value)) {
        throw new EngineError('BadArgument', `The rule action cannot change sys.${s.target.name}.`);
      }
    }
  };
}

/** Parses and checks a rule; SQL errors surface here (SqlSyntaxError) rather than at fan-out time. */
export function compileRule(description: RuleDescription): CompiledRule {
  let match: (m: FilterableMessage) => boolean;
  const f = description.filter;
  if (f.type === 'true') match = () => true;
  else if (f.type === 'false') match = () => false;
  else if (f.type === 'correlation') match = correlationMatcher(f.correlation);
  else {
    const tree: SqlNode = parseSqlFilter(f.expression);
    match = (m) => matches(tree, filterView(m));
  }
  const action = description.action?.trim() ? compileAction(parseSqlAction(description.action)) : undefined;
  return action ? { description, match, apply: action } : { description, match };
}
