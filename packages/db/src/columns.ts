import { customType, timestamp } from 'drizzle-orm/pg-core';

/**
 * Every instant is stored with its time zone at millisecond precision, so that a `Date` read back compares
 * equal to the stored value (keyset cursors depend on it).
 */
export function timestamptz(name: string) {
  return timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });
}

/**
 * Raw bytes. node-postgres returns a `Buffer` and PGlite a `Uint8Array`; both are `Uint8Array`s, so callers
 * see one type.
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) =>
    Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => value,
});
