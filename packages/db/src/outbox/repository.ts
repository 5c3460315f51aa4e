import { and, asc, eq, gt, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../database.ts';
import { InvalidInputError } from '../errors.ts';
import { decodeCursor, encodeCursor, type Page, type PageRequest, pageLimit, toPage } from '../pagination.ts';
import { affectedOf, arrayParam, chunks } from '../sql.ts';
import type { NewOutboxEvent, OutboxEvent, OutboxEventType } from './model.ts';
import { outboxEvents } from './table.ts';

const INSERT_CHUNK = 2_000;

/**
 * Writes events; an event whose dedupe key exists already is skipped, so a retried transaction or a second
 * recorder never notifies twice. Returns how many rows were new.
 */
export async function insertOutboxEvents(db: Database, events: readonly NewOutboxEvent[]): Promise<number> {
  let inserted = 0;
  for (const part of chunks(events, INSERT_CHUNK)) {
    const rows = part.map((e) => ({
      type: e.type,
      cluster_id: e.clusterId,
      run_id: e.runId,
      dedupe_key: e.dedupeKey,
      payload: e.payload,
    }));
    const result = await db.execute(sql`
      insert into ${outboxEvents} (type, cluster_id, run_id, dedupe_key, payload)
      select r.type, r.cluster_id, r.run_id, r.dedupe_key, r.payload
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as r(type text, cluster_id uuid, run_id uuid, dedupe_key text, payload jsonb)
      on conflict (dedupe_key) do nothing`);
    inserted += affectedOf(result);
  }
  return inserted;
}

export interface OutboxFilter extends PageRequest {
  clusterIds?: readonly string[];
  runId?: string;
  types?: readonly OutboxEventType[];
  /** Only events not yet handed to the notifier. */
  pending?: boolean;
}

const OUTBOX_LISTING = 'outbox';

/** Events oldest first (the order they were written in), keyset-paginated. */
export async function listOutboxEvents(db: Database, filter: OutboxFilter = {}): Promise<Page<OutboxEvent>> {
  const limit = pageLimit(filter.limit);
  let after: SQL | undefined;
  if (filter.cursor) {
    const [at, id] = decodeCursor(OUTBOX_LISTING, filter.cursor, ['string', 'string']);
    const date = new Date(at);
    after = or(
      gt(outboxEvents.createdAt, date),
      and(eq(outboxEvents.createdAt, date), gt(outboxEvents.id, id)),
    );
  }
  const rows = await db
    .select()
    .from(outboxEvents)
    .where(
      and(
        filter.clusterIds ? inArray(outboxEvents.clusterId, [...filter.clusterIds]) : undefined,
        filter.runId ? eq(outboxEvents.runId, filter.runId) : undefined,
        filter.types ? inArray(outboxEvents.type, [...filter.types]) : undefined,
        filter.pending ? isNull(outboxEvents.dispatchedAt) : undefined,
        after,
      ),
    )
    .orderBy(asc(outboxEvents.createdAt), asc(outboxEvents.id))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (row) => row as OutboxEvent,
    (row) => encodeCursor(OUTBOX_LISTING, [row.createdAt.toISOString(), row.id]),
  );
}

/**
 * Leases up to `limit` deliverable events for `leaseSeconds`: not dispatched, due, and not leased by another
 * worker (`FOR UPDATE SKIP LOCKED`, so concurrent notifiers take disjoint sets). Each claim counts an attempt.
 */
export async function claimOutboxEvents(
  db: Database,
  options: { limit: number; leaseSeconds: number },
): Promise<OutboxEvent[]> {
  const limit = pageLimit(options.limit);
  if (!(options.leaseSeconds > 0)) throw new InvalidInputError('leaseSeconds must be positive');
  const due = db
    .select({ id: outboxEvents.id })
    .from(outboxEvents)
    .where(
      and(
        isNull(outboxEvents.dispatchedAt),
        sql`${outboxEvents.availableAt} <= now()`,
        or(isNull(outboxEvents.leasedUntil), sql`${outboxEvents.leasedUntil} <= now()`),
      ),
    )
    .orderBy(asc(outboxEvents.availableAt), asc(outboxEvents.createdAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(outboxEvents)
    .set({
      leasedUntil: sql`now() + make_interval(secs => ${options.leaseSeconds})`,
      attempts: sql`${outboxEvents.attempts} + 1`,
    })
    .where(inArray(outboxEvents.id, due))
    .returning();
  return (rows as OutboxEvent[]).sort(
    (a, b) =>
      a.availableAt.getTime() - b.availableAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime(),
  );
}

/** Marks events as handed over (queued for delivery); they are never claimed again. */
export async function markOutboxDispatched(db: Database, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.execute(sql`
    update ${outboxEvents} set dispatched_at = now(), leased_until = null, last_error = null
    where id = any(${arrayParam(ids, 'uuid')}) and dispatched_at is null`);
  return affectedOf(result);
}

/** Gives a leased event back after a failed hand-over; it becomes claimable again at `retryAt`. */
export async function releaseOutboxEvent(
  db: Database,
  id: string,
  options: { error: string; retryAt: Date },
): Promise<boolean> {
  const rows = await db
    .update(outboxEvents)
    .set({ leasedUntil: null, availableAt: options.retryAt, lastError: options.error.slice(0, 2000) })
    .where(and(eq(outboxEvents.id, id), isNull(outboxEvents.dispatchedAt)))
    .returning({ id: outboxEvents.id });
  return rows.length > 0;
}
