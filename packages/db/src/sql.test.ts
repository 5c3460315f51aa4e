import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoInstant, parseTextArray, rowsOf, toDate } from './sql.ts';
import { TEST_ENGINES, useTestDatabase } from './testing/index.ts';

describe('isoInstant', () => {
  it('gives what Date#toISOString gives, for every fraction and for other zones', () => {
    expect(isoInstant('2026-11-26 06:00:04.201+00')).toBe('2026-11-26T06:00:04.201Z');
    expect(isoInstant('2026-11-26 06:00:04+00')).toBe('2026-11-26T06:00:04.000Z');
    expect(isoInstant('2026-11-26 06:00:04.2+00')).toBe('2026-11-26T06:00:04.200Z');
    expect(isoInstant('2026-11-26 06:00:04.20+00')).toBe('2026-11-26T06:00:04.200Z');
    expect(isoInstant('2026-11-26 06:00:04.999999+00')).toBe('2026-11-26T06:00:04.999Z');
    expect(isoInstant('2026-11-26 06:00:04.5+05:30')).toBe('2026-11-26T00:30:04.500Z');
    expect(isoInstant('2026-11-26 06:00:04-08')).toBe('2026-11-26T14:00:04.000Z');
    expect(() => isoInstant('yesterday')).toThrow(/not a timestamp/);
  });
});

describe('parseTextArray', () => {
  it('reads unquoted, quoted, escaped, empty and NULL elements', () => {
    expect(parseTextArray('{}')).toEqual([]);
    expect(parseTextArray('{a,b:1.2}')).toEqual(['a', 'b:1.2']);
    expect(parseTextArray('{NULL,null,x}')).toEqual([null, null, 'x']);
    expect(parseTextArray('{"a b","",c,"\\"q\\"","back\\\\slash","NULL","{x}"}')).toEqual([
      'a b',
      '',
      'c',
      '"q"',
      'back\\slash',
      'NULL',
      '{x}',
    ]);
  });
});

describe.each(TEST_ENGINES)('text forms on %s', (engine) => {
  const db = useTestDatabase(engine);

  it('parseTextArray reads back any text array Postgres writes', async () => {
    const element = fc.oneof(fc.string(), fc.constantFrom('NULL', 'null', '', ' ', '{', '}', ',', '"', '\\'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(element, { nil: null }), { maxLength: 6 }), async (items) => {
        const clean = items.map((item) => (item === null ? null : item.replaceAll('\u0000', '')));
        const [row] = rowsOf<{ text: string }>(
          await db().execute(sql`select ${sql.param(clean)}::text[]::text as text`),
        );
        expect(parseTextArray(row!.text)).toEqual(clean);
      }),
      { numRuns: 60 },
    );
  });

  it('isoInstant reads timestamptz text as Date#toISOString writes it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.date({
          min: new Date('0001-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 0, max: 999 }),
        async (date, micros) => {
          const text = `${date.toISOString().slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
          const [row] = rowsOf<{ at: string; p3: string }>(
            await db().execute(
              sql`select ${text}::timestamptz::text as at, ${text}::timestamptz(3)::text as p3`,
            ),
          );
          expect(isoInstant(row!.at)).toBe(date.toISOString());
          expect(isoInstant(row!.p3)).toBe(toDate(row!.p3).toISOString());
          // What drizzle's timestamp column made of the same text (V8's lenient parser reads years
          // before 100 as 19xx; the API never answered such instants).
          if (date.getUTCFullYear() >= 100) expect(isoInstant(row!.p3)).toBe(new Date(row!.p3).toISOString());
        },
      ),
      { numRuns: 60 },
    );
  });
});
