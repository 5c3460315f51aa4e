import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { FANOUT_MESSAGE } from '@vigil/notify';

/**
 * The scanner's nudge to the notifier over SQS: one `fanout` message on the notify queue, which a notify
 * worker answers by turning pending outbox rows into deliveries at once.
 */
export function sqsNotifyNudge(options: { client: SQSClient; queueUrl: string }): () => Promise<void> {
  return async () => {
    await options.client.send(
      new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: FANOUT_MESSAGE }),
    );
  };
}
