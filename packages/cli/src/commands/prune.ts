import { closeDatabase } from '@vigil/db';
import { DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, pruneHistory } from '@vigil/jobs/retention';
import { parseFlags } from '../args.ts';
import { type Command, EXIT_OK } from '../command.ts';
import { UsageError } from '../errors.ts';
import { openStore, requireMigrated } from '../store.ts';

const usage = `Usage: vigil prune [--days N]

Delete scan history older than N days: runs with their findings and snapshots, findings resolved before
then, outbox events already handed to the notifier, and notification deliveries that ended. Each cluster
keeps its latest result and latest complete snapshot, and every finding still open or suppressed keeps its
evidence, however old. The local stack and the Retention function in AWS run this daily.

Options:
  --days N   Days of history to keep (default: VIGIL_RETENTION_DAYS, or ${DEFAULT_RETENTION_DAYS}; at least ${MIN_RETENTION_DAYS})

Environment:
  DATABASE_URL     postgres://...; without it the embedded database in VIGIL_DATA_DIR (default .vigil)
  VIGIL_RETENTION_DAYS  The default for --days
`;

function parseDays(value: string, what: string): number {
  const days = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(days) || days < MIN_RETENTION_DAYS) {
    throw new UsageError(`${what} must be a whole number of days, at least ${MIN_RETENTION_DAYS}`);
  }
  return days;
}

export const prune: Command = {
  name: 'prune',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { days: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const fromEnv = io.env.VIGIL_RETENTION_DAYS;
    const days =
      values.days !== undefined
        ? parseDays(values.days, '--days')
        : fromEnv
          ? parseDays(fromEnv, 'VIGIL_RETENTION_DAYS')
          : DEFAULT_RETENTION_DAYS;
    const store = await openStore(io, 'it prunes its history every day; stop it first to prune now');
    try {
      await requireMigrated(store);
      const result = await pruneHistory({ db: store.db, now: () => io.now() }, { retentionDays: days });
      io.stdout.write(
        `${store.where}: kept ${days} days (since ${result.before}); deleted ${result.runs} runs, ` +
          `${result.findings} findings, ${result.snapshots} snapshots, ${result.lifecycles} resolved findings, ` +
          `${result.outboxEvents} outbox events, ${result.deliveries} deliveries\n`,
      );
      return EXIT_OK;
    } finally {
      await closeDatabase(store.db);
    }
  },
};
