import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../audit/run.ts';
import { CHECKS } from '../checks/index.ts';
import { buildSnapshotFromFiles } from '../snapshot/load.ts';
import { jsonReportJsonSchema, jsonReportSchema, toJsonReport } from './json-report.ts';

const fixture = (path: string) => readFileSync(new URL(`../checks/${path}`, import.meta.url), 'utf8');

function reportOf(manifests: string, eks?: string) {
  const snapshot = buildSnapshotFromFiles({
    manifests: [{ name: 'manifests.yaml', text: manifests }],
    ...(eks ? { eks: { name: 'eks.json', text: eks } } : {}),
  });
  const audit = runAudit({ snapshot, checks: CHECKS, options: { now: '2026-11-26T00:00:00Z' } });
  return {
    audit,
    json: toJsonReport(audit, { toolVersion: '1.2.3', generatedAt: '2026-11-26T00:00:00.000Z' }),
  };
}

describe('toJsonReport', () => {
  const { audit, json } = reportOf(
    fixture('cluster-admin/fixtures/fail-iam-via-group/manifests.yaml'),
    fixture('cluster-admin/fixtures/fail-iam-via-group/eks.json'),
  );

  it('carries every finding with its check, resource, subject, controls and fingerprint', () => {
    expect(json.findings).toHaveLength(audit.findings.length);
    for (const [i, finding] of audit.findings.entries()) {
      expect(json.findings[i]).toMatchObject({
        checkId: finding.checkId,
        status: finding.status,
        severity: finding.severity,
        resource: finding.resource,
        controls: finding.controls,
        fingerprint: finding.fingerprint,
      });
    }
    expect(json.findings.some((f) => f.subject?.kind === 'IAMPrincipal')).toBe(true);
  });

  it('conforms to its zod schema and to the JSON Schema it publishes', () => {
    expect(jsonReportSchema.parse(json)).toEqual(json);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(jsonReportJsonSchema());
    expect(validate(JSON.parse(JSON.stringify(json))), JSON.stringify(validate.errors?.slice(0, 3))).toBe(
      true,
    );
    expect(validate({ ...json, status: 'done' })).toBe(false);
  });

  it('does not share objects with the audit result', () => {
    const first = json.findings[0]!;
    first.evidence.changed = true;
    first.controls.push('x');
    expect(audit.findings[0]!.evidence.changed).toBeUndefined();
    expect(audit.findings[0]!.controls).not.toContain('x');
  });

  it('shares evidence with the audit result only when asked to', () => {
    const shared = toJsonReport(
      audit,
      { toolVersion: '0.0.0', generatedAt: '2026-01-01T00:00:00.000Z' },
      { shareEvidence: true },
    );
    expect(shared.findings[0]!.evidence).toBe(audit.findings[0]!.evidence);
    expect(shared.findings[0]!.controls).not.toBe(audit.findings[0]!.controls);
    expect(JSON.stringify(shared.findings.map((f) => f.evidence))).toBe(
      JSON.stringify(audit.findings.map((f) => f.evidence)),
    );
  });

  it('rejects a report with unknown fields, so the documented shape cannot drift silently', () => {
    expect(jsonReportSchema.safeParse({ ...json, extra: 1 }).success).toBe(false);
    expect(
      jsonReportSchema.safeParse({ ...json, findings: [{ ...json.findings[0], severity: 'urgent' }] })
        .success,
    ).toBe(false);
  });
});
