import { InvalidCursorError, PageLimitError } from './errors.ts';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

export interface PageRequest {
  /** 1..MAX_PAGE_LIMIT; anything else is refused (the API answers 400), never clamped silently. */
  limit?: number;
  /** `nextCursor` of the previous page, passed back unchanged. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export type CursorValue = string | number;

/**
 * An opaque keyset cursor: the sort key of the last row, tagged with the listing it belongs to so that a
 * runs cursor cannot be replayed against findings. Base64url JSON; opaque to clients, not secret.
 */
export function encodeCursor(listing: string, key: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify([listing, ...key]), 'utf8').toString('base64url');
}

/** Decodes a cursor for `listing` whose key has the given element types; throws InvalidCursorError otherwise. */
export function decodeCursor<const T extends readonly ('string' | 'number')[]>(
  listing: string,
  cursor: string,
  shape: T,
): { [K in keyof T]: T[K] extends 'number' ? number : string } {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed[0] !== listing || parsed.length !== shape.length + 1) {
    throw new InvalidCursorError();
  }
  const key = parsed.slice(1);
  for (const [i, kind] of shape.entries()) {
    const value = key[i];
    if (kind === 'number' ? !Number.isSafeInteger(value) : typeof value !== 'string' || value.length > 512) {
      throw new InvalidCursorError();
    }
  }
  return key as { [K in keyof T]: T[K] extends 'number' ? number : string };
}

/** The page size to use; throws PageLimitError outside 1..MAX_PAGE_LIMIT. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT)
    throw new PageLimitError(limit, MAX_PAGE_LIMIT);
  return limit;
}

/** Builds a page from `limit + 1` fetched rows: the extra row only says that another page exists. */
export function toPage<R, T>(
  rows: readonly R[],
  limit: number,
  map: (row: R) => T,
  cursorOf: (row: R) => string,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), nextCursor: more && last !== undefined ? cursorOf(last) : null };
}
