export { type ComplianceAsOf, complianceAsOf } from './compliance-history.ts';
export { SUBSCRIPTION_FORMATS, type Subscription, type SubscriptionFormat } from './model.ts';
export {
  createSubscription,
  deleteSubscription,
  disableSubscription,
  getSubscription,
  getSubscriptionForDelivery,
  getSubscriptionSecrets,
  listEnabledSubscriptions,
  listSubscriptions,
  type NewSubscription,
  recordEndpointResult,
  type SubscriptionFilter,
  type SubscriptionPatch,
  updateSubscription,
} from './repository.ts';
