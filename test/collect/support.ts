import type { CollectLogger, CollectOptions } from '@vigil/collect';

/** Collect options for tests: a generous deadline, waits recorded instead of slept, logs captured. */
export function testOptions(overrides: Partial<CollectOptions> = {}) {
  const waits: number[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger: CollectLogger = {
    info: (entry) => logs.push({ level: 'info', ...entry }),
    warn: (entry) => logs.push({ level: 'warn', ...entry }),
    error: (entry) => logs.push({ level: 'error', ...entry }),
  };
  const options: CollectOptions = {
    deadline: Date.now() + 20_000,
    scanId: 'scan-test-1',
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    logger,
    ...overrides,
  };
  return { options, waits, logs };
}
