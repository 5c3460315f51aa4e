export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A ticket reference as stored (the notifier's TicketRef). */
export interface StoredTicket {
  id: string;
  key?: string;
  url?: string;
  state: 'open' | 'resolved';
}

export interface Delivery {
  id: string;
  seq: number;
  subscriptionId: string;
  eventKey: string;
  webhookId: string;
  eventType: string;
  eventTimestamp: Date;
  payload: Record<string, unknown>;
  clusterId: string | null;
  ticketKey: string | null;
  host: string;
  status: DeliveryStatus;
  attempts: number;
  firstAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date;
  enqueuedAt: Date | null;
  leasedUntil: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  note: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface NewDelivery {
  subscriptionId: string;
  eventKey: string;
  webhookId: string;
  eventType: string;
  eventTimestamp: Date;
  payload: Record<string, unknown>;
  clusterId: string | null;
  ticketKey: string | null;
  host: string;
  /** Defaults to the insert time. */
  nextAttemptAt?: Date;
}
