/**
 * Structured logging for the pipeline: one JSON object per line, with the ids that tie lines together (run,
 * cluster, slot, message). Callers pass plain values; credentials, tokens and ConfigMap values are never
 * handed to a logger in the first place. Shaped like @vigil/collect's CollectLogger so one logger serves both.
 */
export interface Logger {
  info(entry: Record<string, unknown>): void;
  warn(entry: Record<string, unknown>): void;
  error(entry: Record<string, unknown>): void;
}

type Level = 'info' | 'warn' | 'error';

/** A logger that writes one JSON line per entry, with `level`, `time` and the given fields first. */
export function createJsonLogger(
  write: (line: string) => void,
  base: Record<string, unknown> = {},
  clock: () => Date = () => new Date(),
): Logger {
  const emit = (level: Level, entry: Record<string, unknown>) => {
    let line: string;
    try {
      line = JSON.stringify({ level, time: clock().toISOString(), ...base, ...entry }, errorReplacer);
    } catch {
      line = JSON.stringify({ level, time: clock().toISOString(), ...base, msg: 'unserialisable log entry' });
    }
    write(`${line}\n`);
  };
  return {
    info: (entry) => emit('info', entry),
    warn: (entry) => emit('warn', entry),
    error: (entry) => emit('error', entry),
  };
}

/** Errors become their name, code and message; never their stack or their cause's properties. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, ...(code !== undefined ? { code } : {}), message: value.message };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** A logger that keeps entries in memory, for tests that assert on what was logged. */
export function memoryLogger(): Logger & { entries: (Record<string, unknown> & { level: Level })[] } {
  const entries: (Record<string, unknown> & { level: Level })[] = [];
  return {
    entries,
    info: (entry) => entries.push({ level: 'info', ...entry }),
    warn: (entry) => entries.push({ level: 'warn', ...entry }),
    error: (entry) => entries.push({ level: 'error', ...entry }),
  };
}
