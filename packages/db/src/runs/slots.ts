import { InvalidInputError } from '../errors.ts';

export const MAX_SLOT_LENGTH = 200;

/**
 * The schedule slot an instant falls in: the start of its interval counted from the Unix epoch, as ISO
 * 8601. Every dispatcher that fires within the same interval computes the same slot, so they all name the
 * same run.
 */
export function scheduleSlot(at: Date, intervalSeconds: number): string {
  if (!Number.isInteger(intervalSeconds) || intervalSeconds <= 0) {
    throw new InvalidInputError(`intervalSeconds must be a positive integer, got ${intervalSeconds}`);
  }
  const ms = intervalSeconds * 1000;
  return new Date(Math.floor(at.getTime() / ms) * ms).toISOString();
}

const SLOT = /^[A-Za-z0-9:._+-]+$/;

/** A slot is an ISO instant or a manual trigger id: letters, digits and `:._+-`, at most 200 of them. */
export function checkSlot(slot: string): string {
  if (slot.length === 0 || slot.length > MAX_SLOT_LENGTH || !SLOT.test(slot)) {
    throw new InvalidInputError(`slot must be 1-${MAX_SLOT_LENGTH} characters of A-Z a-z 0-9 : . _ + -`);
  }
  return slot;
}
