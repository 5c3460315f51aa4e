import { z } from '@hono/zod-openapi';

const escapeRegex = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const TOKEN = '[A-Za-z0-9._:/*-]{1,200}';

/**
 * A query parameter holding a comma-separated list (`severity=critical,high`), validated against the allowed
 * values when there are any, and handed to the handler as an array.
 */
export function csvList<const T extends string>(
  name: string,
  allowed: readonly T[] | undefined,
  example: string,
) {
  const item = allowed ? `(${allowed.map(escapeRegex).join('|')})` : TOKEN;
  return z
    .string()
    .max(4096)
    .regex(
      new RegExp(`^${item}(,${item})*$`),
      allowed ? `a comma-separated list of ${allowed.join(', ')}` : 'a comma-separated list',
    )
    .optional()
    .transform((value) => (value === undefined ? undefined : [...new Set(value.split(','))]))
    .openapi({
      description: allowed
        ? `Comma-separated; any of ${allowed.map((v) => `\`${v}\``).join(', ')}.`
        : `Comma-separated ${name} values.`,
      example,
    });
}
