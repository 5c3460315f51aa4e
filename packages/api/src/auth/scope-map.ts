/**
 * The OIDC claim-to-scope map as operators write it (`VIGIL_OIDC_SCOPE_MAP`): JSON mapping a claim value to
 * the scopes it grants. One parser for the deploy settings, the Lambda's configuration and the local stack.
 * Imports nothing but zod, so infra/ can use it without loading the app.
 */
import { z } from 'zod';
import type { Scope } from '../types.ts';

export const SCOPE_MAP_FORMAT =
  'must be a JSON object mapping a claim value to a list of scopes among read, scan and admin, e.g. {"platform-security":["admin"],"auditors":["read"]}';

const scopeMapSchema = z.record(
  z.string().min(1),
  z.array(z.enum(['read', 'scan', 'admin'] as const satisfies readonly Scope[])).min(1),
);

/** JSON text checked entry by entry; a problem is reported as the expected format, never echoing the value. */
export const scopeMapJson = z.string().transform((text, ctx): Record<string, Scope[]> => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: `not JSON; ${SCOPE_MAP_FORMAT}` });
    return z.NEVER;
  }
  const result = scopeMapSchema.safeParse(value);
  if (!result.success) {
    ctx.addIssue({ code: 'custom', message: SCOPE_MAP_FORMAT });
    return z.NEVER;
  }
  return result.data;
});
