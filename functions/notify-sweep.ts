import { buildDailyDigest, sweepNotifications } from '@vigil/jobs/notify';
import { z } from 'zod';
import { notifyDeps } from './notify-runtime.ts';

// The notify sweep: on a schedule (infra/notifications.ts), turns outbox rows into deliveries and puts due
// deliveries on the notify queue, so retries later than SQS's 900-second delay and lost messages are caught.
// The daily digest schedule invokes it with `{"source": "vigil.notify-digest"}`: it first builds each
// subscription's compliance digest for the UTC day (once per day, however often it is invoked), then sweeps
// so the digests go out at once.

const eventSchema = z.looseObject({
  source: z.enum(['vigil.notify-sweep', 'vigil.notify-digest']).optional(),
});

const deps = notifyDeps('notify-sweep');

export async function handler(event: unknown) {
  const input = eventSchema.safeParse(event ?? {});
  if (!input.success) throw new TypeError(`not a notify sweep event: ${input.error.issues[0]?.message}`);
  const resolved = await deps();
  const digest =
    input.data.source === 'vigil.notify-digest' ? await buildDailyDigest(resolved.db, new Date()) : undefined;
  const summary = await sweepNotifications(resolved);
  return digest ? { ...summary, digest } : summary;
}
