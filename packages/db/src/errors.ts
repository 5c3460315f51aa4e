import { VigilError } from '@vigil/core';

/** Base of the errors the store raises; `code` is stable for callers (the API maps it to a status). */
export class DbError extends VigilError {}

/** The database could not be opened: a malformed URL, an unreachable server, a locked data directory. */
export class DatabaseConfigError extends DbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DB_CONFIG', message, options);
  }
}

export class NotFoundError extends DbError {
  readonly entity: string;
  readonly id: string;
  constructor(entity: string, id: string) {
    super('NOT_FOUND', `${entity} ${id} does not exist`);
    this.entity = entity;
    this.id = id;
  }
}

/** A write that would break a uniqueness rule, e.g. a second live cluster with the same name. */
export class ConflictError extends DbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFLICT', message, options);
  }
}

/** A run asked to move backwards (e.g. complete -> running), which the store never does. */
export class RunTransitionError extends DbError {
  constructor(message: string) {
    super('INVALID_TRANSITION', message);
  }
}

/** A page cursor that this store did not issue for this listing, or that was altered. */
export class InvalidCursorError extends DbError {
  constructor(message = 'the cursor is not valid for this listing') {
    super('INVALID_CURSOR', message);
  }
}

export class PageLimitError extends DbError {
  readonly max: number;
  constructor(limit: number, max: number) {
    super('INVALID_LIMIT', `limit must be an integer from 1 to ${max}, got ${limit}`);
    this.max = max;
  }
}

/** Input the store refuses before writing (a cut-off in the future, a slot that is too long, ...). */
export class InvalidInputError extends DbError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/** True when Postgres reported a unique violation (SQLSTATE 23505), through either driver. */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}
