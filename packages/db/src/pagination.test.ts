import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, MAX_PAGE_LIMIT, pageLimit, toPage } from './pagination.ts';

describe('cursors', () => {
  it('round-trips the sort key of the listing it was made for', () => {
    const cursor = encodeCursor('runs', ['2026-03-01T00:00:00.000Z', 'a-uuid']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor('runs', cursor, ['string', 'string'])).toEqual([
      '2026-03-01T00:00:00.000Z',
      'a-uuid',
    ]);
    expect(decodeCursor('findings', encodeCursor('findings', [42]), ['number'])).toEqual([42]);
  });

  it('refuses a cursor of another listing, of another shape, or that was tampered with', () => {
    const runs = encodeCursor('runs', ['x', 'y']);
    expect(() => decodeCursor('clusters', runs, ['string', 'string'])).toThrow(/cursor/);
    expect(() => decodeCursor('runs', runs, ['string'])).toThrow(/cursor/);
    expect(() => decodeCursor('findings', encodeCursor('findings', ['7']), ['number'])).toThrow(/cursor/);
    expect(() => decodeCursor('runs', 'not base64 !', ['string'])).toThrow(/cursor/);
    expect(() => decodeCursor('runs', Buffer.from('{"a":1}').toString('base64url'), ['string'])).toThrow(
      /cursor/,
    );
  });
});

describe('page limits', () => {
  it('defaults, accepts 1..max and refuses anything else instead of clamping', () => {
    expect(pageLimit(undefined)).toBe(50);
    expect(pageLimit(1)).toBe(1);
    expect(pageLimit(MAX_PAGE_LIMIT)).toBe(MAX_PAGE_LIMIT);
    for (const bad of [0, -1, MAX_PAGE_LIMIT + 1, 2.5, Number.NaN]) {
      expect(() => pageLimit(bad)).toThrow(/limit must be an integer/);
    }
  });

  it('uses the extra fetched row only to tell that another page exists', () => {
    const page = toPage(
      [1, 2, 3],
      2,
      (n) => n * 10,
      (n) => `after-${n}`,
    );
    expect(page).toEqual({ items: [10, 20], nextCursor: 'after-2' });
    expect(toPage([1, 2], 2, (n) => n, String)).toEqual({ items: [1, 2], nextCursor: null });
  });
});
