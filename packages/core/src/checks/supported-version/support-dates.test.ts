import { describe, expect, it } from 'vitest';
import { CHECKED_ON, SUPPORT_DATES } from './support-dates.ts';

describe('the EKS support calendar', () => {
  it('lists each minor version once, oldest first, with no gaps', () => {
    const minors = SUPPORT_DATES.map((d) => Number(d.version.split('.')[1]));
    expect(minors).toEqual(minors.map((_, i) => (minors[0] ?? 0) + i));
  });

  it('gives every version 12 months of extended support after standard support', () => {
    for (const dates of SUPPORT_DATES) {
      const standard = new Date(`${dates.endOfStandardSupport}T00:00:00Z`);
      standard.setUTCFullYear(standard.getUTCFullYear() + 1);
      expect(standard.toISOString().slice(0, 10), dates.version).toBe(dates.endOfExtendedSupport);
    }
  });

  it('names a source for every version and the day it was checked', () => {
    expect(Number.isNaN(Date.parse(CHECKED_ON))).toBe(false);
    for (const dates of SUPPORT_DATES) expect(dates.source.length, dates.version).toBeGreaterThan(5);
  });
});
