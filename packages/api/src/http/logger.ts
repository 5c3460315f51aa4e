import type { Logger } from '../types.ts';

/** One JSON object per line: `{"level":"info","event":"request",...}`. */
export function createJsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  const log =
    (level: string) =>
    (event: string, fields: Record<string, unknown> = {}) => {
      write(`${JSON.stringify({ level, time: new Date().toISOString(), event, ...fields })}\n`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
