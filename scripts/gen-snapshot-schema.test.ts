import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSnapshotSchema, SNAPSHOT_SCHEMA_PATH } from './gen-snapshot-schema.ts';

describe('packages/core/snapshot.schema.json', () => {
  it('is the schema the snapshot model generates (run `node scripts/gen-snapshot-schema.ts` when this fails)', () => {
    const committed = readFileSync(SNAPSHOT_SCHEMA_PATH, 'utf8');
    expect(committed).toBe(renderSnapshotSchema());
  });

  it('renders stable, parseable JSON ending in a newline', () => {
    const text = renderSnapshotSchema();
    expect(text.endsWith('}\n')).toBe(true);
    expect(renderSnapshotSchema()).toBe(text);
    expect(JSON.parse(text).title).toBe('Vigil snapshot');
  });
});
