import {
  type ControlRegressedPayload,
  type FindingEventPayload,
  OUTBOX_EVENT_TYPES,
  type ScanFailedPayload,
  SUBSCRIPTION_FORMATS,
} from '@vigil/db';
import {
  type ControlRegressedData,
  type FindingEventData,
  type ScanFailedData,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_FORMATS,
} from '@vigil/notify';
import { describe, expect, expectTypeOf, it } from 'vitest';

/** A loose zod object's type without its index signature: the fields the notifier names. */
type Known<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T as string extends K ? never : K]: Known<T[K]> }
    : T;

// The store and the notifier cannot import each other (both are adapters over core); these tests keep their
// two descriptions of the same events and formats in step.
describe('the outbox and the notifier agree', () => {
  it('on every event type the outbox writes', () => {
    for (const type of OUTBOX_EVENT_TYPES) expect(WEBHOOK_EVENT_TYPES).toContain(type);
  });

  it('on the formats a subscription may have', () => {
    expect([...SUBSCRIPTION_FORMATS].sort()).toEqual([...WEBHOOK_FORMATS].sort());
  });

  it('on the payload shapes (checked by the type checker)', () => {
    expectTypeOf<FindingEventPayload>().toExtend<Known<FindingEventData>>();
    expectTypeOf<ScanFailedPayload>().toExtend<Known<ScanFailedData>>();
    expectTypeOf<ControlRegressedPayload>().toExtend<Known<ControlRegressedData>>();
  });
});
