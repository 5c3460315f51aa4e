import { VigilError } from '@vigil/core';
import { type Command, type CommandEntry, EXIT_OK, EXIT_USAGE } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { UsageError } from './errors.ts';
import type { Io } from './io.ts';
import { VERSION } from './version.ts';

function generalUsage(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), 'help'.length) + 2;
  return `vigil ${VERSION}: Kubernetes access audit (RBAC, IAM mappings, control plane)

Usage: vigil COMMAND [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}Show help for a command (vigil help scan)

Options:
  -h, --help      Show help (also after a command)
  -v, --version   Print the version

Exit codes: 0 ok, 1 findings at or above --fail-on (scan), 2 bad usage or bad input.
Set VIGIL_DEBUG=1 to see stack traces of unexpected errors.
`;
}

function isHelpFlag(arg: string): boolean {
  return arg === '--help' || arg === '-h';
}

/**
 * Runs `vigil ARGS...` and returns the exit code. Never throws: bad usage and bad input become one clear
 * line on stderr and exit 2; anything unexpected too, with the stack only when VIGIL_DEBUG=1.
 */
export async function main(
  argv: string[],
  io: Io,
  commands: readonly CommandEntry[] = COMMANDS,
): Promise<number> {
  const [first, ...rest] = argv;
  const find = (name: string | undefined) => commands.find((c) => c.name === name);
  if (first === undefined) {
    io.stderr.write(generalUsage(commands));
    return EXIT_USAGE;
  }
  if (isHelpFlag(first)) {
    io.stdout.write(generalUsage(commands));
    return EXIT_OK;
  }
  if (first === '--version' || first === '-v' || first === 'version') {
    io.stdout.write(`vigil ${VERSION}\n`);
    return EXIT_OK;
  }
  if (first === 'help') {
    if (rest[0] === undefined) {
      io.stdout.write(generalUsage(commands));
      return EXIT_OK;
    }
    const entry = find(rest[0]);
    if (!entry) return unknownCommand(rest[0], io, commands);
    io.stdout.write((await entry.load()).usage);
    return EXIT_OK;
  }
  const entry = find(first);
  if (!entry) return unknownCommand(first, io, commands);
  const command = await entry.load();
  // Help wins over everything else on the line, like most CLIs; `--` ends options.
  const optionArgs = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (optionArgs.some(isHelpFlag)) {
    io.stdout.write(command.usage);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, command, io);
  }
}

function unknownCommand(name: string, io: Io, commands: readonly CommandEntry[]): number {
  const label = name.startsWith('-') ? `unknown option ${name}` : `unknown command "${name}"`;
  io.stderr.write(`vigil: ${label}\n\n${generalUsage(commands)}`);
  return EXIT_USAGE;
}

function reportError(error: unknown, command: Command, io: Io): number {
  const debug = io.env.VIGIL_DEBUG === '1' || io.env.VIGIL_DEBUG === 'true';
  if (error instanceof UsageError) {
    io.stderr.write(`vigil ${command.name}: ${error.message}\n\n${command.usage}`);
    return EXIT_USAGE;
  }
  if (error instanceof VigilError) {
    io.stderr.write(`vigil ${command.name}: error: ${error.message}\n`);
    if (debug && error.stack) io.stderr.write(`${error.stack}\n`);
    return EXIT_USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(
    `vigil ${command.name}: unexpected error: ${message}\n` +
      (debug ? '' : 'This is a bug in vigil; run again with VIGIL_DEBUG=1 for details.\n'),
  );
  if (debug && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  return EXIT_USAGE;
}
