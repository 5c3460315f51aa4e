import { dispatch, retention } from './functions.ts';
import { settings } from './settings.ts';

/** EventBridge Scheduler runs the dispatcher; the scheduler retries a failed run (dispatch is idempotent). */
export const dispatchSchedule = new sst.aws.CronV2('DispatchSchedule', {
  schedule: settings.dispatch.schedule,
  timezone: settings.dispatch.timezone,
  function: dispatch.arn,
  retries: settings.dispatch.retries,
  event: { source: 'vigil.schedule' },
});

/** The retention job, once a day; a failed run is simply repeated the next day (deleting is idempotent). */
export const retentionSchedule = new sst.aws.CronV2('RetentionSchedule', {
  schedule: settings.retention.schedule,
  function: retention.arn,
  retries: 0,
  event: { source: 'vigil.retention' },
});
