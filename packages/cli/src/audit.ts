import {
  type AuditReport,
  CHECKS,
  type ExceptionsFile,
  runAudit,
  type Severity,
  severityRank,
} from '@vigil/core';
import { toJsonReport, toSarif } from '@vigil/core/report';
import type { FailOn } from './args.ts';
import { jsonPieces, type Output } from './output.ts';
import { buildLocator } from './report/locations.ts';
import { createStyle } from './report/style.ts';
import { renderReportTable } from './report/table.ts';
import type { LoadedSource } from './sources.ts';
import { VERSION } from './version.ts';

export type ReportFormat = 'table' | 'json' | 'sarif';
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'sarif'];

export interface AuditSettings {
  exceptions?: ExceptionsFile | undefined;
  trustedAccountIds?: string[];
  now: Date;
}

/** Runs the whole check catalog over a loaded source. */
export function auditSource(source: LoadedSource, settings: AuditSettings): AuditReport {
  return runAudit({
    snapshot: source.snapshot,
    checks: CHECKS,
    options: { now: settings.now.toISOString(), trustedAccountIds: settings.trustedAccountIds ?? [] },
    ...(settings.exceptions ? { exceptions: settings.exceptions } : {}),
  });
}

export interface RenderSettings {
  format: ReportFormat;
  color: boolean;
  showSuppressed?: boolean;
  now: Date;
  cwd: string;
}

export function renderReport(report: AuditReport, source: LoadedSource, settings: RenderSettings): Output {
  switch (settings.format) {
    // In pieces: each finding (JSON) or result (SARIF, under runs[].results) is serialised on its own.
    case 'json':
      return jsonPieces(
        toJsonReport(
          report,
          { toolVersion: VERSION, generatedAt: settings.now.toISOString() },
          { shareEvidence: true },
        ),
        2,
      );
    case 'sarif':
      return jsonPieces(
        toSarif(report, { toolVersion: VERSION, checks: CHECKS, locate: buildLocator(source, settings.cwd) }),
        4,
      );
    case 'table':
      return renderReportTable(report, {
        style: createStyle(settings.color),
        showSuppressed: settings.showSuppressed ?? false,
      });
  }
}

/** Exit 1 when a failing (not suppressed) finding is at or above the threshold. */
export function exitCodeFor(report: AuditReport, failOn: FailOn): 0 | 1 {
  if (failOn === 'none') return 0;
  const threshold = severityRank(failOn as Severity);
  return report.findings.some((f) => f.status === 'fail' && severityRank(f.severity) >= threshold) ? 1 : 0;
}
