// Writes packages/core/snapshot.schema.json from the snapshot model, so tools that read or write snapshot
// files can validate them without running Vigil. `--check` fails (exit 1) when the committed file is stale.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotJsonSchema } from '@vigil/core/snapshot';

export const SNAPSHOT_SCHEMA_PATH = join(
  import.meta.dirname,
  '..',
  'packages',
  'core',
  'snapshot.schema.json',
);

export function renderSnapshotSchema(): string {
  return `${JSON.stringify(snapshotJsonSchema(), null, 2)}\n`;
}

export function isSnapshotSchemaCurrent(): boolean {
  return (
    existsSync(SNAPSHOT_SCHEMA_PATH) && readFileSync(SNAPSHOT_SCHEMA_PATH, 'utf8') === renderSnapshotSchema()
  );
}

if (import.meta.main) {
  if (process.argv.includes('--check')) {
    if (!isSnapshotSchemaCurrent()) {
      console.error(
        'packages/core/snapshot.schema.json is stale: run `node scripts/gen-snapshot-schema.ts` and commit it.',
      );
      process.exit(1);
    }
  } else {
    writeFileSync(SNAPSHOT_SCHEMA_PATH, renderSnapshotSchema());
    console.log(`wrote ${SNAPSHOT_SCHEMA_PATH}`);
  }
}
