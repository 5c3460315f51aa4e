import { CHECKS, DEFAULT_EXCEPTIONS, FRAMEWORKS, parseExceptionsFile, snapshotJsonSchema } from '@vigil/core';
import { jsonReportJsonSchema } from '@vigil/core/report';
import { describe, expect, it } from 'vitest';
import { runVigil } from '../testing.ts';

describe('vigil checks', () => {
  it('lists every check of the catalog with severity and controls', async () => {
    const { stdout, code } = await runVigil(['checks']);
    expect(code).toBe(0);
    for (const check of CHECKS)
      expect(stdout).toMatch(new RegExp(`^${check.meta.id}\\s+${check.meta.severity}\\s`, 'm'));
    expect(stdout).toContain(`${CHECKS.length} checks.`);
  });

  it('prints full metadata as JSON, and one check in detail', async () => {
    const all = JSON.parse((await runVigil(['checks', '--format', 'json'])).stdout);
    expect(all.map((m: { id: string }) => m.id).sort()).toEqual(CHECKS.map((c) => c.meta.id).sort());
    const one = await runVigil(['checks', 'cluster-admin']);
    expect(one.stdout).toContain('cluster-admin: Subjects with cluster-admin power');
    expect(one.stdout).toContain('cis-eks-1.8.0:4.1.1');
    expect(one.stdout).toContain('Remediation');
    const missing = await runVigil(['checks', 'no-such-check']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no check "no-such-check"');
  });
});

describe('vigil exceptions', () => {
  it('prints the built-in exceptions as an exceptions file that reproduces them', async () => {
    for (const format of ['yaml', 'json']) {
      const { stdout, code } = await runVigil(['exceptions', '--format', format]);
      expect(code).toBe(0);
      const file = parseExceptionsFile({ name: `exceptions.${format}`, text: stdout });
      expect(file.defaults).toBe(false);
      expect(file.exceptions).toEqual(DEFAULT_EXCEPTIONS.map((e) => ({ ...e })));
    }
  });
});

describe('vigil frameworks', () => {
  it('lists each framework with the checks deciding each control, and manual controls', async () => {
    const json = JSON.parse((await runVigil(['frameworks', '--format', 'json'])).stdout) as {
      id: string;
      controls: { id: string; checks: string[] }[];
    }[];
    expect(json.map((f) => f.id)).toEqual(FRAMEWORKS.map((f) => f.id));
    const cis = json.find((f) => f.id === 'cis-eks-1.8.0')!;
    expect(cis.controls.find((c) => c.id === '4.1.1')?.checks).toContain('cluster-admin');
    const table = (await runVigil(['frameworks', 'cis-eks-1.8.0'])).stdout;
    expect(table).toMatch(/4\.1\.1\s+.*cluster-admin/);
    expect(table).toMatch(/manual/);
    expect((await runVigil(['frameworks', 'pci-dss'])).code).toBe(2);
  });
});

describe('vigil schema', () => {
  it('prints the snapshot and report JSON Schemas', async () => {
    expect(JSON.parse((await runVigil(['schema', 'snapshot'])).stdout)).toEqual(snapshotJsonSchema());
    expect(JSON.parse((await runVigil(['schema', 'report'])).stdout)).toEqual(jsonReportJsonSchema());
    const unknown = await runVigil(['schema', 'cluster']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no schema "cluster"');
  });
});
