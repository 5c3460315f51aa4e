import { claimDeliveries } from '@vigil/db';
import { parseNotifyMessage } from '@vigil/notify';
import { InsufficientTimeError, MalformedMessageError } from '../errors.ts';
import type { InvocationContext, SqsBatchHandler, SqsRecord } from '../sqs/lambda-types.ts';
import { processBatch } from '../sqs/process-batch.ts';
import { attemptDelivery } from './deliver.ts';
import { clockOf, type NotifyDeps, settingsOf } from './deps.ts';
import { enqueueDue } from './enqueue.ts';
import { fanOut } from './sweep.ts';

/**
 * Handles one notify-queue message. `deliver`: claim the delivery, attempt it, record the result, and hand
 * the host's slot on to its next due delivery. A message whose delivery is finished, leased by another
 * worker, not due yet or waiting behind an earlier event about the same finding is done with: the row, not
 * the message, is the source of truth, and the sweep re-queues anything that needs it. `fanout`: turn pending
 * outbox rows into deliveries now.
 *
 * Throws (so that only this record is retried) when the message is malformed, when too little of the
 * invocation is left for an attempt, or when the database fails.
 */
export async function handleNotifyRecord(
  deps: NotifyDeps,
  record: SqsRecord,
  context: InvocationContext,
): Promise<void> {
  let message: ReturnType<typeof parseNotifyMessage>;
  try {
    message = parseNotifyMessage(record.body);
  } catch (error) {
    throw new MalformedMessageError((error as Error).message);
  }
  if (message.kind === 'fanout') {
    await fanOut(deps);
    return;
  }
  const settings = settingsOf(deps);
  // An attempt may take the whole lease; starting one the invocation cannot finish would leave it leased.
  if (context.getRemainingTimeInMillis() < settings.leaseSeconds * 1000) {
    throw new InsufficientTimeError(`less than ${settings.leaseSeconds}s left for a delivery attempt`);
  }
  const now = clockOf(deps)();
  const { claimed, skipped } = await claimDeliveries(deps.db, [message.deliveryId], {
    now,
    leaseSeconds: settings.leaseSeconds,
  });
  const delivery = claimed[0];
  if (!delivery) {
    const skip = skipped[0];
    deps.logger.info({ msg: 'delivery not attempted', deliveryId: message.deliveryId, reason: skip?.reason });
    return;
  }
  const report = await attemptDelivery(deps, delivery);
  deps.logger.info({
    msg: 'delivery attempted',
    deliveryId: delivery.id,
    subscriptionId: delivery.subscriptionId,
    webhookId: delivery.webhookId,
    eventType: delivery.eventType,
    host: delivery.host,
    attempt: delivery.attempts,
    status: report.status,
    statusCode: report.statusCode,
    ...(report.nextAttemptAt ? { nextAttemptAt: report.nextAttemptAt.toISOString() } : {}),
    ...(report.disabled ? { disabled: report.disabled } : {}),
  });
  await enqueueDue(deps, { hosts: [delivery.host] });
}

/**
 * The notify function's handler: every record of the batch at once (each attempt is bounded by the
 * per-request timeout, and each host by the per-host limit), with a partial batch response listing exactly
 * the records that failed.
 *
 * @example
 * // functions/notify.ts
 * export const handler = createNotifyHandler(deps);
 */
export function createNotifyHandler(deps: NotifyDeps): SqsBatchHandler {
  return (event, context) =>
    processBatch(event, (record, ctx) => handleNotifyRecord(deps, record, ctx), {
      context,
      onRecordError: (record, error) =>
        deps.logger.error({ msg: 'notify message failed', messageId: record.messageId, error }),
    });
}
