import { snapshotJsonSchema } from '@vigil/core';
import { jsonReportJsonSchema } from '@vigil/core/report';
import { expectPositionals, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { toJson } from '../output.ts';

const SCHEMAS: Record<string, { describe: string; build: () => Record<string, unknown> }> = {
  snapshot: { describe: 'the snapshot file (vigil scan --snapshot)', build: snapshotJsonSchema },
  report: { describe: 'the JSON report (vigil scan --format json)', build: jsonReportJsonSchema },
};

const usage = `Usage: vigil schema NAME

Print a JSON Schema (draft 2020-12):
${Object.entries(SCHEMAS)
  .map(([name, s]) => `  ${name.padEnd(10)}${s.describe}`)
  .join('\n')}
`;

export const schema: Command = {
  name: 'schema',
  usage,
  async run(argv, io) {
    const { positionals } = parseFlags(argv, {});
    expectPositionals(positionals, 1, 'NAME (snapshot or report)');
    const entry = SCHEMAS[positionals[0]!];
    if (!entry)
      throw new UsageError(`no schema "${positionals[0]}"; known: ${Object.keys(SCHEMAS).join(', ')}`);
    io.stdout.write(toJson(entry.build()));
    return 0;
  },
};
