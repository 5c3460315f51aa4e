import type { Subscription } from '@vigil/db';
import { describe, expect, it } from 'vitest';
import { subscriptionWants } from './match.ts';

const base: Subscription = {
  id: 's',
  name: 'n',
  format: 'generic',
  url: 'https://h/',
  host: 'h',
  eventTypes: ['finding.opened', 'scan.failed'],
  minSeverity: 'high',
  clusterSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] },
  config: {},
  enabled: true,
  disabledReason: null,
  disabledAt: null,
  failingSince: null,
  lastSuccessAt: null,
  lastFailureAt: null,
  previousSecretExpiresAt: null,
  hasSecrets: true,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  deletedAt: null,
};

describe('subscriptionWants', () => {
  const prod = { env: 'prod' };
  it.each([
    [
      'a high finding on prod',
      { type: 'finding.opened', severity: 'high' as const, clusterLabels: prod },
      true,
    ],
    [
      'a critical finding on staging',
      { type: 'finding.opened', severity: 'critical' as const, clusterLabels: { env: 'staging' } },
      true,
    ],
    [
      'a medium finding (below the minimum)',
      { type: 'finding.opened', severity: 'medium' as const, clusterLabels: prod },
      false,
    ],
    [
      'a dev cluster',
      { type: 'finding.opened', severity: 'critical' as const, clusterLabels: { env: 'dev' } },
      false,
    ],
    [
      'a cluster without labels',
      { type: 'finding.opened', severity: 'critical' as const, clusterLabels: {} },
      false,
    ],
    [
      'a type it did not ask for',
      { type: 'finding.resolved', severity: 'critical' as const, clusterLabels: prod },
      false,
    ],
    ['a scan failure (no severity to compare)', { type: 'scan.failed', clusterLabels: prod }, true],
  ])('%s: %s', (_name, event, wanted) => {
    expect(subscriptionWants(base, event)).toBe(wanted);
  });

  it('wants nothing while disabled or deleted, and everything of its types without a selector or minimum', () => {
    const event = { type: 'finding.opened', severity: 'info' as const, clusterLabels: {} };
    expect(subscriptionWants({ ...base, enabled: false }, { ...event, severity: 'critical' })).toBe(false);
    expect(subscriptionWants({ ...base, deletedAt: new Date() }, { ...event, severity: 'critical' })).toBe(
      false,
    );
    expect(subscriptionWants({ ...base, minSeverity: null, clusterSelector: null }, event)).toBe(true);
  });
});
