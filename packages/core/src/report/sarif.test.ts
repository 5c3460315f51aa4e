import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../audit/run.ts';
import { CHECKS } from '../checks/index.ts';
import { buildSnapshotFromFiles } from '../snapshot/load.ts';
import {
  FINGERPRINT_KEY,
  objectArtifactUri,
  type SarifLog,
  sarifRules,
  sarifStream,
  toSarif,
  toSarifResult,
} from './sarif.ts';

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

describe('physical locations', () => {
  // The subset schema the CLI's and the API's SARIF tests validate against (the OASIS file is not vendored).
  const validate = (() => {
    const schema = JSON.parse(
      readFileSync(
        new URL('../../../cli/src/report/testdata/sarif-2.1.0-subset.schema.json', import.meta.url),
        'utf8',
      ),
    );
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    return ajv.compile(schema);
  })();

  it('gives every result without a file a synthetic artifact naming its object, beside the logical location', () => {
    const log = toSarif(audit, { toolVersion: '1.2.3', checks: CHECKS });
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const results = log.runs[0]!.results;
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      const [location] = result.locations;
      const resource = result.properties.resource as { kind: string; name: string; namespace?: string };
      expect(location!.physicalLocation).toEqual({
        artifactLocation: { uri: objectArtifactUri(audit.cluster.name, resource) },
        region: { startLine: 1 },
      });
      expect(location!.logicalLocations[0]!.kind).toBe('resource');
    }
    const uris = results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris.every((uri) => uri.startsWith(`kubernetes/${encodeURIComponent(audit.cluster.name)}/`))).toBe(
      true,
    );
    // Deterministic: the same report renders the same log.
    expect(toSarif(audit, { toolVersion: '1.2.3', checks: CHECKS })).toEqual(log);
  });

  it('keeps the file and line an object came from (line 1 when unknown), and falls back per object', () => {
    const located = audit.findings[0]!.resource;
    const log = toSarif(audit, {
      toolVersion: '1.2.3',
      checks: CHECKS,
      locate: (r) =>
        r.kind === located.kind && r.name === located.name
          ? { uri: 'manifests/rbac.yaml', ...(r.namespace ? {} : { startLine: 12 }) }
          : undefined,
    });
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const locations = log.runs[0]!.results.map((r) => r.locations[0]!);
    const fromFile = locations.filter(
      (l) => l.physicalLocation.artifactLocation.uri === 'manifests/rbac.yaml',
    );
    expect(fromFile.length).toBeGreaterThan(0);
    for (const l of fromFile)
      expect(l.physicalLocation).toEqual({
        artifactLocation: { uri: 'manifests/rbac.yaml' },
        region: { startLine: located.namespace ? 1 : 12 },
      });
    const synthetic = locations.filter((l) =>
      l.physicalLocation.artifactLocation.uri.startsWith('kubernetes/'),
    );
    expect(synthetic.length + fromFile.length).toBe(locations.length);
  });

  it('names the object as kubernetes/CLUSTER/NAMESPACE/KIND/NAME.yaml, _cluster without a namespace', () => {
    expect(objectArtifactUri('prod-eu', { kind: 'RoleBinding', namespace: 'ci', name: 'deployer' })).toBe(
      'kubernetes/prod-eu/ci/RoleBinding/deployer.yaml',
    );
    expect(objectArtifactUri('prod-eu', { kind: 'ClusterRoleBinding', name: 'admins' })).toBe(
      'kubernetes/prod-eu/_cluster/ClusterRoleBinding/admins.yaml',
    );
    expect(
      objectArtifactUri('prod-eu', { kind: 'IAMPrincipal', name: 'arn:aws:iam::111122223333:role/ops' }),
    ).toBe('kubernetes/prod-eu/_cluster/IAMPrincipal/arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fops.yaml');
  });

  const hostile = [
    '..',
    '.',
    '',
    '../../etc/passwd',
    '/etc/passwd',
    'a/../../b',
    '..\\..\\windows',
    'with space',
    'tab\there',
    'ünïcødé-名前-😀',
    'q?x#y%z',
    'file:///etc/passwd',
    '_cluster',
    '_',
    '_..',
    'lone \ud800 surrogate',
  ];

  it('encodes names with /, .., spaces and unicode so they cannot leave their segment', () => {
    const base = 'https://github.com/o/r/blob/main/';
    for (const name of hostile) {
      for (const resource of [
        { kind: 'ClusterRole', name },
        { kind: 'Role', namespace: name, name: 'x' },
        { kind: name, namespace: 'ns', name: 'x' },
      ]) {
        for (const cluster of ['prod', name]) {
          const uri = objectArtifactUri(cluster, resource);
          const segments = uri.split('/');
          expect(segments, uri).toHaveLength(5);
          expect(segments[0]).toBe('kubernetes');
          for (const segment of segments) {
            expect(['', '.', '..'], uri).not.toContain(segment);
            expect(segment, uri).toMatch(/^[A-Za-z0-9%._~!'()*-]+$/);
          }
          // Resolved the way a browser or GitHub would, it stays five segments under kubernetes/.
          const resolved = new URL(uri, base);
          expect(resolved.href.startsWith(`${base}kubernetes/`), uri).toBe(true);
          expect(resolved.pathname.split('/').length, uri).toBe(new URL(base).pathname.split('/').length + 4);
          expect(
            validate({
              version: '2.1.0',
              runs: [
                {
                  tool: { driver: { name: 'v' } },
                  results: [
                    {
                      message: { text: 'm' },
                      locations: [{ physicalLocation: { artifactLocation: { uri } } }],
                    },
                  ],
                },
              ],
            }),
            uri,
          ).toBe(true);
        }
      }
    }
  });

  it('keeps distinct names apart and reads back to the name', () => {
    const uris = hostile.map((name) => objectArtifactUri('c', { kind: 'Role', namespace: name, name }));
    expect(new Set(uris).size).toBe(hostile.length);
    expect(objectArtifactUri('c', { kind: 'Role', namespace: '_cluster', name: 'x' })).not.toBe(
      objectArtifactUri('c', { kind: 'Role', name: 'x' }),
    );
    const name = 'ünïcødé/名前 ..';
    const last = objectArtifactUri('c', { kind: 'Role', name }).split('/').at(-1)!;
    expect(decodeURIComponent(last.slice(0, -'.yaml'.length))).toBe(name);
  });
});
