import type { AuditReport, Check, Finding, Severity } from '@vigil/core';
import type { Locator } from './locations.ts';

/**
 * SARIF 2.1.0 for code-scanning dashboards. A cluster has no source files, so every result names the
 * Kubernetes (or EKS) object as a logical location, and adds the manifest file it came from as a
 * physical location when the input was files.
 */

export const SARIF_SCHEMA_URI =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = {
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
  physicalLocation?: { artifactLocation: { uri: string } };
  logicalLocations: { name: string; fullyQualifiedName: string; kind: string }[];
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  kind: 'fail';
  message: Message;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: 'external'; status: 'accepted'; justification: string }[];
  properties: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: {
      driver: { name: string; version: string; semanticVersion: string; rules: SarifRule[] };
    };
    automationDetails: { id: string };
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: {
        level: SarifLevel;
        message: Message;
        associatedRule?: { id: string; index: number };
      }[];
    }[];
    results: SarifResult[];
    properties: Record<string, unknown>;
  }[];
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

function toLocation(finding: Finding, cluster: string, locate: Locator | undefined): SarifLocation {
  const { resource } = finding;
  const qualified = [cluster, resource.kind, resource.namespace, resource.name].filter(Boolean).join('/');
  const uri = locate?.(resource);
  return {
    ...(uri ? { physicalLocation: { artifactLocation: { uri } } } : {}),
    logicalLocations: [{ name: resource.name, fullyQualifiedName: qualified, kind: 'resource' }],
  };
}

export function toSarif(report: AuditReport, options: SarifOptions): SarifLog {
  const rules = options.checks.map(toRule);
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const cluster = report.cluster.name;
  const results: SarifResult[] = report.findings.map((finding) => {
    const index = ruleIndex.get(finding.checkId);
    if (index === undefined)
      throw new Error(`finding of check ${finding.checkId}, which is not in the catalog`);
    const result: SarifResult = {
      ruleId: finding.checkId,
      ruleIndex: index,
      level: LEVEL[finding.severity],
      kind: 'fail',
      message: { text: finding.message },
      locations: [toLocation(finding, cluster, options.locate)],
      partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
      properties: {
        severity: finding.severity,
        cluster,
        resource: finding.resource,
        ...(finding.subject ? { subject: finding.subject } : {}),
        controls: finding.controls,
        evidence: finding.evidence,
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
  });
  const notifications = report.checks
    .filter((c) => c.status === 'not_evaluated')
    .map((c) => ({
      level: 'warning' as const,
      message: { text: `Check ${c.checkId} was not evaluated: ${c.reason ?? 'its input is missing'}` },
      associatedRule: { id: c.checkId, index: ruleIndex.get(c.checkId) ?? -1 },
    }));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vigil',
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            rules,
          },
        },
        // Lets code scanning keep one cluster's results apart from another's in the same repository.
        automationDetails: { id: `vigil/${cluster}/` },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
        results,
        properties: {
          cluster: report.cluster,
          status: report.status,
          coverage: report.coverage,
          summary: report.summary,
        },
      },
    ],
  };
}
