import { resolve } from 'node:path';
import { InputError } from '@vigil/core';
import type { Io } from './io.ts';

/** Writes a command's main output to stdout, or to `--output FILE`. */
export async function emit(io: Io, text: string, output: string | undefined): Promise<void> {
  if (output === undefined) {
    io.stdout.write(text);
    return;
  }
  try {
    await io.fs.writeFile(resolve(io.cwd, output), text);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(output, `cannot be written (${code ?? (error as Error).message})`, { cause: error });
  }
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
