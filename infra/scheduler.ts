import { dispatch } from './functions.ts';
import { settings } from './settings.ts';

/** EventBridge Scheduler runs the dispatcher; the scheduler retries a failed run (dispatch is idempotent). */
export const dispatchSchedule = new sst.aws.CronV2('DispatchSchedule', {
  schedule: settings.dispatch.schedule,
  timezone: settings.dispatch.timezone,
  function: dispatch.arn,
  retries: settings.dispatch.retries,
  event: { source: 'vigil.schedule' },
});
