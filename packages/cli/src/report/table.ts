import { type AuditReport, type Finding, SEVERITIES } from '@vigil/core';
import { describeRef, formatColumns, plural, type Style } from './style.ts';

export interface TableOptions {
  style: Style;
  /** List every suppressed finding instead of a count per exception. */
  showSuppressed?: boolean;
}

const CONTROL_STATUS_ORDER = ['fail', 'not_evaluated', 'pass', 'not_applicable', 'manual'] as const;

/** The audit as a person reads it in a terminal: what is wrong first, then what was not looked at. */
export function renderReportTable(report: AuditReport, options: TableOptions): string {
  const { style } = options;
  const out: string[] = [];
  const { cluster } = report;
  const facts = [
    cluster.platform === 'eks' ? 'EKS' : 'Kubernetes',
    cluster.arn,
    cluster.kubernetesVersion ? `Kubernetes ${cluster.kubernetesVersion}` : undefined,
  ].filter(Boolean);
  out.push(style.bold(`Cluster ${cluster.name}`) + style.dim(` (${facts.join(', ')})`));

  const incomplete = Object.entries(report.coverage).filter(
    ([, c]) => c.status !== 'complete' && c.status !== 'not_applicable',
  );
  if (report.status === 'complete') {
    out.push(`Status: ${style.green('complete')}: every input the checks need was read`);
  } else {
    out.push(
      `Status: ${style.yellow('PARTIAL')}: ${plural(incomplete.length, 'input')} not read completely, so some checks did not run`,
    );
    for (const [source, c] of incomplete) {
      out.push(`  ${source}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`);
    }
  }

  const failing = report.findings.filter((f) => f.status === 'fail');
  const suppressed = report.findings.filter((f) => f.status === 'suppressed');
  const counts = SEVERITIES.map((s) => style.severity(s, `${report.summary.bySeverity[s]} ${s}`)).join(', ');
  out.push(`Findings: ${counts}; ${suppressed.length} suppressed`);

  if (failing.length === 0) {
    out.push('', style.green('No failing findings.'));
  }
  for (const severity of SEVERITIES) {
    const group = failing.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    out.push('', style.severity(severity, style.bold(`${severity.toUpperCase()} (${group.length})`)));
    // Within a severity, one heading per check: the check's title once, then each finding.
    const byCheck = new Map<string, Finding[]>();
    for (const finding of group) {
      const list = byCheck.get(finding.checkId);
      if (list) list.push(finding);
      else byCheck.set(finding.checkId, [finding]);
    }
    for (const [checkId, findings] of byCheck) {
      out.push(`  ${style.bold(checkId)} ${style.dim(`${findings[0]!.title} (${findings.length})`)}`);
      for (const finding of findings) out.push(renderFinding(finding, style));
    }
  }

  if (suppressed.length > 0) {
    out.push('', style.bold(`Suppressed (${suppressed.length})`) + style.dim(' by exceptions'));
    if (options.showSuppressed) {
      for (const finding of suppressed) {
        out.push(renderFinding(finding, style, true));
        const s = finding.suppression;
        if (s) out.push(style.dim(`        exception ${s.exceptionId} (${s.source}): ${s.reason}`));
      }
    } else {
      // Built-in exceptions name one identity each; those that share a reason (the controllers of
      // kube-controller-manager, say) make one line.
      const byReason = new Map<string, { count: number; ids: Set<string>; reason: string; source: string }>();
      for (const finding of suppressed) {
        const s = finding.suppression;
        const key = `${s?.source ?? ''}\u0000${s?.reason ?? s?.exceptionId ?? ''}`;
        const entry = byReason.get(key) ?? {
          count: 0,
          ids: new Set(),
          reason: s?.reason ?? '',
          source: s?.source ?? '',
        };
        byReason.set(key, entry);
        entry.count++;
        entry.ids.add(s?.exceptionId ?? '(unknown)');
      }
      const rows = [...byReason.values()]
        .map((e) => ({ ...e, label: exceptionsLabel([...e.ids].sort()) }))
        .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label))
        .map((e) => [String(e.count), `${e.label} (${e.source})`, style.dim(firstSentence(e.reason))]);
      out.push(formatColumns(rows, '  '));
      out.push(style.dim('  Run with --show-suppressed to list them.'));
    }
  }

  const notEvaluated = report.checks.filter((c) => c.status === 'not_evaluated');
  if (notEvaluated.length > 0) {
    out.push('', style.yellow(style.bold(`Checks not evaluated (${notEvaluated.length})`)));
    out.push(
      formatColumns(
        notEvaluated.map((c) => [c.checkId, c.reason ?? '']),
        '  ',
      ),
    );
  }
  const notApplicable = report.checks.filter((c) => c.status === 'not_applicable');
  if (notApplicable.length > 0) {
    const reasons = [...new Set(notApplicable.map((c) => c.reason ?? 'not applicable'))];
    out.push(
      '',
      style.dim(
        `Checks not applicable (${notApplicable.length}, ${reasons.join('; ')}): ${notApplicable.map((c) => c.checkId).join(', ')}`,
      ),
    );
  }

  out.push('', style.bold('Compliance (controls)'));
  out.push(
    formatColumns(
      report.compliance.map((fw) => [
        `${fw.title} ${fw.version}`,
        ...CONTROL_STATUS_ORDER.map((status) => {
          const text = `${fw.summary[status]} ${status.replace('_', ' ')}`;
          if (status === 'fail' && fw.summary.fail > 0) return style.red(text);
          if (status === 'not_evaluated' && fw.summary.not_evaluated > 0) return style.yellow(text);
          return text;
        }),
      ]),
      '  ',
    ),
  );

  if (report.warnings.length > 0) {
    out.push('', style.bold('Input notes'));
    for (const warning of report.warnings) out.push(`  ${warning}`);
  }
  return `${out.join('\n')}\n`;
}

/** The message, then the object to change and who holds the access, each on its own line for grep. */
function renderFinding(finding: Finding, style: Style, withCheck = false): string {
  const lines = [`    ${style.severity(finding.severity, '*')} ${finding.message}`];
  const rows: string[][] = [[style.dim('resource'), describeRef(finding.resource)]];
  if (finding.subject) rows.push([style.dim('subject'), describeRef(finding.subject)]);
  if (withCheck) rows.push([style.dim('check'), `${finding.checkId} ${style.dim(`(${finding.title})`)}`]);
  lines.push(formatColumns(rows, '        '));
  return lines.join('\n');
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}

/** `kube-system-job-controller`, or for several ids `kube-system-* (3 exceptions)`. */
function exceptionsLabel(ids: readonly string[]): string {
  if (ids.length === 1) return ids[0]!;
  let prefix = ids[0]!;
  for (const id of ids) while (!id.startsWith(prefix)) prefix = prefix.slice(0, -1);
  const shown = prefix.length >= 4 ? `${prefix}*` : `${ids[0]} and others`;
  return `${shown}, ${ids.length} exceptions`;
}
