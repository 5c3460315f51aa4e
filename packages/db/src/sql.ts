import { type SQL, sql } from 'drizzle-orm';

/** Rows of a raw `db.execute` result; both drivers answer `{ rows }`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

/** Affected row count of a raw statement (`rowCount` on node-postgres, `affectedRows` on PGlite). */
export function affectedOf(result: unknown): number {
  const r = result as { rowCount?: number | null; affectedRows?: number };
  return Number(r.rowCount ?? r.affectedRows ?? 0);
}

/**
 * Raw `execute` returns instants as text on both drivers (drizzle disables the drivers' date parsing);
 * Postgres writes them as `2026-01-02 03:04:05.678+00`, which `Date` needs in ISO form.
 */
export function toDate(value: string | Date): Date;
export function toDate(value: string | Date | null): Date | null;
export function toDate(value: string | Date | null): Date | null {
  if (value === null || value instanceof Date) return value;
  const iso = value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00');
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`not a timestamp: ${value}`);
  return date;
}

/**
 * An instant as Postgres writes it in text (`2026-11-26 06:00:04.201+00` with the ISO date style and a UTC
 * session) turned into the ISO string `Date#toISOString` gives (`2026-11-26T06:00:04.201Z`) without making
 * a `Date`; any other form (another time zone, a year past 9999) goes through `Date`.
 */
export function isoInstant(value: string): string {
  const n = value.length;
  if (
    n >= 22 &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(10) === 32 &&
    value.charCodeAt(n - 3) === 43 &&
    value.charCodeAt(n - 2) === 48 &&
    value.charCodeAt(n - 1) === 48
  ) {
    const day = value.slice(0, 10);
    const time = value.slice(11, 19);
    if (n === 22) return `${day}T${time}.000Z`;
    if (value.charCodeAt(19) !== 46) return toDate(value).toISOString();
    // `.f` to `.ffffff`: Date keeps milliseconds and drops the rest.
    const fraction = value.slice(20, n - 3);
    const ms = fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0');
    return `${day}T${time}.${ms}Z`;
  }
  return toDate(value).toISOString();
}

/**
 * A one-dimensional text array in Postgres's text form (`{a,b,"c d"}`), as selecting `column::text` gives it:
 * cheaper than the drivers' generic array parsers when no element needs quoting, the usual case.
 */
export function parseTextArray(value: string): (string | null)[] {
  if (value === '{}') return [];
  if (value.indexOf('"') === -1 && value.indexOf('\\') === -1) {
    // Unquoted elements hold no separators, braces or blanks; only NULL has a meaning of its own.
    const items: (string | null)[] = value.slice(1, -1).split(',');
    for (let i = 0; i < items.length; i++) {
      if (items[i]!.length === 4 && items[i]!.toUpperCase() === 'NULL') items[i] = null;
    }
    return items;
  }
  const items: (string | null)[] = [];
  let i = 1;
  while (i < value.length - 1) {
    if (value[i] === '"') {
      let item = '';
      i++;
      while (value[i] !== '"') {
        if (value[i] === '\\') i++;
        item += value[i];
        i++;
      }
      items.push(item);
      i += 2; // the closing quote and the comma (or the closing brace)
    } else {
      let end = value.indexOf(',', i);
      if (end === -1) end = value.length - 1;
      const item = value.slice(i, end);
      items.push(item.toUpperCase() === 'NULL' ? null : item);
      i = end + 1;
    }
  }
  return items;
}

/** A JS array bound as one array parameter (drizzle would otherwise expand it into a list). */
export function arrayParam(
  values: readonly unknown[],
  type: 'text' | 'uuid' | 'timestamptz' | 'integer',
): SQL {
  return sql`${sql.param(values)}::${sql.raw(type)}[]`;
}

/** Splits work so that one statement stays well under Postgres's 65,535 bind parameters and memory. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
