import { pruneHistory } from '@vigil/jobs/retention';
import { z } from 'zod';
import { retentionConfig } from './config.ts';
import { functionLogger, lazy, openFunctionDatabase } from './runtime.ts';

// The retention function: once a day (infra/scheduler.ts) it deletes runs, findings, snapshots, resolved
// lifecycles, dispatched outbox events and ended deliveries older than VIGIL_RETENTION_DAYS, keeping each
// cluster's current results and the evidence of everything still open. `{ "retentionDays": N }` overrides the
// setting for one invocation (never below 7 days).

const eventSchema = z.looseObject({ retentionDays: z.number().int().min(7).max(36_500).optional() });
const logger = functionLogger('retention');

const deps = lazy(async () => {
  const config = retentionConfig();
  return { db: await openFunctionDatabase({ ...config.database, poolSize: 1 }), config };
});

export async function handler(event: unknown) {
  const input = eventSchema.safeParse(event ?? {});
  if (!input.success) throw new TypeError(`not a retention event: ${input.error.issues[0]?.message}`);
  const { db, config } = await deps();
  return pruneHistory({ db, logger }, { retentionDays: input.data.retentionDays ?? config.retentionDays });
}
