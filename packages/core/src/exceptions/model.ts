import { z } from 'zod';
import { InputError } from '../errors.ts';
import { parseDocuments, type TextInput } from '../snapshot/load.ts';

const pattern = z.string().min(1).max(512);

export const exceptionSchema = z.strictObject({
  id: z.string().min(1).max(128),
  /** Check ids (or `*`) the exception covers. */
  checks: z.array(pattern).min(1),
  subject: z
    .strictObject({
      kind: z.enum(['User', 'Group', 'ServiceAccount', 'IAMPrincipal']).optional(),
      name: pattern,
      namespace: pattern.optional(),
    })
    .optional(),
  resource: z
    .strictObject({ kind: pattern.optional(), name: pattern, namespace: pattern.optional() })
    .optional(),
  reason: z.string().min(1).max(2000),
  owner: z.string().max(256).optional(),
  /** ISO 8601 date or date-time; from then on the exception no longer applies. */
  expires: z.iso
    .date()
    .or(z.iso.datetime({ offset: true }))
    .optional(),
});
export type AuditException = z.infer<typeof exceptionSchema>;

export const exceptionsFileSchema = z.strictObject({
  /** Keep the built-in exceptions for system identities (default true). */
  defaults: z.boolean().default(true),
  /** Ids of built-in exceptions to drop. */
  disable: z.array(z.string()).default([]),
  exceptions: z.array(exceptionSchema).default([]),
});
export type ExceptionsFile = z.infer<typeof exceptionsFileSchema>;

/** Reads an exceptions file (YAML or JSON) as `vigil scan --exceptions FILE` takes it. */
export function parseExceptionsFile(input: TextInput): ExceptionsFile {
  const documents = parseDocuments(input);
  const parsed = exceptionsFileSchema.safeParse(documents[0] ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(
      input.name,
      `not an exceptions file: ${issue?.path.join('.') || '(document)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}
