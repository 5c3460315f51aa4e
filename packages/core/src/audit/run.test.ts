import { describe, expect, it } from 'vitest';
import { MissingInputError } from '../errors.ts';
import type { ExceptionsFile } from '../exceptions/model.ts';
import { exceptionsFileSchema } from '../exceptions/model.ts';
import { type Coverage, type Snapshot, type Source, snapshotSchema } from '../snapshot/model.ts';
import { fingerprintOf } from './fingerprint.ts';
import { readiness, runAudit } from './run.ts';
import type { Check, CheckMeta, FindingDraft } from './types.ts';

const OPTIONS = { now: '2026-03-01T00:00:00Z' };
const ALL_COMPLETE = Object.fromEntries(
  (['clusterroles', 'clusterrolebindings', 'rolebindings', 'roles'] as const).map((s) => [
    s,
    { status: 'complete' },
  ]),
);

function snapshot(
  coverage: Partial<Record<Source, Coverage>> = ALL_COMPLETE,
  warnings: string[] = [],
): Snapshot {
  return snapshotSchema.parse({
    schemaVersion: 1,
    cluster: { name: 'test', platform: 'kubernetes' },
    kubernetes: {},
    coverage,
    warnings,
  });
}

function check(meta: Partial<CheckMeta> & { id: string }, run: Check['run'] = () => []): Check {
  return {
    meta: {
      title: `Test check ${meta.id}`,
      severity: 'medium',
      category: 'rbac',
      rationale: 'test',
      remediation: { text: 'test' },
      reads: ['clusterroles'],
      controls: [],
      ...meta,
    },
    run,
  };
}

const draft = (name: string, extra: Partial<FindingDraft> = {}): FindingDraft => ({
  resource: { kind: 'ClusterRole', name },
  message: `ClusterRole ${name} is too broad`,
  evidence: { role: name },
  ...extra,
});

describe('readiness', () => {
  const reads = (...sources: Source[]) => check({ id: 'c', reads: sources });

  it('is ready when every input was read completely', () => {
    expect(readiness(reads('clusterroles', 'roles'), ALL_COMPLETE)).toEqual({ status: 'ready' });
  });

  it('is not_evaluated, naming the source and why, when an input is missing or incomplete', () => {
    expect(
      readiness(reads('clusterroles', 'clusterrolebindings', 'pods'), {
        clusterroles: { status: 'complete' },
        clusterrolebindings: {
          status: 'forbidden',
          reason: 'clusterrolebindings is forbidden for vigil-reader',
        },
      }),
    ).toEqual({
      status: 'not_evaluated',
      reason:
        'clusterrolebindings: forbidden (clusterrolebindings is forbidden for vigil-reader); pods: not collected',
    });
  });

  it.each(['forbidden', 'not_found', 'timed_out', 'error', 'not_collected'] as const)(
    'is not_evaluated when coverage is %s',
    (status) => {
      expect(readiness(reads('roles'), { roles: { status } })).toEqual({
        status: 'not_evaluated',
        reason: `roles: ${status}`,
      });
    },
  );

  it('is not_applicable only when every input is not applicable', () => {
    const na = { status: 'not_applicable' as const, reason: 'not an EKS cluster' };
    expect(readiness(reads('eksCluster', 'accessEntries'), { eksCluster: na, accessEntries: na })).toEqual({
      status: 'not_applicable',
      reason: 'not an EKS cluster',
    });
    expect(
      readiness(reads('awsAuth', 'clusterrolebindings'), {
        awsAuth: na,
        clusterrolebindings: { status: 'complete' },
      }),
    ).toEqual({ status: 'ready' });
  });

  it('prefers not_evaluated over not_applicable when both occur', () => {
    expect(
      readiness(reads('eksCluster', 'roles'), {
        eksCluster: { status: 'not_applicable' },
        roles: { status: 'timed_out' },
      }).status,
    ).toBe('not_evaluated');
  });
});

describe('runAudit', () => {
  it('reports not_evaluated (never pass) for a check whose input is missing, and does not run it', () => {
    let ran = false;
    const report = runAudit({
      snapshot: snapshot({ clusterroles: { status: 'forbidden', reason: 'RBAC denied list' } }),
      checks: [
        check({ id: 'needs-roles' }, () => {
          ran = true;
          return [];
        }),
      ],
      options: OPTIONS,
    });
    expect(ran).toBe(false);
    expect(report.checks).toEqual([
      {
        checkId: 'needs-roles',
        status: 'not_evaluated',
        reason: 'clusterroles: forbidden (RBAC denied list)',
        failed: 0,
        suppressed: 0,
      },
    ]);
    expect(report.status).toBe('partial');
  });

  it('reports not_applicable when no input applies', () => {
    const report = runAudit({
      snapshot: snapshot({ eksCluster: { status: 'not_applicable', reason: 'not an EKS cluster' } }),
      checks: [check({ id: 'eks-only', reads: ['eksCluster'] }, () => [draft('x')])],
      options: OPTIONS,
    });
    expect(report.checks[0]).toMatchObject({ status: 'not_applicable', reason: 'not an EKS cluster' });
    expect(report.findings).toEqual([]);
  });

  it.each([
    [
      'throws an Error',
      () => {
        throw new Error('boom: token=abc123secretvalue');
      },
      /^the check failed: boom: token=\[REDACTED/,
    ],
    [
      'throws a string',
      () => {
        throw 'plain string';
      },
      /^the check failed: plain string$/,
    ],
    [
      'returns something that is not a list',
      () => undefined as unknown as FindingDraft[],
      /no list of findings/,
    ],
    [
      'returns a draft without a resource',
      () => [draft('ok'), { message: 'x', evidence: {} } as unknown as FindingDraft],
      /^the check failed: /,
    ],
  ])(
    'reports not_evaluated, never pass, for a check that %s, and keeps running the others',
    (_name, run, reason) => {
      const report = runAudit({
        snapshot: snapshot(),
        checks: [check({ id: 'broken' }, run as Check['run']), check({ id: 'fine' }, () => [draft('r')])],
        options: OPTIONS,
      });
      const broken = report.checks.find((c) => c.checkId === 'broken')!;
      expect(broken.status).toBe('not_evaluated');
      expect(broken.reason).toMatch(reason);
      expect(report.checks.find((c) => c.checkId === 'fine')?.status).toBe('fail');
      // Findings a broken check produced before failing are not reported.
      expect(report.findings.map((f) => f.checkId)).toEqual(['fine']);
    },
  );

  it('reports not_evaluated with the reason a check gives when it lacks an input, without calling it a failure', () => {
    const report = runAudit({
      snapshot: snapshot(),
      checks: [
        check({ id: 'lacking' }, () => {
          throw new MissingInputError(
            'the cluster description has no logging section; token=abc123secretvalue',
          );
        }),
        check({ id: 'buggy' }, () => {
          throw new TypeError("Cannot read properties of undefined (reading 'types')");
        }),
      ],
      options: OPTIONS,
    });
    expect(report.checks.map((c) => [c.checkId, c.status, c.reason])).toEqual([
      ['lacking', 'not_evaluated', 'the cluster description has no logging section; token=[REDACTED]'],
      ['buggy', 'not_evaluated', "the check failed: Cannot read properties of undefined (reading 'types')"],
    ]);
    expect(new MissingInputError('x').code).toBe('MISSING_INPUT');
  });

  it('passes a check that finds nothing and fails one that finds something', () => {
    const report = runAudit({
      snapshot: snapshot(),
      checks: [
        check({ id: 'quiet' }),
        check({ id: 'loud', severity: 'high' }, () => [draft('a'), draft('b')]),
      ],
      options: OPTIONS,
    });
    expect(report.checks).toEqual([
      { checkId: 'quiet', status: 'pass', failed: 0, suppressed: 0 },
      { checkId: 'loud', status: 'fail', failed: 2, suppressed: 0 },
    ]);
    const [first] = report.findings;
    expect(first).toMatchObject({
      checkId: 'loud',
      title: 'Test check loud',
      severity: 'high',
      status: 'fail',
      resource: { kind: 'ClusterRole', name: 'a' },
      message: 'ClusterRole a is too broad',
      evidence: { role: 'a' },
      controls: [],
      fingerprint: fingerprintOf('loud', { kind: 'ClusterRole', name: 'a' }),
    });
    expect(report.status).toBe('complete');
  });

  it('keeps one finding per fingerprint and tells findings apart by discriminator', () => {
    const report = runAudit({
      snapshot: snapshot(),
      checks: [
        check({ id: 'dups' }, () => [
          draft('a'),
          draft('a', { message: 'the same finding again' }),
          draft('a', { discriminator: 'verbs' }),
          draft('a', { subject: { kind: 'User', name: 'u' } }),
        ]),
      ],
      options: OPTIONS,
    });
    expect(report.findings).toHaveLength(3);
    expect(report.checks[0]).toMatchObject({ failed: 3 });
    expect(new Set(report.findings.map((f) => f.fingerprint)).size).toBe(3);
  });

  it('suppresses findings an exception covers, says why, and passes a check whose findings are all suppressed', () => {
    const exceptions: ExceptionsFile = exceptionsFileSchema.parse({
      defaults: false,
      exceptions: [
        {
          id: 'accepted',
          checks: ['only-*'],
          resource: { kind: 'ClusterRole', name: 'legacy-*' },
          reason: 'Owned by the legacy team until migration',
        },
      ],
    });
    const report = runAudit({
      snapshot: snapshot(),
      checks: [
        check({ id: 'only-suppressed' }, () => [draft('legacy-a'), draft('legacy-b')]),
        check({ id: 'only-mixed' }, () => [draft('legacy-c'), draft('new')]),
      ],
      options: OPTIONS,
      exceptions,
    });
    expect(report.checks).toEqual([
      { checkId: 'only-suppressed', status: 'pass', failed: 0, suppressed: 2 },
      { checkId: 'only-mixed', status: 'fail', failed: 1, suppressed: 1 },
    ]);
    const suppressed = report.findings.find((f) => f.resource.name === 'legacy-c')!;
    expect(suppressed.status).toBe('suppressed');
    expect(suppressed.suppression).toEqual({
      exceptionId: 'accepted',
      reason: 'Owned by the legacy team until migration',
      source: 'user',
    });
    expect(report.summary.findings).toEqual({ fail: 1, suppressed: 3 });
  });

  it('suppresses built-in system identities by default and reports them as suppressed', () => {
    const report = runAudit({
      snapshot: snapshot(),
      checks: [
        check({ id: 'who' }, () => [
          draft('r', { subject: { kind: 'User', name: 'system:kube-scheduler' } }),
        ]),
      ],
      options: OPTIONS,
    });
    expect(report.findings[0]).toMatchObject({
      status: 'suppressed',
      suppression: { exceptionId: 'control-plane-kube-scheduler', source: 'default' },
    });
  });

  it('ignores an exception after it expires', () => {
    const exceptions = exceptionsFileSchema.parse({
      defaults: false,
      exceptions: [
        { id: 'old', checks: ['*'], resource: { name: '*' }, reason: 'temporary', expires: '2026-02-01' },
      ],
    });
    const report = runAudit({
      snapshot: snapshot(),
      checks: [check({ id: 'c' }, () => [draft('a')])],
      options: OPTIONS,
      exceptions,
    });
    expect(report.findings[0]?.status).toBe('fail');
  });

  it('counts findings by status and failing findings by severity, and checks by status', () => {
    const report = runAudit({
      snapshot: snapshot({
        ...ALL_COMPLETE,
        kmsKey: { status: 'not_applicable' },
        pods: { status: 'timed_out' },
      }),
      checks: [
        check({ id: 'a', severity: 'critical' }, () => [draft('1'), draft('2', { severity: 'low' })]),
        check({ id: 'b', severity: 'high' }, () => [
          draft('3'),
          draft('4', { subject: { kind: 'Group', name: 'system:nodes' } }),
        ]),
        check({ id: 'c' }),
        check({ id: 'd', reads: ['pods'] }),
        check({ id: 'e', reads: ['kmsKey'] }),
      ],
      options: OPTIONS,
    });
    expect(report.summary).toEqual({
      findings: { fail: 3, suppressed: 1 },
      bySeverity: { critical: 1, high: 1, medium: 0, low: 1, info: 0 },
      checks: { pass: 1, fail: 2, not_evaluated: 1, not_applicable: 1 },
    });
  });

  it('sorts failing before suppressed, then by severity, check id and fingerprint', () => {
    const report = runAudit({
      snapshot: snapshot(),
      checks: [
        check({ id: 'z-low', severity: 'low' }, () => [draft('a')]),
        check({ id: 'b-high', severity: 'high' }, () => [
          draft('b'),
          draft('c'),
          draft('n', { subject: { kind: 'Group', name: 'system:nodes' } }),
        ]),
        check({ id: 'a-high', severity: 'high' }, () => [draft('d')]),
        check({ id: 'crit', severity: 'critical' }, () => [
          draft('e', { subject: { kind: 'User', name: 'eks:node-manager' } }),
        ]),
      ],
      options: OPTIONS,
    });
    const order = report.findings.map((f) => `${f.status}:${f.severity}:${f.checkId}`);
    expect(order).toEqual([
      'fail:high:a-high',
      'fail:high:b-high',
      'fail:high:b-high',
      'fail:low:z-low',
      'suppressed:critical:crit',
      'suppressed:high:b-high',
    ]);
    const bHigh = report.findings.filter((f) => f.checkId === 'b-high' && f.status === 'fail');
    expect(bHigh.map((f) => f.fingerprint)).toEqual(bHigh.map((f) => f.fingerprint).sort());
  });

  it('gives the same report for the same input', () => {
    const input = {
      snapshot: snapshot(),
      checks: [check({ id: 'c' }, () => [draft('b'), draft('a'), draft('c')])],
      options: OPTIONS,
    };
    expect(runAudit(input)).toEqual(runAudit(input));
  });

  it('is partial when any input is incomplete, even one no check reads, or one a check needs is absent', () => {
    const run = (coverage: Partial<Record<Source, Coverage>>, reads: Source[] = ['clusterroles']) =>
      runAudit({ snapshot: snapshot(coverage), checks: [check({ id: 'c', reads })], options: OPTIONS })
        .status;
    expect(run({ clusterroles: { status: 'complete' } })).toBe('complete');
    expect(run({ clusterroles: { status: 'complete' }, kmsKey: { status: 'not_applicable' } })).toBe(
      'complete',
    );
    expect(run({ clusterroles: { status: 'complete' }, pods: { status: 'forbidden' } })).toBe('partial');
    expect(run({ clusterroles: { status: 'complete' } }, ['clusterroles', 'rolebindings'])).toBe('partial');
  });

  it('passes through cluster, coverage and warnings', () => {
    const snap = snapshot(ALL_COMPLETE, ['ignored 2 Deployment objects: no check reads that kind']);
    const report = runAudit({ snapshot: snap, checks: [], options: OPTIONS });
    expect(report.cluster).toEqual({ name: 'test', platform: 'kubernetes' });
    expect(report.coverage).toBe(snap.coverage);
    expect(report.warnings).toEqual(['ignored 2 Deployment objects: no check reads that kind']);
  });

  it('masks credential-like text in messages and evidence', () => {
    const report = runAudit({
      snapshot: snapshot(),
      checks: [
        check({ id: 'leaky' }, () => [
          draft('a', {
            message: 'aws-auth username AKIAIOSFODNN7EXAMPLE maps to system:masters',
            evidence: { username: 'AKIAIOSFODNN7EXAMPLE' },
          }),
        ]),
      ],
      options: OPTIONS,
    });
    expect(JSON.stringify(report)).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });
});

describe('runAudit compliance roll-up', () => {
  const control = (framework: string, id: string, report: ReturnType<typeof runAudit>) =>
    report.compliance.find((f) => f.framework === framework)?.controls.find((c) => c.id === id);

  const report = runAudit({
    snapshot: snapshot({
      ...ALL_COMPLETE,
      pods: { status: 'forbidden', reason: 'pods is forbidden' },
      eksCluster: { status: 'not_applicable', reason: 'not an EKS cluster' },
    }),
    checks: [
      check({
        id: 'passing',
        controls: ['cis-eks-1.8.0:4.1.1', 'cis-eks-1.8.0:4.1.2', 'cis-eks-1.8.0:4.1.3'],
      }),
      check({ id: 'failing', controls: ['cis-eks-1.8.0:4.1.2'] }, () => [draft('x')]),
      check({ id: 'blind', reads: ['pods'], controls: ['cis-eks-1.8.0:4.1.3', 'cis-eks-1.8.0:4.1.4'] }),
      check({ id: 'eks', reads: ['eksCluster'], controls: ['cis-eks-1.8.0:4.1.4', 'cis-eks-1.8.0:4.1.5'] }),
      check({ id: 'eks-2', reads: ['eksCluster'], controls: ['cis-eks-1.8.0:4.1.5', 'cis-eks-1.8.0:4.1.6'] }),
      check({ id: 'mixed', controls: ['cis-eks-1.8.0:4.1.6'] }),
      check({ id: 'suppressed-only', controls: ['cis-eks-1.8.0:4.1.8'] }, () => [
        draft('y', { subject: { kind: 'Group', name: 'system:nodes' } }),
      ]),
    ],
    options: OPTIONS,
  });

  it('passes a control when every deciding check passes', () => {
    expect(control('cis-eks-1.8.0', '4.1.1', report)).toMatchObject({ status: 'pass', checks: ['passing'] });
  });

  it('fails a control when any deciding check fails, even if others pass', () => {
    expect(control('cis-eks-1.8.0', '4.1.2', report)).toMatchObject({
      status: 'fail',
      checks: ['passing', 'failing'],
    });
  });

  it('does not evaluate a control when a deciding check could not run, and says why', () => {
    expect(control('cis-eks-1.8.0', '4.1.3', report)).toMatchObject({
      status: 'not_evaluated',
      reason: 'blind: pods: forbidden (pods is forbidden)',
    });
    // not_evaluated wins over not_applicable.
    expect(control('cis-eks-1.8.0', '4.1.4', report)?.status).toBe('not_evaluated');
  });

  it('is not applicable only when every deciding check is not applicable', () => {
    expect(control('cis-eks-1.8.0', '4.1.5', report)?.status).toBe('not_applicable');
    expect(control('cis-eks-1.8.0', '4.1.6', report)?.status).toBe('pass');
  });

  it('counts a check whose findings are all suppressed as passing the control', () => {
    expect(control('cis-eks-1.8.0', '4.1.8', report)?.status).toBe('pass');
  });

  it('reports controls no check decides as manual, with a reason', () => {
    expect(control('cis-eks-1.8.0', '2.1.1', report)).toMatchObject({ status: 'manual', checks: [] });
    expect(control('cis-eks-1.8.0', '2.1.1', report)?.reason).toMatch(/by hand/);
  });

  it('summarises every framework, each control counted once', () => {
    expect(report.compliance.map((f) => f.framework)).toEqual([
      'cis-eks-1.8.0',
      'cis-k8s-1.12.0',
      'nist-800-53-r5',
      'iso-27001-2022',
    ]);
    for (const framework of report.compliance) {
      const total = Object.values(framework.summary).reduce((a, b) => a + b, 0);
      expect(total).toBe(framework.controls.length);
    }
    const eks = report.compliance[0]!;
    expect(eks.summary).toMatchObject({ pass: 3, fail: 1, not_evaluated: 2, not_applicable: 1 });
    expect(eks.summary.manual).toBe(eks.controls.length - 7);
  });
});
