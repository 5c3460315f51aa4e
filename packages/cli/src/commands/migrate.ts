import { closeDatabase, migrate, migrationStatus } from '@vigil/db';
import { parseFlags } from '../args.ts';
import { type Command, EXIT_OK } from '../command.ts';
import { UsageError } from '../errors.ts';
import { openStore } from '../store.ts';

const usage = `Usage: vigil migrate [--status]

Apply the database migrations Vigil's release ships (a deploy step: the Lambda functions never migrate at
cold start). Safe to run twice and from two machines at once: applied migrations are skipped, and on
Postgres concurrent runs wait for each other.

  --status   Only list applied and pending migrations; exit 1 when some are pending.

Environment:
  DATABASE_URL     postgres://... (RDS, Aurora, any Postgres); without it the embedded database in
  VIGIL_DATA_DIR   (default .vigil) is used, the one \`vigil serve\` runs on.
`;

export const migrateCommand: Command = {
  name: 'migrate',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { status: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const store = await openStore(io, 'it applied the migrations when it started; stop it first');
    try {
      if (values.status) {
        const status = await migrationStatus(store.db);
        io.stdout.write(
          `${store.where}: ${status.applied.length} applied, ${status.pending.length} pending\n` +
            status.pending.map((tag) => `  pending ${tag}\n`).join(''),
        );
        return status.pending.length > 0 ? 1 : EXIT_OK;
      }
      const applied = await migrate(store.db);
      io.stdout.write(
        applied.length === 0
          ? `${store.where}: up to date\n`
          : `${store.where}: applied ${applied.join(', ')}\n`,
      );
      return EXIT_OK;
    } finally {
      await closeDatabase(store.db);
    }
  },
};
