import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from './label-selector.ts';
import { ApiError } from './problem.ts';

describe('parseLabelSelector', () => {
  it('reads equality, inequality, set and existence requirements', () => {
    expect(
      parseLabelSelector('env=prod, tier==web,zone!=b,team in (a, b),stage notin (x),owner,!legacy'),
    ).toEqual({
      matchLabels: { env: 'prod', tier: 'web' },
      matchExpressions: [
        { key: 'zone', operator: 'NotIn', values: ['b'] },
        { key: 'team', operator: 'In', values: ['a', 'b'] },
        { key: 'stage', operator: 'NotIn', values: ['x'] },
        { key: 'owner', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
  });

  it('accepts prefixed keys and an empty selector', () => {
    expect(parseLabelSelector('example.com/team=core')).toEqual({
      matchLabels: { 'example.com/team': 'core' },
    });
    expect(parseLabelSelector('  ')).toEqual({});
  });

  it('refuses malformed selectors with a 400 naming the parameter, never an empty selector', () => {
    for (const bad of ['env in (a', 'env)', 'env=a,,b', 'bad key=x', 'env in ()', 'env=-x-', '=x']) {
      let caught: unknown;
      try {
        parseLabelSelector(bad);
      } catch (error) {
        caught = error;
      }
      expect(caught, bad).toBeInstanceOf(ApiError);
      expect((caught as ApiError).status).toBe(400);
      expect((caught as ApiError).invalidParams?.[0]?.name).toBe('query.labelSelector');
    }
  });
});
