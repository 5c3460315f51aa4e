import { migrate, migrationStatus } from '@vigil/db';
import { z } from 'zod';
import { migrateConfig } from './config.ts';
import { closeDatabase, functionLogger, openFunctionDatabase } from './runtime.ts';

// The migrate function: applies pending migrations as a deploy step (`aws lambda invoke`, see docs/deploy.md),
// never at a cold start of the other functions. `{ "dryRun": true }` reports what it would apply.

const eventSchema = z.looseObject({ dryRun: z.boolean().optional() });
const logger = functionLogger('migrate');

export async function handler(event: unknown) {
  const input = eventSchema.safeParse(event ?? {});
  if (!input.success) throw new TypeError(`not a migrate event: ${input.error.issues[0]?.message}`);
  const config = migrateConfig();
  const db = await openFunctionDatabase({ ...config.database, poolSize: 1 });
  try {
    const options = config.migrationsDir ? { migrationsFolder: config.migrationsDir } : {};
    if (input.data.dryRun) {
      const status = await migrationStatus(db, config.migrationsDir);
      logger.info({ msg: 'migration status', ...status });
      return { applied: [], pending: status.pending };
    }
    const applied = await migrate(db, options);
    logger.info({ msg: 'migrations applied', applied });
    return { applied, pending: [] };
  } finally {
    await closeDatabase(db);
  }
}
