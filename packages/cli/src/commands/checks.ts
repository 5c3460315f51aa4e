import { CHECKS, type Check, SEVERITIES } from '@vigil/core';
import { oneOf, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { wantsColor } from '../io.ts';
import { toJson } from '../output.ts';
import { createStyle, formatColumns } from '../report/style.ts';

const usage = `Usage: vigil checks [CHECK-ID] [--format table|json]

List the check catalog: id, severity, category and title, with the compliance controls each check
decides. With a CHECK-ID, show that check in full: rationale, remediation, inputs read, controls.

  --format FORMAT   table (default) or json (full metadata of every check)
`;

function sortedChecks(): Check[] {
  return [...CHECKS].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.meta.severity) - SEVERITIES.indexOf(b.meta.severity) ||
      a.meta.id.localeCompare(b.meta.id),
  );
}

export const checks: Command = {
  name: 'checks',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { format: { type: 'string' } });
    const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const id = positionals[0];
    const selected = id === undefined ? sortedChecks() : CHECKS.filter((c) => c.meta.id === id);
    if (id !== undefined && selected.length === 0) {
      throw new UsageError(`no check "${id}"; \`vigil checks\` lists them`);
    }
    if (format === 'json') {
      const metas = selected.map((c) => c.meta);
      io.stdout.write(toJson(id === undefined ? metas : metas[0]));
      return 0;
    }
    const style = createStyle(wantsColor(io));
    if (id !== undefined) {
      const { meta } = selected[0]!;
      const lines = [
        style.bold(`${meta.id}: ${meta.title}`),
        `severity: ${style.severity(meta.severity, meta.severity)}    category: ${meta.category}`,
        `reads:    ${meta.reads.join(', ')}`,
        `controls: ${meta.controls.join(', ') || '(none)'}`,
        '',
        style.bold('Why it matters'),
        meta.rationale,
        '',
        style.bold('Remediation'),
        meta.remediation.text,
        ...(meta.remediation.command ? ['', `  ${meta.remediation.command}`] : []),
        ...(meta.remediation.manifest ? ['', meta.remediation.manifest] : []),
        ...(meta.references?.length ? ['', style.bold('References'), ...meta.references] : []),
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    }
    const rows = [
      ['ID', 'SEVERITY', 'CATEGORY', 'TITLE', 'CONTROLS'].map((h) => style.bold(h)),
      ...selected.map(({ meta }) => [
        meta.id,
        style.severity(meta.severity, meta.severity),
        meta.category,
        meta.title,
        meta.controls.join(' '),
      ]),
    ];
    io.stdout.write(
      `${formatColumns(rows)}\n\n${selected.length} checks. \`vigil checks ID\` shows one in full.\n`,
    );
    return 0;
  },
};
