import { resolve } from 'node:path';
import { InputError } from '@vigil/core';
import type { Io } from './io.ts';

/** A command's output: one string, or pieces of it (a large report is never built as one string). */
export type Output = string | Iterable<string>;

/** Writes a command's main output to stdout, or to `--output FILE`. */
export async function emit(io: Io, text: Output, output: string | undefined): Promise<void> {
  if (output === undefined) {
    if (typeof text === 'string') io.stdout.write(text);
    else for (const block of blocks(text)) io.stdout.write(block);
    return;
  }
  try {
    await io.fs.writeFile(resolve(io.cwd, output), typeof text === 'string' ? text : blocks(text));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new InputError(output, `cannot be written (${code ?? (error as Error).message})`, { cause: error });
  }
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

const BLOCK_CHARS = 1 << 20;

/** Joins small pieces into blocks of about a megabyte, so writing them costs a few calls, not millions. */
export function* blocks(pieces: Iterable<string>): Generator<string> {
  let block = '';
  for (const piece of pieces) {
    block += piece;
    if (block.length >= BLOCK_CHARS) {
      yield block;
      block = '';
    }
  }
  if (block) yield block;
}

/**
 * The text `toJson(value)` returns, in pieces: objects and arrays down to `depth` levels are written member by
 * member, and what lies below is serialised one value at a time. A report of tens of thousands of findings
 * is then never one string of hundreds of megabytes, nor its UTF-8 copy.
 */
export function* jsonPieces(value: unknown, depth: number): Generator<string> {
  yield* pieces(value, '', depth);
  yield '\n';
}

function* pieces(value: unknown, indent: string, depth: number): Generator<string> {
  if (
    depth <= 0 ||
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    const text = JSON.stringify(value, null, 2) ?? 'null';
    yield indent && text.includes('\n') ? text.replaceAll('\n', `\n${indent}`) : text;
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      yield '[]';
      return;
    }
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      yield inner;
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') yield 'null';
      else yield* pieces(item, inner, depth - 1);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}]`;
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => {
    const item = record[key];
    return item !== undefined && typeof item !== 'function' && typeof item !== 'symbol';
  });
  if (keys.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    yield `${inner}${JSON.stringify(key)}: `;
    yield* pieces(record[key], inner, depth - 1);
    yield i < keys.length - 1 ? ',\n' : '\n';
  }
  yield `${indent}}`;
}
