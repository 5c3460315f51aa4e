import type { AuditReport } from '../audit/run.ts';
import type { Check, Finding, ResourceRef, Severity } from '../audit/types.ts';

/**
 * SARIF 2.1.0 for code-scanning dashboards. A cluster has no source files, so every result names the
 * Kubernetes (or EKS) object as a logical location, and adds a physical location: the manifest file it
 * came from when the caller can say which file that was (`vigil scan` over manifests), otherwise a
 * synthetic relative path that names the object (`objectArtifactUri`). GitHub code scanning rejects the
 * whole upload when a result has no physical location, so every result has one.
 *
 * `toSarif` renders one audit report. `sarifRules`, `toSarifResult` and `sarifStream` render findings read
 * back from the store (the API's fleet export) one at a time, so a large export never sits in memory.
 */

/**
 * Where an object of the report is written: a file (as an artifact URI) and, when known, the line its object
 * starts on. undefined when it came from nowhere a SARIF viewer can open (stdin, a live cluster).
 */
export type Locator = (resource: ResourceRef) => { uri: string; startLine?: number } | undefined;

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note' | 'none';

const LEVEL: Record<Severity, Exclude<SarifLevel, 'none'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * GitHub code scanning ranks security results by this 0.0-10.0 score (>= 9 critical, >= 7 high, >= 4
 * medium, otherwise low). Info findings get none: they are not a security rating.
 */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: undefined,
};

/** Key of the fingerprint in `partialFingerprints`; the suffix versions how it is computed. */
export const FINGERPRINT_KEY = 'vigilFingerprint/v1';

interface Message {
  text: string;
  markdown?: string;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: Message;
  fullDescription: Message;
  help: Message;
  defaultConfiguration: { level: SarifLevel };
  properties: Record<string, unknown> & { tags: string[] };
}

export interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
  logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  /** `pass` (with level `none`) for a finding that was resolved: the rule ran and the problem is gone. */
  kind: 'fail' | 'pass';
  message: Message;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: 'external'; status: 'accepted'; justification: string }[];
  properties: Record<string, unknown>;
}

export interface SarifNotification {
  level: SarifLevel;
  message: Message;
  associatedRule?: { id: string; index: number };
}

export interface SarifRun {
  tool: {
    driver: { name: string; version: string; semanticVersion: string; rules: SarifRule[] };
  };
  automationDetails: { id: string };
  invocations: { executionSuccessful: boolean; toolExecutionNotifications: SarifNotification[] }[];
  results: SarifResult[];
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: SarifRun[];
}

export interface SarifOptions {
  toolVersion: string;
  /** The catalog the audit ran: every check becomes a rule, findings or not. */
  checks: readonly Check[];
  locate?: Locator;
}

/** `cluster-admin` -> `ClusterAdmin`: SARIF rule names are identifier-like. */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function toRule(check: Check): SarifRule {
  const { meta } = check;
  const remediation = meta.remediation;
  const helpText = [remediation.text, remediation.command, remediation.manifest].filter(Boolean).join('\n\n');
  const helpMarkdown = [
    `**Why it matters.** ${meta.rationale}`,
    `**Remediation.** ${remediation.text}`,
    remediation.command ? `\`\`\`sh\n${remediation.command}\n\`\`\`` : '',
    remediation.manifest ? `\`\`\`yaml\n${remediation.manifest}\n\`\`\`` : '',
    meta.controls.length ? `**Controls.** ${meta.controls.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  const securitySeverity = SECURITY_SEVERITY[meta.severity];
  return {
    id: meta.id,
    name: ruleName(meta.id),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.rationale },
    help: { text: helpText, markdown: helpMarkdown },
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties: {
      severity: meta.severity,
      ...(securitySeverity ? { 'security-severity': securitySeverity } : {}),
      category: meta.category,
      controls: [...meta.controls],
      reads: [...meta.reads],
      tags: [...new Set(['security', 'kubernetes', meta.category, ...meta.controls])],
    },
  };
}

/** What a SARIF result needs of a finding: a fresh audit's finding, or one read back from the store. */
export interface SarifFinding {
  checkId: string;
  severity: Severity;
  message: string;
  resource: ResourceRef;
  subject?: Finding['subject'];
  controls: string[];
  fingerprint: string;
  /** Absent when the source does not carry it (store listings keep evidence per run, not per lifecycle). */
  evidence?: Record<string, unknown>;
  suppression?: Finding['suppression'];
  /** True for a finding that was open once and is resolved now (rendered as kind `pass`). */
  resolved?: boolean;
  /** Extra properties, e.g. the lifecycle (first seen, last seen) of a stored finding. */
  properties?: Record<string, unknown>;
}

/** Root of the synthetic artifact paths; a repository that audits itself has no such directory. */
export const OBJECT_ARTIFACT_ROOT = 'kubernetes';

/** Segment that stands for "no namespace" (cluster-scoped objects, EKS and AWS objects). */
export const CLUSTER_SCOPE_SEGMENT = '_cluster';

/**
 * One path segment from a name anybody may have chosen (cluster names come from the user, object names from
 * whoever can write to the cluster). Percent-encoded, so `/`, `\`, `?`, `#`, `%`, spaces and non-ASCII can
 * neither end the segment nor the path. Segments that URL parsers resolve or drop (empty, `.`, `..`) get a
 * leading `_`, and a name's own leading `_` is encoded, so a leading `_` is only ever Vigil's (as in
 * `_cluster`) and distinct names keep distinct segments. Lone surrogates, which have no UTF-8 form, become
 * U+FFFD first.
 */
function pathSegment(name: string): string {
  const encoded = encodeURIComponent(name.toWellFormed()).replace(/^_/, '%5F');
  return /^\.*$/.test(encoded) ? `_${encoded}` : encoded;
}

/**
 * The synthetic artifact of an object that came from no file (stdin, a live cluster, the store):
 * `kubernetes/CLUSTER/NAMESPACE/KIND/NAME.yaml`, `_cluster` in place of the namespace for objects without
 * one. Relative (GitHub resolves it against the repository root), each segment encoded by `pathSegment`,
 * so it never climbs out of `kubernetes/` or becomes absolute. It names the object; no such file exists.
 */
export function objectArtifactUri(cluster: string, resource: ResourceRef): string {
  return [
    OBJECT_ARTIFACT_ROOT,
    pathSegment(cluster),
    resource.namespace ? pathSegment(resource.namespace) : CLUSTER_SCOPE_SEGMENT,
    pathSegment(resource.kind),
    `${pathSegment(resource.name)}.yaml`,
  ].join('/');
}

function toLocation(finding: SarifFinding, cluster: string, locate: Locator | undefined): SarifLocation {
  const { resource } = finding;
  const qualified = [cluster, resource.kind, resource.namespace, resource.name].filter(Boolean).join('/');
  const found = locate?.(resource);
  return {
    // Every physical location has a region: GitHub's code scanning requires region.startLine. A file gives
    // the line its object starts on when the parser knows it (YAML), else 1; a synthetic artifact line 1.
    physicalLocation: found
      ? { artifactLocation: { uri: found.uri }, region: { startLine: found.startLine ?? 1 } }
      : { artifactLocation: { uri: objectArtifactUri(cluster, resource) }, region: { startLine: 1 } },
    logicalLocations: [{ name: resource.name, fullyQualifiedName: qualified, kind: 'resource' }],
  };
}

/** One rule per check of the catalog, findings or not; `ruleIndex` maps a check id to its position. */
export function sarifRules(checks: readonly Check[]): { rules: SarifRule[]; ruleIndex: Map<string, number> } {
  const rules = checks.map(toRule);
  return { rules, ruleIndex: new Map(rules.map((rule, index) => [rule.id, index])) };
}

/**
 * One finding as a SARIF result. A finding whose check is not among the rules throws, unless
 * `unknownRules: 'unindexed'` (stored findings of a check the catalog no longer has): it then names its
 * rule by id only, with `ruleIndex` -1 as SARIF allows.
 */
export function toSarifResult(
  finding: SarifFinding,
  context: {
    cluster: string;
    ruleIndex: ReadonlyMap<string, number>;
    locate?: Locator | undefined;
    unknownRules?: 'throw' | 'unindexed';
  },
): SarifResult {
  let index = context.ruleIndex.get(finding.checkId);
  if (index === undefined) {
    if (context.unknownRules !== 'unindexed') {
      throw new Error(`finding of check ${finding.checkId}, which is not in the catalog`);
    }
    index = -1;
  }
  const result: SarifResult = {
    ruleId: finding.checkId,
    ruleIndex: index,
    // SARIF: a result whose kind is not `fail` has level `none`.
    level: finding.resolved ? 'none' : LEVEL[finding.severity],
    kind: finding.resolved ? 'pass' : 'fail',
    message: { text: finding.message },
    locations: [toLocation(finding, context.cluster, context.locate)],
    partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
    properties: {
      severity: finding.severity,
      cluster: context.cluster,
      resource: finding.resource,
      ...(finding.subject ? { subject: finding.subject } : {}),
      controls: finding.controls,
      ...(finding.evidence ? { evidence: finding.evidence } : {}),
      ...finding.properties,
    },
  };
  if (finding.suppression) {
    const s = finding.suppression;
    result.suppressions = [
      {
        kind: 'external',
        status: 'accepted',
        justification: `${s.reason} (exception ${s.exceptionId}, ${s.source === 'default' ? 'built in' : 'user'})`,
      },
    ];
  }
  return result;
}

export interface SarifRunHeader {
  toolVersion: string;
  rules: SarifRule[];
  /** `automationDetails.id`: keeps one run's results apart from another's in code scanning. */
  automationId: string;
  notifications?: SarifNotification[];
  properties?: Record<string, unknown>;
}

function runWithout(header: SarifRunHeader): Omit<SarifRun, 'results'> {
  return {
    tool: {
      driver: {
        name: 'vigil',
        version: header.toolVersion,
        semanticVersion: header.toolVersion,
        rules: header.rules,
      },
    },
    automationDetails: { id: header.automationId },
    invocations: [{ executionSuccessful: true, toolExecutionNotifications: header.notifications ?? [] }],
    properties: header.properties ?? {},
  };
}

/**
 * A one-run SARIF log in pieces for streaming: write `head`, then each result as JSON separated by
 * `separator`, then `tail`. The concatenation parses to the same log `toSarif` would build.
 */
export function sarifStream(header: SarifRunHeader): { head: string; separator: string; tail: string } {
  const run = JSON.stringify(runWithout(header));
  const envelope = JSON.stringify({ $schema: SARIF_SCHEMA_URI, version: '2.1.0' });
  return {
    head: `${envelope.slice(0, -1)},"runs":[${run.slice(0, -1)},"results":[`,
    separator: ',',
    tail: ']}]}',
  };
}

export function toSarif(report: AuditReport, options: SarifOptions): SarifLog {
  const { rules, ruleIndex } = sarifRules(options.checks);
  const cluster = report.cluster.name;
  const results = report.findings.map((finding) =>
    toSarifResult(finding, { cluster, ruleIndex, locate: options.locate }),
  );
  const notifications = report.checks
    .filter((c) => c.status === 'not_evaluated')
    .map((c) => ({
      level: 'warning' as const,
      message: { text: `Check ${c.checkId} was not evaluated: ${c.reason ?? 'its input is missing'}` },
      associatedRule: { id: c.checkId, index: ruleIndex.get(c.checkId) ?? -1 },
    }));
  const run = runWithout({
    toolVersion: options.toolVersion,
    rules,
    automationId: `vigil/${cluster}/`,
    notifications,
    properties: {
      cluster: report.cluster,
      status: report.status,
      coverage: report.coverage,
      summary: report.summary,
    },
  });
  // Results before properties: the key order `vigil scan --format sarif` has always written.
  const { properties, ...rest } = run;
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [{ ...rest, results, properties }] };
}
