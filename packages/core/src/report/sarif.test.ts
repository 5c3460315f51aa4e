import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../audit/run.ts';
import { CHECKS } from '../checks/index.ts';
import { buildSnapshotFromFiles } from '../snapshot/load.ts';
import { FINGERPRINT_KEY, type SarifLog, sarifRules, sarifStream, toSarif, toSarifResult } from './sarif.ts';

const fixture = (path: string) => readFileSync(new URL(`../checks/${path}`, import.meta.url), 'utf8');

const audit = runAudit({
  snapshot: buildSnapshotFromFiles({
    manifests: [
      { name: 'manifests.yaml', text: fixture('cluster-admin/fixtures/fail-iam-via-group/manifests.yaml') },
    ],
    eks: { name: 'eks.json', text: fixture('cluster-admin/fixtures/fail-iam-via-group/eks.json') },
  }),
  checks: CHECKS,
  options: { now: '2026-11-26T00:00:00Z' },
});

describe('sarifStream', () => {
  it('joins into the same log toSarif builds, with results streamed between head and tail', () => {
    const whole = toSarif(audit, { toolVersion: '1.2.3', checks: CHECKS });
    const run = whole.runs[0]!;
    const { rules, ruleIndex } = sarifRules(CHECKS);
    const parts = sarifStream({
      toolVersion: '1.2.3',
      rules,
      automationId: run.automationDetails.id,
      notifications: run.invocations[0]!.toolExecutionNotifications,
      properties: run.properties,
    });
    const results = audit.findings.map((f) =>
      JSON.stringify(toSarifResult(f, { cluster: audit.cluster.name, ruleIndex })),
    );
    const streamed = JSON.parse(parts.head + results.join(parts.separator) + parts.tail) as SarifLog;
    expect(streamed).toEqual(whole);
    expect(audit.findings.length).toBeGreaterThan(0);
  });

  it('is a valid log with no results at all', () => {
    const parts = sarifStream({ toolVersion: '1', rules: [], automationId: 'vigil/fleet/' });
    const log = JSON.parse(parts.head + parts.tail) as SarifLog;
    expect(log.runs[0]!.results).toEqual([]);
    expect(log.version).toBe('2.1.0');
  });
});

describe('toSarifResult', () => {
  const { ruleIndex } = sarifRules(CHECKS);
  const finding = audit.findings[0]!;

  it('renders a resolved finding as a pass with level none, without evidence it was not given', () => {
    const { evidence: _evidence, ...stored } = finding;
    const result = toSarifResult(
      { ...stored, resolved: true, properties: { state: 'resolved' } },
      { cluster: 'prod', ruleIndex },
    );
    expect(result).toMatchObject({ kind: 'pass', level: 'none', properties: { state: 'resolved' } });
    expect(result.properties).not.toHaveProperty('evidence');
    expect(result.partialFingerprints[FINGERPRINT_KEY]).toBe(finding.fingerprint);
    expect(result.locations[0]!.logicalLocations[0]!.fullyQualifiedName.startsWith('prod/')).toBe(true);
  });

  it('names a stored finding of a check the catalog no longer has by id only, when asked to', () => {
    const result = toSarifResult(
      { ...finding, checkId: 'retired-check' },
      { cluster: 'x', ruleIndex, unknownRules: 'unindexed' },
    );
    expect(result).toMatchObject({ ruleId: 'retired-check', ruleIndex: -1 });
  });

  it('refuses a finding whose check is not among the rules', () => {
    expect(() =>
      toSarifResult({ ...finding, checkId: 'no-such-check' }, { cluster: 'x', ruleIndex }),
    ).toThrow(/not in the catalog/);
  });
});
