import { VigilError } from '@vigil/core';

/** The command line itself is wrong (unknown flag, missing argument): exit 2 with the command's usage. */
export class UsageError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}
