import { z } from 'zod';
import type { AuditReport } from '../audit/run.ts';
import { SEVERITIES } from '../audit/types.ts';
import { coverageSchema, SOURCES } from '../snapshot/model.ts';

/**
 * The report as the outside world sees it (`vigil scan --format json`, the API, stored runs): one shape,
 * built in one place from the audit's own result, so every consumer reads the same fields.
 */

export const JSON_REPORT_VERSION = 1;

const severity = z.enum(SEVERITIES);
const objectRef = z.strictObject({ kind: z.string(), name: z.string(), namespace: z.string().optional() });
const subjectRef = z.strictObject({
  kind: z.enum(['User', 'Group', 'ServiceAccount', 'IAMPrincipal']),
  name: z.string(),
  namespace: z.string().optional(),
});
const counts = <K extends readonly [string, ...string[]]>(keys: K) =>
  z.strictObject(
    Object.fromEntries(keys.map((k) => [k, z.number().int().nonnegative()])) as {
      [P in K[number]]: z.ZodNumber;
    },
  );
const checkStatus = z.enum(['pass', 'fail', 'not_evaluated', 'not_applicable']);
const controlStatus = z.enum(['pass', 'fail', 'not_evaluated', 'not_applicable', 'manual']);

export const jsonFindingSchema = z.strictObject({
  checkId: z.string(),
  title: z.string(),
  severity,
  status: z.enum(['fail', 'suppressed']),
  resource: objectRef,
  subject: subjectRef.optional(),
  message: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  /** Framework-qualified control ids, e.g. `cis-eks-1.8.0:4.1.1`. */
  controls: z.array(z.string()),
  /** Stable across runs: check id + resource identity + subject. */
  fingerprint: z.string().regex(/^[0-9a-f]{32}$/),
  /** Present on suppressed findings: the exception that covers it. */
  suppression: z
    .strictObject({
      exceptionId: z.string(),
      reason: z.string(),
      source: z.enum(['default', 'user']),
    })
    .optional(),
});
export type JsonFinding = z.infer<typeof jsonFindingSchema>;

export const jsonReportSchema = z.strictObject({
  reportVersion: z.literal(JSON_REPORT_VERSION),
  tool: z.strictObject({ name: z.literal('vigil'), version: z.string() }),
  /** When the audit ran (ISO 8601), as the caller's clock said. */
  generatedAt: z.string(),
  cluster: z.strictObject({
    name: z.string(),
    platform: z.enum(['eks', 'kubernetes']),
    arn: z.string().optional(),
    accountId: z.string().optional(),
    region: z.string().optional(),
    kubernetesVersion: z.string().optional(),
  }),
  /** `partial` when any input a check needs was not read completely: some checks did not run. */
  status: z.enum(['complete', 'partial']),
  coverage: z.partialRecord(z.enum(SOURCES), coverageSchema),
  summary: z.strictObject({
    findings: counts(['fail', 'suppressed'] as const),
    /** Failing findings by severity; suppressed ones are only counted in `findings.suppressed`. */
    bySeverity: counts(SEVERITIES),
    checks: counts(['pass', 'fail', 'not_evaluated', 'not_applicable'] as const),
  }),
  findings: z.array(jsonFindingSchema),
  checks: z.array(
    z.strictObject({
      checkId: z.string(),
      status: checkStatus,
      /** Why a check was not evaluated or is not applicable. */
      reason: z.string().optional(),
      failed: z.number().int().nonnegative(),
      suppressed: z.number().int().nonnegative(),
    }),
  ),
  compliance: z.array(
    z.strictObject({
      framework: z.string(),
      title: z.string(),
      version: z.string(),
      summary: counts(['pass', 'fail', 'not_evaluated', 'not_applicable', 'manual'] as const),
      controls: z.array(
        z.strictObject({
          id: z.string(),
          qualifiedId: z.string(),
          title: z.string(),
          status: controlStatus,
          checks: z.array(z.string()),
          reason: z.string().optional(),
        }),
      ),
    }),
  ),
  /** Notes about the input (e.g. object kinds that were ignored). */
  warnings: z.array(z.string()),
});
export type JsonReport = z.infer<typeof jsonReportSchema>;

export interface JsonReportMeta {
  toolVersion: string;
  /** ISO 8601; core reads no clock, so the caller says when the audit ran. */
  generatedAt: string;
}

function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}

/**
 * Builds the public report from an audit result; keys are written in a fixed order for readable diffs.
 * The report shares no object with the audit result, unless `shareEvidence` is set: then each finding's
 * evidence is the audit's own (no deep copy), for callers that serialise the report at once.
 */
export function toJsonReport(
  report: AuditReport,
  meta: JsonReportMeta,
  options: { shareEvidence?: boolean } = {},
): JsonReport {
  const evidenceOf = options.shareEvidence
    ? (evidence: Record<string, unknown>) => evidence
    : (evidence: Record<string, unknown>) => structuredClone(evidence);
  const { cluster } = report;
  return {
    reportVersion: JSON_REPORT_VERSION,
    tool: { name: 'vigil', version: meta.toolVersion },
    generatedAt: meta.generatedAt,
    cluster: {
      name: cluster.name,
      platform: cluster.platform,
      ...optional('arn', cluster.arn),
      ...optional('accountId', cluster.accountId),
      ...optional('region', cluster.region),
      ...optional('kubernetesVersion', cluster.kubernetesVersion),
    },
    status: report.status,
    coverage: Object.fromEntries(
      Object.entries(report.coverage).map(([source, c]) => [
        source,
        { status: c.status, ...optional('reason', c.reason), ...optional('count', c.count) },
      ]),
    ),
    summary: {
      findings: { ...report.summary.findings },
      bySeverity: { ...report.summary.bySeverity },
      checks: { ...report.summary.checks },
    },
    findings: report.findings.map((f) => ({
      checkId: f.checkId,
      title: f.title,
      severity: f.severity,
      status: f.status,
      resource: ref(f.resource),
      ...(f.subject ? { subject: ref(f.subject) } : {}),
      message: f.message,
      evidence: evidenceOf(f.evidence),
      controls: [...f.controls],
      fingerprint: f.fingerprint,
      ...(f.suppression ? { suppression: { ...f.suppression } } : {}),
    })),
    checks: report.checks.map((c) => ({
      checkId: c.checkId,
      status: c.status,
      ...optional('reason', c.reason),
      failed: c.failed,
      suppressed: c.suppressed,
    })),
    compliance: report.compliance.map((fw) => ({
      framework: fw.framework,
      title: fw.title,
      version: fw.version,
      summary: { ...fw.summary },
      controls: fw.controls.map((c) => ({
        id: c.id,
        qualifiedId: c.qualifiedId,
        title: c.title,
        status: c.status,
        checks: [...c.checks],
        ...optional('reason', c.reason),
      })),
    })),
    warnings: [...report.warnings],
  };
}

function ref<T extends { kind: string; name: string; namespace?: string }>(value: T): T {
  return {
    kind: value.kind,
    name: value.name,
    ...(value.namespace !== undefined ? { namespace: value.namespace } : {}),
  } as T;
}

/** The JSON Schema of the report (`vigil schema report`). */
export function jsonReportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(jsonReportSchema, { io: 'output' }) as Record<string, unknown>;
}
