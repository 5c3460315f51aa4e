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
