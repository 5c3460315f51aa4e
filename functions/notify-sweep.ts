import { sweepNotifications } from '@vigil/jobs/notify';
import { notifyDeps } from './notify-runtime.ts';

// The notify sweep: on a schedule (infra/notifications.ts), turns outbox rows into deliveries and puts due
// deliveries on the notify queue, so retries later than SQS's 900-second delay and lost messages are caught.

const deps = notifyDeps('notify-sweep');

export async function handler() {
  const summary = await sweepNotifications(await deps());
  return summary;
}
