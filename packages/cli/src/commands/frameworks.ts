import { CHECKS, controlMap, FRAMEWORKS } from '@vigil/core';
import { oneOf, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { wantsColor } from '../io.ts';
import { toJson } from '../output.ts';
import { createStyle, formatColumns } from '../report/style.ts';

const usage = `Usage: vigil frameworks [FRAMEWORK-ID] [--format table|json]

List the compliance frameworks Vigil reports on and, for each control, the checks that decide it.
Controls no check decides are "manual": Vigil says so in every report rather than passing them.

  --format FORMAT   table (default) or json
`;

export const frameworks: Command = {
  name: 'frameworks',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { format: { type: 'string' } });
    const format = oneOf('format', values.format, ['table', 'json'] as const, 'table');
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    const id = positionals[0];
    const selected = id === undefined ? FRAMEWORKS : FRAMEWORKS.filter((f) => f.id === id);
    if (selected.length === 0) {
      throw new UsageError(`no framework "${id}"; known: ${FRAMEWORKS.map((f) => f.id).join(', ')}`);
    }
    const byControl = controlMap(CHECKS);
    const described = selected.map((f) => ({
      id: f.id,
      title: f.title,
      version: f.version,
      controls: f.controls.map((c) => ({
        id: c.id,
        title: c.title,
        checks: byControl.get(`${f.id}:${c.id}`) ?? [],
      })),
    }));
    if (format === 'json') {
      io.stdout.write(toJson(described));
      return 0;
    }
    const style = createStyle(wantsColor(io));
    const blocks = described.map((f) => {
      const automated = f.controls.filter((c) => c.checks.length > 0).length;
      const header = `${style.bold(`${f.title} ${f.version}`)} ${style.dim(`(${f.id}: ${automated} of ${f.controls.length} controls automated)`)}`;
      const rows = f.controls.map((c) => [
        c.id,
        c.title,
        c.checks.length ? c.checks.join(', ') : style.dim('manual'),
      ]);
      return `${header}\n${formatColumns(rows, '  ')}`;
    });
    io.stdout.write(`${blocks.join('\n\n')}\n`);
    return 0;
  },
};
