import { base, databaseEnvironment } from './functions.ts';
import { NOTIFY_TIMEOUT_SECONDS, notifyQueue } from './queues.ts';
import { settings } from './settings.ts';

/** Seals webhook signing secrets and ticketing credentials (envelope encryption, one data key per secret). */
export const notifyKey = new aws.kms.Key('NotifyKey', {
  description: 'Vigil: webhook secrets and ticketing credentials',
  enableKeyRotation: true,
  deletionWindowInDays: 30,
});

const notifyEnvironment = {
  ...databaseEnvironment,
  VIGIL_NOTIFY_QUEUE_URL: notifyQueue.url,
  VIGIL_NOTIFY_KMS_KEY_ID: notifyKey.arn,
  ...(settings.notify.webhookAllowCidrs
    ? { VIGIL_WEBHOOK_ALLOW_CIDRS: settings.notify.webhookAllowCidrs }
    : {}),
};

const requeue: SstPermission = { actions: ['sqs:SendMessage'], resources: [notifyQueue.arn] };

/** Delivers webhooks: one attempt per notify-queue message, retries scheduled on the row. */
export const notify = new sst.aws.Function('Notify', {
  ...base('functions/notify.handler'),
  description: 'Delivers notifications from the notify queue (partial batch responses)',
  timeout: `${NOTIFY_TIMEOUT_SECONDS} seconds`,
  memory: '512 MB',
  environment: notifyEnvironment,
  permissions: [
    {
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      ],
      resources: [notifyQueue.arn],
    },
    requeue,
    { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [notifyKey.arn] },
  ],
});

export const notifySubscription = notifyQueue.subscribe(notify.arn, {
  batch: { size: settings.notify.batchSize, window: '1 seconds', partialResponses: true },
  transform: {
    eventSourceMapping: { scalingConfig: { maximumConcurrency: settings.notify.maxConcurrency } },
  },
});

/** Fans outbox rows out to deliveries and re-queues due ones (retries beyond SQS's 15-minute delay). */
export const notifySweep = new sst.aws.Function('NotifySweep', {
  ...base('functions/notify-sweep.handler'),
  description: 'Turns outbox rows into deliveries and queues due deliveries',
  timeout: '60 seconds',
  memory: '512 MB',
  environment: notifyEnvironment,
  permissions: [requeue],
});

export const notifySweepSchedule = new sst.aws.CronV2('NotifySweepSchedule', {
  schedule: settings.notify.sweepSchedule,
  function: notifySweep.arn,
  retries: 0,
  event: { source: 'vigil.notify-sweep' },
});

/** The daily compliance digest: the sweep function builds each subscription's digest for the day, then sends. */
export const notifyDigestSchedule = new sst.aws.CronV2('NotifyDigestSchedule', {
  schedule: settings.notify.digestSchedule,
  function: notifySweep.arn,
  retries: 2,
  event: { source: 'vigil.notify-digest' },
});
