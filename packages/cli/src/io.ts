import { readdir, readFile, realpath, stat, writeFile } from 'node:fs/promises';

/** Where a command writes text. */
export interface Writer {
  write(text: string): void;
}

/** The file-system calls the CLI makes; paths are resolved against `Io.cwd` by the caller. */
export interface FileSystem {
  readFile(path: string): Promise<string>;
  /** Writes the text, given whole or in pieces (written in order, never joined first). */
  writeFile(path: string, text: string | Iterable<string>): Promise<void>;
  stat(path: string): Promise<{ isFile(): boolean; isDirectory(): boolean; size: number }>;
  readdir(path: string): Promise<string[]>;
  realpath(path: string): Promise<string>;
}

/**
 * Everything a command touches outside itself. Commands take it as a parameter, so tests run them
 * in-process with captured output, a chosen environment and a fixed clock.
 */
export interface Io {
  stdout: Writer;
  stderr: Writer;
  /** Whether stdout is a terminal (colour, layout). */
  stdoutIsTTY: boolean;
  /** Whether stderr is a terminal (progress indicators). */
  stderrIsTTY?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now(): Date;
  readStdin(): Promise<string>;
  fs: FileSystem;
}

export const nodeFileSystem: FileSystem = {
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, text) => writeFile(path, text, 'utf8'),
  stat: (path) => stat(path),
  readdir: (path) => readdir(path),
  realpath: (path) => realpath(path),
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The real process: its streams, environment, working directory and clock. */
export function nodeIo(): Io {
  return {
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
    readStdin: () => readAll(process.stdin),
    fs: nodeFileSystem,
  };
}

/** Colour only on a terminal, and never when NO_COLOR is set to a non-empty value (no-color.org). */
export function wantsColor(io: Io): boolean {
  return io.stdoutIsTTY && !io.env.NO_COLOR;
}
