import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECKS } from '@vigil/core';
import { FINGERPRINT_KEY, type SarifLog } from '@vigil/core/report';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLUSTERS, demoClusterArgs, REPO_ROOT, runVigil } from '../testing.ts';
import { VERSION } from '../version.ts';

// Structural validation against the SARIF 2.1.0 rules for the objects Vigil writes (see the schema's
// $comment); the official OASIS schema file is not vendored in this repository.
const schema = JSON.parse(
  readFileSync(new URL('./testdata/sarif-2.1.0-subset.schema.json', import.meta.url), 'utf8'),
);
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

async function sarifOf(
  args: string[],
  cwd = REPO_ROOT,
): Promise<{ sarif: SarifLog; json: { findings: { fingerprint: string; status: string }[] } }> {
  const sarif = await runVigil(['scan', ...args, '--format', 'sarif', '--fail-on', 'none'], { cwd });
  expect(sarif.code, sarif.stderr).toBe(0);
  const json = await runVigil(['scan', ...args, '--format', 'json', '--fail-on', 'none'], { cwd });
  return { sarif: JSON.parse(sarif.stdout), json: JSON.parse(json.stdout) };
}

describe('vigil scan --format sarif', () => {
  let sarif: SarifLog;
  let json: { findings: { fingerprint: string; status: string }[] };
  beforeAll(async () => {
    ({ sarif, json } = await sarifOf([
      '--manifests',
      'demo/clusters/prod-eu/manifests.yaml',
      '--eks',
      'demo/clusters/prod-eu/eks.json',
      '--exceptions',
      'demo/clusters/prod-eu/exceptions.yaml',
    ]));
  });

  it('is a valid SARIF 2.1.0 log', () => {
    const valid = validate(sarif);
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 3))).toEqual([]);
    expect(valid).toBe(true);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
  });

  it('is checked by a schema that rejects what SARIF forbids', () => {
    const bad = {
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'x' } }, results: [{ level: 'fatal', message: {} }] }],
    };
    expect(validate(bad)).toBe(false);
    expect(validate({ ...sarif, runs: [{ ...sarif.runs[0], tool: {} }] })).toBe(false);
  });

  it('has one rule per check with severity, security-severity and controls as tags', () => {
    const rules = sarif.runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id).sort()).toEqual(CHECKS.map((c) => c.meta.id).sort());
    const clusterAdmin = rules.find((r) => r.id === 'cluster-admin')!;
    expect(clusterAdmin.properties).toMatchObject({ severity: 'critical', 'security-severity': '9.5' });
    expect(clusterAdmin.properties.tags).toContain('cis-eks-1.8.0:4.1.1');
    expect(clusterAdmin.defaultConfiguration.level).toBe('error');
    expect(clusterAdmin.help.text.length).toBeGreaterThan(20);
  });

  it('has one result per finding, carrying its fingerprint, and marks suppressed ones', () => {
    const results = sarif.runs[0]!.results;
    expect(results).toHaveLength(json.findings.length);
    expect(results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]).sort()).toEqual(
      json.findings.map((f) => f.fingerprint).sort(),
    );
    const suppressed = results.filter((r) => r.suppressions);
    expect(suppressed).toHaveLength(json.findings.filter((f) => f.status === 'suppressed').length);
    const breakGlass = suppressed.find((r) =>
      r.suppressions?.[0]?.justification.includes('platform-break-glass'),
    );
    expect(breakGlass?.suppressions?.[0]).toMatchObject({ kind: 'external', status: 'accepted' });
  });

  it('points results at the Kubernetes object and the manifest file it came from', () => {
    const result = sarif.runs[0]!.results.find(
      (r) => r.ruleId === 'cluster-admin' && r.message.text.includes('ci-deployer-cluster-admin'),
    )!;
    expect(result.level).toBe('error');
    expect(result.ruleIndex).toBe(
      sarif.runs[0]!.tool.driver.rules.findIndex((r) => r.id === 'cluster-admin'),
    );
    const location = result.locations[0]!;
    expect(location.logicalLocations[0]).toMatchObject({
      name: 'ci-deployer-cluster-admin',
      kind: 'resource',
      fullyQualifiedName: 'prod-eu/ClusterRoleBinding/ci-deployer-cluster-admin',
    });
    expect(location.physicalLocation.artifactLocation.uri).toBe('demo/clusters/prod-eu/manifests.yaml');
    const eksResult = sarif.runs[0]!.results.find((r) => r.ruleId === 'endpoint-public')!;
    expect(eksResult.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      'demo/clusters/prod-eu/eks.json',
    );
    // The line the object's YAML document starts on, so code scanning opens the file where it is.
    const lines = readFileSync(join(REPO_ROOT, 'demo/clusters/prod-eu/manifests.yaml'), 'utf8').split('\n');
    const startLine = location.physicalLocation.region.startLine;
    expect(startLine).toBeGreaterThan(1);
    const document = lines.slice(startLine - 1, startLine + 8).join('\n');
    expect(document).toMatch(/^\s*(- )?(apiVersion|kind):/);
    expect(document).toContain('kind: ClusterRoleBinding');
    expect(document).toContain('name: ci-deployer-cluster-admin');
    expect(eksResult.locations[0]!.physicalLocation.region).toEqual({ startLine: 1 });
  });

  it('gives objects no input file holds a synthetic artifact, so every result has a physical location', () => {
    const uris = sarif.runs[0]!.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris.every(Boolean)).toBe(true);
    // The authorizer's built-in system:masters rule is in no manifest.
    expect(uris).toContain('kubernetes/prod-eu/_cluster/Authorizer/system%3Amasters.yaml');
  });

  it('reports checks that could not run as tool notifications', async () => {
    // prod-us encrypts Secrets with a KMS key, but this EKS file has no KMS data to judge the key by.
    const { sarif: partial } = await sarifOf([
      '--manifests',
      'demo/clusters/prod-us/manifests.yaml',
      '--eks',
      'packages/cli/src/testdata/prod-us-without-kms.json',
    ]);
    const notifications = partial.runs[0]!.invocations[0]!.toolExecutionNotifications;
    expect(notifications.map((n) => n.associatedRule?.id)).toContain('kms-key-health');
  });

  it('gives objects read from stdin a synthetic artifact that names them, so GitHub accepts the upload', async () => {
    const stdin = readFileSync(`${DEMO_CLUSTERS}/prod-eu/manifests.yaml`, 'utf8');
    const run = await runVigil(['scan', '--manifests', '-', '--format', 'sarif', '--fail-on', 'none'], {
      stdin,
    });
    expect(run.code, run.stderr).toBe(0);
    const log = JSON.parse(run.stdout) as SarifLog;
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(log.runs[0]!.tool.driver.version).toBe(VERSION);
    const results = log.runs[0]!.results;
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      expect(result.locations.length).toBeGreaterThan(0);
      const { physicalLocation } = result.locations[0]!;
      expect(physicalLocation.artifactLocation.uri).toMatch(/^kubernetes\/[^/]+\/[^/]+\/[^/]+\/[^/]+\.yaml$/);
      expect(physicalLocation.region).toEqual({ startLine: 1 });
    }
    const binding = results.find((r) => r.message.text.includes('ci-deployer-cluster-admin'))!;
    const cluster = log.runs[0]!.automationDetails.id.split('/')[1];
    expect(binding.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      `kubernetes/${cluster}/_cluster/ClusterRoleBinding/ci-deployer-cluster-admin.yaml`,
    );
    expect(binding.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toBe(
      `${cluster}/ClusterRoleBinding/ci-deployer-cluster-admin`,
    );
  });

  it('uses file URIs for manifests outside the working directory', async () => {
    // A fresh directory is never an ancestor of the checkout, wherever CI clones it.
    const elsewhere = mkdtempSync(join(tmpdir(), 'vigil-cwd-'));
    const { sarif: outside } = await sarifOf(demoClusterArgs('staging-onprem', false), elsewhere);
    const uris = new Set(
      outside.runs[0]!.results.flatMap((r) =>
        r.locations.map((l) => l.physicalLocation.artifactLocation.uri),
      ),
    );
    expect([...uris]).toEqual([`file://${DEMO_CLUSTERS}/staging-onprem/manifests.yaml`]);
    expect(validate(outside)).toBe(true);
  });
});
