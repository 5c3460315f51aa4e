import type { z } from 'zod';
import { InvalidInputError } from './errors.ts';

/** Parses a value the store is about to write; the first problem becomes an InvalidInputError. */
export function parseOrThrow<T extends z.ZodType>(what: string, schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map(String).join('.');
    throw new InvalidInputError(`${what}${path ? `.${path}` : ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs: one that is not a UUID names nothing (rather than failing the cast in SQL). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
