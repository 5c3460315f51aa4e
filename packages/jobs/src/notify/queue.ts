import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface OutgoingNotifyMessage {
  /** The delivery the message is for (to report which ones failed). */
  id: string;
  body: string;
  delaySeconds: number;
}

/** Where delivery messages go: the notify queue in AWS, the local SQS server in the local stack. */
export interface NotifyQueue {
  /** Sends messages; returns the ids of those that could not be sent (their slots are given back). */
  send(messages: readonly OutgoingNotifyMessage[]): Promise<{ failedIds: string[] }>;
}

const BATCH = 10;
const MAX_DELAY = 900;

/**
 * The notify queue over SQS: SendMessageBatch ten at a time; entries SQS fails on its side are sent once
 * more, then reported. A message's delay is capped at SQS's 900 seconds (longer waits are the sweep's job).
 */
export class SqsNotifyQueue implements NotifyQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
  }

  async send(messages: readonly OutgoingNotifyMessage[]): Promise<{ failedIds: string[] }> {
    const failedIds: string[] = [];
    const chunks: OutgoingNotifyMessage[][] = [];
    for (let i = 0; i < messages.length; i += BATCH) chunks.push(messages.slice(i, i + BATCH));
    await Promise.all(
      chunks.map(async (chunk) => {
        let pending = chunk;
        for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
          try {
            const result = await this.client.send(
              new SendMessageBatchCommand({
                QueueUrl: this.queueUrl,
                Entries: pending.map((m, i) => ({
                  Id: String(i),
                  MessageBody: m.body,
                  DelaySeconds: Math.min(MAX_DELAY, Math.max(0, Math.ceil(m.delaySeconds))),
                })),
              }),
            );
            const failed = new Set((result.Failed ?? []).map((f) => Number(f.Id)));
            const senderFault = new Set(
              (result.Failed ?? []).filter((f) => f.SenderFault).map((f) => Number(f.Id)),
            );
            for (const index of senderFault) failedIds.push(pending[index]!.id);
            pending = pending.filter((_, i) => failed.has(i) && !senderFault.has(i));
          } catch {
            if (attempt === 2) break;
          }
        }
        failedIds.push(...pending.map((m) => m.id));
      }),
    );
    return { failedIds };
  }
}
