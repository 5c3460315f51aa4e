// Notification delivery: outbox rows -> deliveries (fan-out) -> notify queue -> one attempt per message,
// with retries, per-host bounds, tickets and the daily digest. See docs/notifications.md.

export { type AttemptReport, type AttemptStatus, attemptDelivery } from './deliver.ts';
export {
  DEFAULT_NOTIFY_SETTINGS,
  type NotifyDeps,
  type NotifySettings,
  type SubscriptionServiceDeps,
} from './deps.ts';
export { buildDailyDigest, controlChanges, type DailyDigestResult, digestData } from './digest.ts';
export { enqueueDue } from './enqueue.ts';
export { type FanOutResult, fanOutOnce, ticketKeyOf } from './fan-out.ts';
export { createNotifyHandler, handleNotifyRecord } from './handler.ts';
export { type LocalNotifier, type LocalNotifierOptions, startLocalNotifier } from './local.ts';
export { type MatchableEvent, subscriptionWants } from './match.ts';
export { type NotifyQueue, type OutgoingNotifyMessage, SqsNotifyQueue } from './queue.ts';
export {
  createSubscriptionService,
  type SubscriptionInput,
  type SubscriptionService,
  type SubscriptionUpdate,
  sampleEvent,
  type TestDeliveryResult,
} from './subscriptions.ts';
export { type FanOutSummary, fanOut, sweepNotifications } from './sweep.ts';
