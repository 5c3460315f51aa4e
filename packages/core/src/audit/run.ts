import { rollUpCompliance } from '../compliance/evaluate.ts';
import type { FrameworkResult } from '../compliance/model.ts';
import { MissingInputError } from '../errors.ts';
import { type ActiveException, activeExceptions, findException, globMatches } from '../exceptions/match.ts';
import type { ExceptionsFile } from '../exceptions/model.ts';
import { buildRbacIndex } from '../rbac/index-builder.ts';
import type { Coverage, Snapshot, Source } from '../snapshot/model.ts';
import { fingerprintOf } from './fingerprint.ts';
import { redactEvidence, redactText } from './redact.ts';
import {
  type AuditOptions,
  type Check,
  type CheckContext,
  type CheckResult,
  type CheckStatus,
  type Finding,
  type FindingDraft,
  SEVERITIES,
  type Severity,
  severityRank,
} from './types.ts';

export interface AuditSummary {
  findings: { fail: number; suppressed: number };
  /** Failing findings by severity (suppressed ones are counted apart). */
  bySeverity: Record<Severity, number>;
  checks: Record<CheckStatus, number>;
}

export interface AuditReport {
  cluster: Snapshot['cluster'];
  /** `partial` when any input a check needs was not read completely. */
  status: 'complete' | 'partial';
  coverage: Partial<Record<Source, Coverage>>;
  summary: AuditSummary;
  findings: Finding[];
  checks: CheckResult[];
  compliance: FrameworkResult[];
  warnings: string[];
}

export interface RunAuditInput {
  snapshot: Snapshot;
  checks: readonly Check[];
  options: AuditOptions;
  exceptions?: ExceptionsFile;
}

/** Which checks can run: missing input makes a check `not_evaluated`, never a silent pass. */
export function readiness(
  check: Check,
  coverage: Snapshot['coverage'],
): { status: 'ready' } | { status: 'not_evaluated' | 'not_applicable'; reason: string } {
  for (const source of check.meta.appliesWith ?? []) {
    const entry = coverage[source];
    if (entry?.status === 'not_applicable') {
      return { status: 'not_applicable', reason: entry.reason ?? `${source}: not applicable` };
    }
  }
  const missing: string[] = [];
  const inapplicable: string[] = [];
  for (const source of check.meta.reads) {
    const entry = coverage[source];
    if (!entry) missing.push(`${source}: not collected`);
    else if (entry.status === 'not_applicable')
      inapplicable.push(entry.reason ?? `${source}: not applicable`);
    else if (entry.status !== 'complete')
      missing.push(`${source}: ${entry.status}${entry.reason ? ` (${entry.reason})` : ''}`);
  }
  if (missing.length > 0) return { status: 'not_evaluated', reason: missing.join('; ') };
  if (check.meta.reads.length > 0 && inapplicable.length === check.meta.reads.length) {
    return { status: 'not_applicable', reason: [...new Set(inapplicable)].join('; ') };
  }
  return { status: 'ready' };
}

/** Runs every check over one snapshot. Pure: the same input gives the same report. */
export function runAudit(input: RunAuditInput): AuditReport {
  const { snapshot, options } = input;
  const context: CheckContext = { snapshot, rbac: buildRbacIndex(snapshot), options };
  const exceptions = activeExceptions(input.exceptions, options.now);
  const findings: Finding[] = [];
  const results: CheckResult[] = [];
  for (const check of input.checks) {
    const ready = readiness(check, snapshot.coverage);
    if (ready.status !== 'ready') {
      results.push({
        checkId: check.meta.id,
        status: ready.status,
        reason: ready.reason,
        failed: 0,
        suppressed: 0,
      });
      continue;
    }
    // Everything a check hands back is processed inside the try: a check that throws, returns something that
    // is not a list or a draft without a resource is `not_evaluated` (never a pass), and the other checks run.
    const checkFindings: Finding[] = [];
    let failed = 0;
    let suppressed = 0;
    // findException skips exceptions whose `checks` miss this check; dropping those once per check (not once per
    // finding) keeps their order and gives the same answers.
    const checkExceptions = candidateExceptions(
      exceptions.filter((e) => e.checks.some((pattern) => globMatches(pattern, check.meta.id))),
    );
    try {
      const drafts: unknown = check.run(context);
      if (!Array.isArray(drafts)) throw new Error('it returned no list of findings');
      const seen = new Set<string>();
      for (const draft of drafts as FindingDraft[]) {
        const fingerprint = fingerprintOf(check.meta.id, draft.resource, draft.subject, draft.discriminator);
        if (seen.has(fingerprint)) continue;
        seen.add(fingerprint);
        const finding: Finding = {
          checkId: check.meta.id,
          title: check.meta.title,
          severity: draft.severity ?? check.meta.severity,
          status: 'fail',
          resource: draft.resource,
          // Evidence quotes cluster objects anyone with write access can fill: mask credential-like values.
          message: redactText(draft.message),
          evidence: redactEvidence(draft.evidence),
          controls: check.meta.controls,
          fingerprint,
        };
        if (draft.subject) finding.subject = draft.subject;
        const exception = findException(finding, checkExceptions(finding));
        if (exception) {
          finding.status = 'suppressed';
          finding.suppression = {
            exceptionId: exception.id,
            reason: exception.reason,
            source: exception.source,
          };
          suppressed++;
        } else {
          failed++;
        }
        checkFindings.push(finding);
      }
    } catch (error) {
      const detail = redactText(error instanceof Error ? error.message : String(error)).slice(0, 500);
      results.push({
        checkId: check.meta.id,
        status: 'not_evaluated',
        // A check that names the input it lacks has said why; anything else it throws is a bug in the check.
        reason: error instanceof MissingInputError ? detail : `the check failed: ${detail}`,
        failed: 0,
        suppressed: 0,
      });
      continue;
    }
    for (const finding of checkFindings) findings.push(finding);
    results.push({ checkId: check.meta.id, status: failed > 0 ? 'fail' : 'pass', failed, suppressed });
  }
  findings.sort(compareFindings);
  const summary: AuditSummary = {
    findings: { fail: 0, suppressed: 0 },
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>,
    checks: { pass: 0, fail: 0, not_evaluated: 0, not_applicable: 0 },
  };
  for (const finding of findings) {
    summary.findings[finding.status]++;
    if (finding.status === 'fail') summary.bySeverity[finding.severity]++;
  }
  for (const result of results) summary.checks[result.status]++;
  // Partial when any input was not read completely, including inputs a check needs that have no coverage
  // entry at all (a hand-written snapshot may leave them out).
  const partial =
    Object.values(snapshot.coverage).some((c) => c.status !== 'complete' && c.status !== 'not_applicable') ||
    input.checks.some((check) => check.meta.reads.some((source) => snapshot.coverage[source] === undefined));
  return {
    cluster: snapshot.cluster,
    status: partial ? 'partial' : 'complete',
    coverage: snapshot.coverage,
    summary,
    findings,
    checks: results,
    compliance: rollUpCompliance(input.checks, results),
    warnings: snapshot.warnings,
  };
}

/**
 * The exceptions that could cover a finding, in their original order, so findException gives the same answer
 * as over the whole list. Most name one subject or resource exactly (the defaults do); those are looked up by
 * that name instead of being tried against every finding of a large audit.
 */
function candidateExceptions(
  exceptions: readonly ActiveException[],
): (finding: Pick<Finding, 'resource' | 'subject'>) => readonly ActiveException[] {
  const bySubjectName = new Map<string, number[]>();
  const byResourceName = new Map<string, number[]>();
  const anyName: number[] = [];
  exceptions.forEach((exception, position) => {
    // A pattern without `*` matches only that exact name (globMatches), and a subject pattern only findings
    // that have a subject.
    const subjectName = exception.subject?.name;
    const resourceName = exception.resource?.name;
    if (subjectName !== undefined && !subjectName.includes('*')) pushTo(bySubjectName, subjectName, position);
    else if (resourceName !== undefined && !resourceName.includes('*'))
      pushTo(byResourceName, resourceName, position);
    else anyName.push(position);
  });
  if (bySubjectName.size === 0 && byResourceName.size === 0) return () => exceptions;
  const unnamed = anyName.map((position) => exceptions[position]!);
  return (finding) => {
    const bySubject = finding.subject ? bySubjectName.get(finding.subject.name) : undefined;
    const byResource = byResourceName.get(finding.resource.name);
    if (!bySubject && !byResource) return unnamed;
    return [...(bySubject ?? []), ...(byResource ?? []), ...anyName]
      .sort((a, b) => a - b)
      .map((position) => exceptions[position]!);
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.status === b.status ? 0 : a.status === 'fail' ? -1 : 1) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    compareText(a.checkId, b.checkId) ||
    compareText(a.fingerprint, b.fingerprint)
  );
}

/** Code-unit order: unlike localeCompare it does not depend on the runtime's locale data. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
