// Normal forms of EDM values, shared by entity storage and $filter literals so that comparisons in SQL are
// plain comparisons of stored text or numbers:
//   DateTime  → 'YYYY-MM-DDTHH:MM:SS.fffffffZ' (UTC, 7 fraction digits: Azure's 100 ns resolution), so text
//               order is time order
//   Int64     → decimal text without leading zeros, range-checked (kept as text, compared as SQLite INTEGER)
//   Guid      → 8-4-4-4-12 hex
//   Binary    → base64
// https://learn.microsoft.com/rest/api/storageservices/understanding-the-table-service-data-model#property-types

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7})\d*)?)?(Z|[+-]\d{2}:\d{2})?$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Returns the normal form, or undefined when the text is not a DateTime. */
export function normalizeDateTime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '00', frac = '', zone = 'Z'] = m as unknown as string[];
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone !== 'Z') {
    const sign = zone![0] === '-' ? -1 : 1;
    ms -= sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  }
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  if (iso.startsWith('+') || iso.startsWith('-')) return undefined;
  return `${iso.slice(0, 19)}.${frac!.padEnd(7, '0')}Z`;
}

export function normalizeInt64(text: string): string | undefined {
  if (!/^-?\d{1,20}$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value < INT64_MIN || value > INT64_MAX) return undefined;
  return value.toString();
}

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

export function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;
}

export function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -2147483648 && value <= 2147483647;
}

/** JSON text of a Double that always reads back as a real (2 → 2.0), so SQLite's json_type says 'real'. */
export function doubleText(value: number): string {
  const text = String(value);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}
