export {
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryStatus,
  type NewDelivery,
  type StoredTicket,
} from './model.ts';
export {
  type AttemptResult,
  type ClaimSkip,
  claimDeliveries,
  completeDelivery,
  countDeliveries,
  type DeliveryFilter,
  enqueueDueDeliveries,
  getDelivery,
  getTicket,
  insertDeliveries,
  listDeliveries,
  redeliver,
  releaseEnqueued,
  saveTicket,
  type TicketKey,
} from './repository.ts';
