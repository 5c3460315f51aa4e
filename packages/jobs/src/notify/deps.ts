import type { Database } from '@vigil/db';
import type { AddressPolicy, Encryptor, HttpClient, Resolver } from '@vigil/notify';
import type { Logger } from '../logger.ts';
import type { NotifyQueue } from './queue.ts';

/** Tunables of delivery; the defaults suit Lambda and the local stack alike. */
export interface NotifySettings {
  /** Deliveries to one host in flight at once, across all workers (default 4). */
  perHostLimit: number;
  /** How long a worker holds a delivery for one attempt (default 45 s: up to four requests of at most 10 s). */
  leaseSeconds: number;
  /** Deliveries due within this many seconds are put on the queue with a delay (SQS allows 900 at most). */
  horizonSeconds: number;
  /** A queue message older than this whose delivery is still pending is taken as lost (default 30 min). */
  staleSeconds: number;
  /** Outbox rows turned into deliveries per step (default 500). */
  fanOutBatch: number;
}

export const DEFAULT_NOTIFY_SETTINGS: NotifySettings = {
  perHostLimit: 4,
  leaseSeconds: 45,
  horizonSeconds: 900,
  staleSeconds: 1800,
  fanOutBatch: 500,
};

/** What the delivery use cases need; the entry point (Lambda or local stack) builds it once. */
export interface NotifyDeps {
  db: Database;
  queue: NotifyQueue;
  /** Opens sealed credentials and signing secrets. */
  encryptor: Encryptor;
  /** The SSRF-guarded client (createHttpClient with the operator's allow-list). */
  http: HttpClient;
  logger: Logger;
  now?: () => Date;
  /** Jitter source (tests pass a fixed one). */
  random?: () => number;
  settings?: Partial<NotifySettings>;
}

/** What saving and testing subscriptions needs (the API's port; no queue is needed to save). */
export interface SubscriptionServiceDeps {
  db: Database;
  encryptor: Encryptor;
  http: HttpClient;
  /** The allow-list and resolver the save-time destination check uses (the same as the client's). */
  policy: AddressPolicy;
  resolver: Resolver;
  /** When given, a redelivery is queued at once; otherwise the next sweep queues it. */
  queue?: NotifyQueue;
  logger?: Logger;
  now?: () => Date;
  settings?: Partial<NotifySettings>;
}

export function settingsOf(deps: { settings?: Partial<NotifySettings> }): NotifySettings {
  return { ...DEFAULT_NOTIFY_SETTINGS, ...deps.settings };
}

export function clockOf(deps: { now?: () => Date }): () => Date {
  return deps.now ?? (() => new Date());
}
