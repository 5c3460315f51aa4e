import { z } from 'zod';

/**
 * Messages on the notify queue. `deliver` names one delivery row (the row holds everything else, so a
 * message never carries a payload or a secret); `fanout` asks a worker to turn pending outbox rows into
 * deliveries now rather than at the next sweep (the scanner may send it after recording a run).
 */
export const notifyMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ v: z.literal(1), kind: z.literal('deliver'), deliveryId: z.uuid() }),
  z.strictObject({ v: z.literal(1), kind: z.literal('fanout') }),
]);
export type NotifyMessage = z.infer<typeof notifyMessageSchema>;

/** Parses a queue message body; throws with a short reason for anything else. */
export function parseNotifyMessage(body: string): NotifyMessage {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new Error('the message body is not JSON');
  }
  const parsed = notifyMessageSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `not a notify message: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data;
}

export function deliverMessage(deliveryId: string): string {
  return JSON.stringify({ v: 1, kind: 'deliver', deliveryId } satisfies NotifyMessage);
}

export const FANOUT_MESSAGE = JSON.stringify({ v: 1, kind: 'fanout' } satisfies NotifyMessage);
