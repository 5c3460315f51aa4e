import { VigilError } from '@vigil/core';

/** The command line itself is wrong (unknown flag, missing argument): exit 2 with the command's usage. */
export class UsageError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/**
 * The command is right but cannot run in this state (the local stack holds the database, no API key for it):
 * exit 2 with the message alone, which says what to do, not the usage.
 */
export class StateError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STATE', message, options);
  }
}
