// Every table, for drizzle-kit (migrations) and for the typed database handle.
export { apiKeys } from './api-keys/table.ts';
export { clusters } from './clusters/table.ts';
export { notificationDeliveries, notificationTickets } from './deliveries/table.ts';
export { auditExceptions } from './exceptions/table.ts';
export { findingLifecycles, findings } from './findings/table.ts';
export { outboxEvents } from './outbox/table.ts';
export { scanRuns } from './runs/table.ts';
export { snapshots } from './snapshots/table.ts';
export { notificationSubscriptions } from './subscriptions/table.ts';
