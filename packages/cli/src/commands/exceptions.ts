import { DEFAULT_EXCEPTIONS } from '@vigil/core';
import { oneOf, parseFlags } from '../args.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { toJson } from '../output.ts';

const usage = `Usage: vigil exceptions [--format yaml|json]

Print Vigil's built-in exceptions: the system identities (control-plane components, EKS-managed
roles and groups, the default system:masters binding, kubelets) whose findings are reported as
"suppressed" with a reason instead of "fail".

The output is itself a valid exceptions file that reproduces the built-ins, so you can start from it:

  vigil exceptions > exceptions.yaml      # then edit, and
  vigil scan --exceptions exceptions.yaml ...

An exceptions file has three keys, all optional:
  defaults: true|false     keep the built-in exceptions (default true)
  disable: [ID, ...]       drop some built-in exceptions by id
  exceptions: [...]        your own: id, checks (ids or globs), subject and/or resource
                           ({kind, name, namespace}, * globs allowed), reason, owner, expires (date)

  --format FORMAT   yaml (default) or json
`;

/** A YAML scalar; JSON's double-quoted strings are valid YAML, so quoting never changes the value. */
function scalar(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** Emits the exceptions file as block YAML, written by hand because the shape is small and fixed. */
function toYaml(file: { defaults: boolean; exceptions: readonly Record<string, unknown>[] }): string {
  const lines = [
    '# Vigil built-in exceptions, as an exceptions file (vigil scan --exceptions FILE).',
    '# With defaults: false only the entries below apply: edit, delete or add entries freely.',
    '# To keep the built-ins and only drop a few, write instead:  disable: [ID, ...]',
    `defaults: ${file.defaults}`,
    'exceptions:',
  ];
  for (const exception of file.exceptions) {
    let first = true;
    for (const [key, value] of Object.entries(exception)) {
      const prefix = first ? '  - ' : '    ';
      first = false;
      if (Array.isArray(value)) lines.push(`${prefix}${key}: [${value.map(scalar).join(', ')}]`);
      else if (value && typeof value === 'object') {
        const inner = Object.entries(value).map(([k, v]) => `${k}: ${scalar(v)}`);
        lines.push(`${prefix}${key}: { ${inner.join(', ')} }`);
      } else lines.push(`${prefix}${key}: ${scalar(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const exceptions: Command = {
  name: 'exceptions',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { format: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const format = oneOf('format', values.format, ['yaml', 'json'] as const, 'yaml');
    const file = { defaults: false, exceptions: DEFAULT_EXCEPTIONS.map((e) => ({ ...e })) };
    io.stdout.write(format === 'json' ? toJson(file) : toYaml(file));
    return 0;
  },
};
