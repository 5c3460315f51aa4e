import { apiFunction } from './api.ts';
import { dispatch, migrate, retention, scan } from './functions.ts';
import { notify, notifySweep } from './notifications.ts';
import { notifyDeadLetterQueue, notifyQueue, scanDeadLetterQueue, scanQueue } from './queues.ts';
import { settings } from './settings.ts';

/** Where alarms go; subscribe an email address with VIGIL_ALARM_EMAIL at deploy time. */
export const alarmTopic = new aws.sns.Topic('AlarmTopic');
if (settings.alarms.email) {
  new aws.sns.TopicSubscription('AlarmEmail', {
    topic: alarmTopic.arn,
    protocol: 'email',
    endpoint: settings.alarms.email,
  });
}

const actions = { alarmActions: [alarmTopic.arn], okActions: [alarmTopic.arn] };

function queueAlarm(
  name: string,
  queue: SstQueue,
  metricName: string,
  threshold: number,
  period: number,
  alarmDescription: string,
) {
  return new aws.cloudwatch.MetricAlarm(name, {
    alarmDescription,
    namespace: 'AWS/SQS',
    metricName,
    dimensions: { QueueName: queue.nodes.queue.name },
    statistic: 'Maximum',
    period,
    evaluationPeriods: 1,
    threshold,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    ...actions,
  });
}

/** Any message in a DLQ is a scan or delivery whose outcome could not be recorded: look at it. */
export const scanDlqAlarm = queueAlarm(
  'ScanDeadLetterQueueNotEmpty',
  scanDeadLetterQueue,
  'ApproximateNumberOfMessagesVisible',
  0,
  60,
  'Scan messages reached the dead-letter queue',
);
export const notifyDlqAlarm = queueAlarm(
  'NotifyDeadLetterQueueNotEmpty',
  notifyDeadLetterQueue,
  'ApproximateNumberOfMessagesVisible',
  0,
  60,
  'Notification messages reached the dead-letter queue',
);
export const scanAgeAlarm = queueAlarm(
  'ScanQueueBacklog',
  scanQueue,
  'ApproximateAgeOfOldestMessage',
  settings.alarms.scanQueueMaxAgeSeconds,
  300,
  'Scans wait longer than the dispatch spread and a few scans explain',
);
export const notifyAgeAlarm = queueAlarm(
  'NotifyQueueBacklog',
  notifyQueue,
  'ApproximateAgeOfOldestMessage',
  settings.alarms.notifyQueueMaxAgeSeconds,
  300,
  'Notifications wait too long to be delivered',
);

function errorAlarm(name: string, fn: SstFunction, what: string) {
  return new aws.cloudwatch.MetricAlarm(name, {
    alarmDescription: `The ${what} function reported errors`,
    namespace: 'AWS/Lambda',
    metricName: 'Errors',
    dimensions: { FunctionName: fn.name },
    statistic: 'Sum',
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    ...actions,
  });
}

export const functionErrorAlarms = [
  errorAlarm('ScanErrors', scan, 'scan'),
  errorAlarm('DispatchErrors', dispatch, 'dispatch'),
  errorAlarm('ApiErrors', apiFunction, 'API'),
  errorAlarm('MigrateErrors', migrate, 'migrate'),
  errorAlarm('NotifyErrors', notify, 'notify'),
  errorAlarm('NotifySweepErrors', notifySweep, 'notify sweep'),
  errorAlarm('RetentionErrors', retention, 'retention'),
];
