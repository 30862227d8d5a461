// The send form's property rows → the application properties Service Bus carries (string, number, boolean).

export interface PropertyRow {
  key: string;
  type: 'string' | 'number' | 'boolean';
  value: string;
}

/** Rows with a name become properties; a number or boolean that does not parse is an error naming the row. */
export function toProperties(rows: readonly PropertyRow[]): { properties: Record<string, string | number | boolean> } | { error: string } {
  const properties: Record<string, string | number | boolean> = {};
  for (const row of rows) {
    const key = row.key.trim();
    if (key === '') continue;
    if (row.type === 'number') {
      const n = Number(row.value);
      if (row.value.trim() === '' || !Number.isFinite(n)) return { error: `Property "${key}": "${row.value}" is not a number.` };
      properties[key] = n;
    } else if (row.type === 'boolean') {
      if (row.value !== 'true' && row.value !== 'false') return { error: `Property "${key}": write true or false.` };
      properties[key] = row.value === 'true';
    } else properties[key] = row.value;
  }
  return { properties };
}
