import { MAX_SLOT_LENGTH } from '@vigil/db';
import { z } from 'zod';
import { MalformedMessageError } from '../errors.ts';

/** Bodies above this are refused before parsing; a scan message is a few hundred bytes. */
export const MAX_SCAN_MESSAGE_BYTES = 4096;

/**
 * Version 1 of the scan message: which cluster, which run (the schedule slot, or `manual:<id>`), and why.
 * The run is named by (cluster, slot), never by the SQS message id, so a redelivered or re-dispatched message
 * names the same run. A future version adds a schema beside this one and the scanner accepts both.
 */
export const scanMessageSchema = z.strictObject({
  v: z.literal(1),
  clusterId: z.uuid(),
  slot: z
    .string()
    .min(1)
    .max(MAX_SLOT_LENGTH)
    .regex(/^[A-Za-z0-9:._+-]+$/, 'letters, digits and : . _ + -'),
  trigger: z.enum(['schedule', 'manual']),
});
export type ScanMessage = z.infer<typeof scanMessageSchema>;

/** The message body for a scan of (cluster, slot). */
export function encodeScanMessage(message: Omit<ScanMessage, 'v'>): string {
  return JSON.stringify(scanMessageSchema.parse({ v: 1, ...message }));
}

/** Reads a message body; anything but a valid version-1 scan message is a MalformedMessageError. */
export function parseScanMessage(body: string): ScanMessage {
  if (Buffer.byteLength(body, 'utf8') > MAX_SCAN_MESSAGE_BYTES) {
    throw new MalformedMessageError(`the message body is larger than ${MAX_SCAN_MESSAGE_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new MalformedMessageError('the message body is not JSON', { cause: error });
  }
  const parsed = scanMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(body)';
    throw new MalformedMessageError(`not a version 1 scan message: ${where}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The slot of an on-demand scan: unique per request, so every request gets its own run. */
export function manualSlot(id: string): string {
  return `manual:${id}`;
}
