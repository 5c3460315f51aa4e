import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blocks, jsonPieces, toJson } from './output.ts';

describe('jsonPieces', () => {
  it('writes exactly what toJson writes, at every depth', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 0, max: 6 }), (value, depth) => {
        expect([...jsonPieces(value, depth)].join('')).toBe(toJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves out what JSON leaves out and keeps strings with line breaks intact', () => {
    const when = new Date('2026-11-26T00:00:00.000Z');
    const value = {
      gone: undefined,
      fn: () => 1,
      list: [undefined, () => 1, { a: 'two\nlines', b: [] }, {}],
      when,
      nested: { deeper: { deepest: ['x', { y: 'line\nbreak' }] } },
    };
    for (const depth of [1, 2, 3, 4, 8]) {
      expect([...jsonPieces(value, depth)].join('')).toBe(toJson(value));
    }
  });

  it('serialises a report member by member, never as one string', () => {
    const findings = Array.from({ length: 1_000 }, (_, i) => ({
      id: i,
      evidence: { text: 'x'.repeat(100) },
    }));
    const pieces = [...jsonPieces({ reportVersion: 1, findings }, 2)];
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(300);
    const joined = [...blocks(pieces)];
    expect(joined.join('')).toBe(toJson({ reportVersion: 1, findings }));
  });
});
