/** Base class of every error Vigil's domain raises: a stable `code` callers can switch on. */
export class VigilError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Input that cannot be used: a file that does not parse, an object of the wrong shape. */
export class InputError extends VigilError {
  /** Where the bad input came from, e.g. a file name and an object inside it. */
  readonly source: string;
  constructor(source: string, message: string, options?: { cause?: unknown }) {
    super('INVALID_INPUT', `${source}: ${message}`, options);
    this.source = source;
  }
}

/**
 * A check cannot decide because an input it reads lacks what it needs: a describe-cluster output without its
 * logging section, an encrypted cluster without the key's description, no account to tell foreign principals
 * by. The engine reports the check `not_evaluated` with this message as the reason; any other error a check
 * throws is a bug and is reported as "the check failed".
 */
export class MissingInputError extends VigilError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MISSING_INPUT', message, options);
  }
}
