import { type Io, nodeFileSystem } from './io.ts';
import { main } from './main.ts';

export interface TestIoOptions {
  stdin?: string;
  env?: Record<string, string | undefined>;
  stdoutIsTTY?: boolean;
  cwd?: string;
  now?: string;
}

export interface TestIo extends Io {
  out(): string;
  err(): string;
}

/** An Io with captured output, a fixed clock and the real file system, for in-process command tests. */
export function createTestIo(options: TestIoOptions = {}): TestIo {
  let out = '';
  let err = '';
  const now = new Date(options.now ?? '2026-11-26T12:00:00Z');
  return {
    stdout: {
      write: (text) => {
        out += text;
      },
    },
    stderr: {
      write: (text) => {
        err += text;
      },
    },
    stdoutIsTTY: options.stdoutIsTTY ?? false,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    now: () => now,
    readStdin: async () => {
      if (options.stdin === undefined) throw new Error('the test gave no stdin');
      return options.stdin;
    },
    fs: nodeFileSystem,
    out: () => out,
    err: () => err,
  };
}

/** Runs `vigil ARGS...` in-process and returns its exit code and output. */
export async function runVigil(
  args: string[],
  options: TestIoOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = createTestIo(options);
  const code = await main(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

/** The repository root, so tests read the demo clusters and the checks' fixtures where they live. */
export const REPO_ROOT = new URL('../../../', import.meta.url).pathname.replace(/\/$/, '');
export const DEMO_CLUSTERS = `${REPO_ROOT}/demo/clusters`;
export const CHECK_FIXTURES = `${REPO_ROOT}/packages/core/src/checks`;

/** The input flags for one demo cluster. */
export function demoClusterArgs(name: string, withEks = true): string[] {
  const dir = `${DEMO_CLUSTERS}/${name}`;
  return ['--manifests', `${dir}/manifests.yaml`, ...(withEks ? ['--eks', `${dir}/eks.json`] : [])];
}
