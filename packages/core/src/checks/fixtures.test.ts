// One test walks every check folder: each check has metadata that names real controls, and at least one
// failing and one passing fixture whose expected findings match what the check reports.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runAudit } from '../audit/run.ts';
import { FRAMEWORKS } from '../compliance/frameworks/index.ts';
import { parseExceptionsFile } from '../exceptions/model.ts';
import { buildSnapshotFromFiles } from '../snapshot/load.ts';
import type { Coverage, Source } from '../snapshot/model.ts';
import { CHECKS } from './registry.gen.ts';

interface Scenario {
  description: string;
  now?: string;
  trustedAccountIds?: string[];
  coverage?: Partial<Record<Source, Coverage>>;
  exceptions?: unknown;
  expect: {
    status: 'pass' | 'fail' | 'not_evaluated' | 'not_applicable';
    /** The reason the report gives for a check it could not evaluate or apply. */
    reason?: string;
    findings: {
      status?: 'fail' | 'suppressed';
      severity?: string;
      resource: Record<string, string>;
      subject?: Record<string, string>;
    }[];
  };
}

const checksDir = import.meta.dirname;
const controls = new Set(FRAMEWORKS.flatMap((f) => f.controls.map((c) => `${f.id}:${c.id}`)));

function loadScenario(dir: string) {
  const read = (name: string) =>
    existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : undefined;
  const scenario = parse(read('scenario.yaml') ?? '') as Scenario;
  const manifests = read('manifests.yaml');
  const eks = read('eks.json');
  const snapshot = buildSnapshotFromFiles({
    manifests: manifests ? [{ name: 'manifests.yaml', text: manifests }] : [],
    ...(eks ? { eks: { name: 'eks.json', text: eks } } : {}),
    clusterName: 'fixture',
  });
  // Fixtures list only what they are about: kinds they do not mention count as read and empty.
  for (const [source, coverage] of Object.entries(snapshot.coverage)) {
    if (coverage.status === 'not_collected')
      snapshot.coverage[source as Source] = { status: 'complete', count: 0 };
  }
  Object.assign(snapshot.coverage, scenario.coverage ?? {});
  const exceptions = scenario.exceptions
    ? parseExceptionsFile({ name: 'scenario exceptions', text: JSON.stringify(scenario.exceptions) })
    : undefined;
  return { scenario, snapshot, exceptions };
}

const normalise = (ref: Record<string, string | undefined> | undefined) =>
  ref
    ? JSON.stringify(
        Object.fromEntries(
          Object.entries(ref)
            .filter(([, v]) => v !== undefined)
            .sort(),
        ),
      )
    : null;

describe.each(CHECKS.map((check) => [check.meta.id, check] as const))('check %s', (id, check) => {
  const dir = join(checksDir, id);
  const scenarios = existsSync(join(dir, 'fixtures')) ? readdirSync(join(dir, 'fixtures')).sort() : [];

  it('has complete metadata naming real controls', () => {
    expect(check.meta.id).toBe(id);
    expect(check.meta.title.length).toBeGreaterThan(5);
    expect(check.meta.rationale.length).toBeGreaterThan(40);
    expect(check.meta.remediation.text.length).toBeGreaterThan(20);
    expect(check.meta.reads.length).toBeGreaterThan(0);
    for (const control of check.meta.controls)
      expect(controls, `${control} is in no framework catalog`).toContain(control);
  });

  it('has failing and passing fixtures', () => {
    expect(scenarios.some((s) => s.startsWith('fail-'))).toBe(true);
    expect(scenarios.some((s) => s.startsWith('pass-'))).toBe(true);
  });

  it.each(scenarios)('fixture %s', (name) => {
    const { scenario, snapshot, exceptions } = loadScenario(join(dir, 'fixtures', name));
    const report = runAudit({
      snapshot,
      checks: [check],
      options: {
        now: scenario.now ?? '2026-11-26T00:00:00Z',
        trustedAccountIds: scenario.trustedAccountIds ?? [],
      },
      ...(exceptions ? { exceptions } : {}),
    });
    const result = report.checks[0]!;
    expect(result.status, result.reason).toBe(scenario.expect.status);
    if (name.startsWith('pass-')) expect(['pass', 'not_applicable']).toContain(result.status);
    if (name.startsWith('fail-')) expect(result.status).toBe('fail');
    if (scenario.expect.reason !== undefined) expect(result.reason).toBe(scenario.expect.reason);
    const actual = report.findings.map((f) => ({
      status: f.status,
      resource: normalise(f.resource as unknown as Record<string, string>),
      subject: normalise(f.subject as unknown as Record<string, string> | undefined),
      ...(scenario.expect.findings.some((e) => e.severity) ? { severity: f.severity } : {}),
    }));
    const expected = scenario.expect.findings.map((e) => ({
      status: e.status ?? 'fail',
      resource: normalise(e.resource),
      subject: normalise(e.subject),
      ...(scenario.expect.findings.some((x) => x.severity) ? { severity: e.severity } : {}),
    }));
    const key = (x: object) => JSON.stringify(x);
    expect(actual.map(key).sort()).toEqual(expected.map(key).sort());
    for (const finding of report.findings) {
      expect(finding.message.length).toBeGreaterThan(20);
      expect(finding.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});
