import { z } from 'zod';
import { InputError } from '../errors.ts';
import { parseDocuments, type TextInput } from '../snapshot/load.ts';
import { DEFAULT_EXCEPTIONS } from './defaults.ts';

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

export const exceptionsFileSchema = z
  .strictObject({
    /** Keep the built-in exceptions for system identities (default true). */
    defaults: z.boolean().default(true),
    /** Ids of built-in exceptions to drop. */
    disable: z.array(z.string()).default([]),
    exceptions: z.array(exceptionSchema).default([]),
  })
  .superRefine((file, context) => {
    // A mistyped id would otherwise leave the built-in exception silently in force.
    const known = new Set(DEFAULT_EXCEPTIONS.map((exception) => exception.id));
    file.disable.forEach((id, index) => {
      if (!known.has(id)) {
        context.addIssue({
          code: 'custom',
          path: ['disable', index],
          message: `"${id.slice(0, 128)}" is not a built-in exception id (\`vigil exceptions\` lists them)`,
        });
      }
    });
    // Suppressed findings name the exception by id: two with one id could not be told apart.
    const seen = new Set<string>();
    file.exceptions.forEach((exception, index) => {
      if (seen.has(exception.id)) {
        context.addIssue({
          code: 'custom',
          path: ['exceptions', index, 'id'],
          message: `"${exception.id}" is used by an earlier exception`,
        });
      }
      seen.add(exception.id);
    });
  });
export type ExceptionsFile = z.infer<typeof exceptionsFileSchema>;

/** Reads an exceptions file (YAML or JSON) as `vigil scan --exceptions FILE` takes it. */
export function parseExceptionsFile(input: TextInput): ExceptionsFile {
  const documents = parseDocuments(input);
  if (documents.length > 1) throw new InputError(input.name, 'expected one YAML or JSON document');
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
