import { describe, expect, it } from 'vitest';
import type { LabelSelector } from '../snapshot/model.ts';
import { selectorMatches } from './labels.ts';

const labels = { app: 'web', tier: 'frontend', empty: '' };

describe('selectorMatches', () => {
  it.each<[string, LabelSelector, boolean]>([
    ['an empty selector matches everything', {}, true],
    [
      'empty matchLabels and matchExpressions match everything',
      { matchLabels: {}, matchExpressions: [] },
      true,
    ],
    ['matchLabels needs every pair', { matchLabels: { app: 'web', tier: 'frontend' } }, true],
    ['matchLabels fails on one wrong value', { matchLabels: { app: 'web', tier: 'backend' } }, false],
    ['matchLabels fails on a missing key', { matchLabels: { team: 'x' } }, false],
    ['matchLabels matches an empty value exactly', { matchLabels: { empty: '' } }, true],
    [
      'In matches a listed value',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'frontend'] }] },
      true,
    ],
    [
      'In fails on an unlisted value',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] },
      false,
    ],
    [
      'In fails on a missing key',
      { matchExpressions: [{ key: 'team', operator: 'In', values: ['x'] }] },
      false,
    ],
    [
      'NotIn fails on a listed value',
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] },
      false,
    ],
    [
      'NotIn matches an unlisted value',
      { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] },
      true,
    ],
    [
      'NotIn matches a missing key',
      { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['x'] }] },
      true,
    ],
    [
      'Exists matches a present key, even with an empty value',
      { matchExpressions: [{ key: 'empty', operator: 'Exists' }] },
      true,
    ],
    ['Exists fails on a missing key', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, false],
    [
      'DoesNotExist matches a missing key',
      { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] },
      true,
    ],
    [
      'DoesNotExist fails on a present key',
      { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] },
      false,
    ],
    [
      'matchLabels and matchExpressions must both hold',
      { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
      false,
    ],
  ])('%s', (_name, selector, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });

  it('does not treat inherited object properties as labels', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {})).toBe(false);
    expect(selectorMatches({ matchLabels: { constructor: 'x' } }, {})).toBe(false);
  });
});
