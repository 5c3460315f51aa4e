import { FullBatchFailureError } from '../errors.ts';
import type { InvocationContext, SqsBatchResponse, SqsEvent, SqsRecord } from './lambda-types.ts';

/** Handles one record; a throw marks that record, and only that record, as failed. */
export type RecordHandler = (record: SqsRecord, context: InvocationContext) => Promise<void>;

export interface ProcessBatchOptions {
  context: InvocationContext;
  /** Records handled at once (default: all of the batch, as Powertools' processor does). */
  concurrency?: number;
  /** Told about every failed record, for logging. */
  onRecordError?: (record: SqsRecord, error: unknown) => void;
}

/**
 * The partial-batch-response contract of an SQS-triggered Lambda with ReportBatchItemFailures, written out
 * (the idea of Powertools' `processPartialResponse`): every record goes to `handler`; the response lists
 * exactly the records whose handler threw, so SQS deletes the rest and redelivers those. When every record
 * failed it throws instead, so the invocation counts as an error and the whole batch comes back.
 *
 * It never returns an empty list when something failed: Lambda would delete the whole batch.
 *
 * @example
 * export const handler = (event: SqsEvent, context: InvocationContext) =>
 *   processBatch(event, scanOne, { context });
 */
export async function processBatch(
  event: SqsEvent,
  handler: RecordHandler,
  options: ProcessBatchOptions,
): Promise<SqsBatchResponse> {
  const records = event?.Records;
  if (!Array.isArray(records)) throw new TypeError('not an SQS event: Records is missing');
  const failures: { itemIdentifier: string }[] = [];
  const errors: unknown[] = [];
  const run = async (record: SqsRecord) => {
    try {
      await handler(record, options.context);
    } catch (error) {
      // A record without an id cannot be reported; failing the whole batch is the only safe answer.
      if (typeof record?.messageId !== 'string' || record.messageId === '') throw error;
      failures.push({ itemIdentifier: record.messageId });
      errors.push(error);
      options.onRecordError?.(record, error);
    }
  };
  const limit = Math.max(1, options.concurrency ?? records.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, records.length) }, async () => {
    while (next < records.length) await run(records[next++]!);
  });
  await Promise.all(workers);
  if (records.length > 0 && failures.length === records.length) throw new FullBatchFailureError(errors);
  // In batch order, so the response reads like the event.
  const order = new Map(records.map((r, i) => [r.messageId, i]));
  failures.sort((a, b) => (order.get(a.itemIdentifier) ?? 0) - (order.get(b.itemIdentifier) ?? 0));
  return { batchItemFailures: failures };
}
