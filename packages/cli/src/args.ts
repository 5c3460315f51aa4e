import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { SEVERITIES, type Severity } from '@vigil/core';
import { UsageError } from './errors.ts';

/**
 * node:util parseArgs in strict mode, with its errors turned into short usage errors. Positionals are
 * allowed; each command says how many it takes.
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'([^']+)'/.exec(message)?.[1];
      throw new UsageError(`unknown option ${flag ?? ''}`.trim(), { cause: error });
    }
    if (code?.startsWith('ERR_PARSE_ARGS_')) throw new UsageError(message, { cause: error });
    throw error;
  }
}

/** A flag whose value must be one of a few words. */
export function oneOf<const T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
}

export function expectPositionals(positionals: string[], count: number, names: string): void {
  if (positionals.length < count) throw new UsageError(`missing ${names}`);
  if (positionals.length > count) {
    throw new UsageError(`unexpected argument "${positionals[count]}"`);
  }
}

export type FailOn = Severity | 'none';
export const FAIL_ON_VALUES: readonly FailOn[] = [...SEVERITIES, 'none'];

/** `--trusted-accounts 111122223333,444455556666`: 12-digit AWS account ids. */
export function parseAccountIds(value: string | undefined): string[] {
  if (value === undefined) return [];
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  for (const id of ids) {
    if (!/^\d{12}$/.test(id))
      throw new UsageError(`--trusted-accounts: "${id}" is not a 12-digit AWS account id`);
  }
  return ids;
}
