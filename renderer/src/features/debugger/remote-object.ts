// How CDP values (Runtime.RemoteObject) read in the panel: strings quoted, objects by their description,
// functions as `ƒ name`. Pure.

export interface RemoteObject {
  readonly type?: string;
  readonly subtype?: string;
  readonly value?: unknown;
  readonly unserializableValue?: string;
  readonly description?: string;
  readonly className?: string;
  readonly objectId?: string;
}

export function describeValue(o: RemoteObject | undefined): string {
  if (!o) return 'undefined';
  if (o.unserializableValue !== undefined) return o.unserializableValue;
  switch (o.type) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return JSON.stringify(o.value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(o.value ?? o.description);
    case 'function':
      return `ƒ ${(o.description ?? '').split('\n')[0]?.replace(/^function\s*/, '').replace(/\s*\{$/, '') ?? ''}`;
    case 'object':
      if (o.subtype === 'null') return 'null';
      return o.description ?? o.className ?? 'Object';
    default:
      return o.description ?? String(o.value);
  }
}

/** Whether the value can be opened (it has properties to list). */
export const expandable = (o: RemoteObject | undefined): boolean => o?.objectId !== undefined && (o.type === 'object' || o.type === 'function') && o.subtype !== 'null';
