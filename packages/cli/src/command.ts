import type { Io } from './io.ts';

/** One `vigil` subcommand. Adding a command is a new file exporting one of these plus an entry in the registry. */
export interface Command {
  name: string;
  /** Full help text: synopsis, options, examples. */
  usage: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(argv: string[], io: Io): Promise<number>;
}

/** A command as the registry lists it: its name and summary, and its module loaded on demand. */
export interface CommandEntry {
  name: string;
  /** One line for the command list. */
  summary: string;
  load(): Promise<Command>;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
