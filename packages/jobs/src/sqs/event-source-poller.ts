import { randomUUID } from 'node:crypto';
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SqsBatchHandler, SqsEvent, SqsRecord } from './lambda-types.ts';

export interface PollerOptions {
  client: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  /** Messages per invocation, like the event source mapping's BatchSize (SQS caps one receive at 10). */
  batchSize?: number;
  /** Invocations in flight at once, like the mapping's maximum concurrency. */
  concurrency?: number;
  /** The function timeout the handler is told about through getRemainingTimeInMillis. */
  functionTimeoutMs?: number;
  waitTimeSeconds?: number;
  region?: string;
  onError?: (error: unknown) => void;
}

/**
 * Plays the part of Lambda's SQS event source mapping for the local stack: receive a batch, invoke the
 * handler with an SQS event, delete what succeeded. With ReportBatchItemFailures semantics: listed
 * failures stay on the queue (visible again after the visibility timeout; the queue's redrive policy sends
 * them to the DLQ after maxReceiveCount); a handler that throws, or reports an id that was not in the
 * batch, fails the whole batch, as Lambda does.
 */
export class EventSourcePoller {
  private running = false;
  private loops: Promise<void>[] = [];
  private queueArn = '';
  private readonly options: Required<Omit<PollerOptions, 'onError'>> & Pick<PollerOptions, 'onError'>;
  private readonly abort = new AbortController();

  constructor(options: PollerOptions) {
    this.options = {
      batchSize: 10,
      concurrency: 1,
      functionTimeoutMs: 60_000,
      waitTimeSeconds: 1,
      region: 'us-east-1',
      ...options,
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.resolveQueueArn();
    this.running = true;
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop());
  }

  /** Stops receiving and waits for the invocations in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  private async resolveQueueArn(): Promise<void> {
    if (this.queueArn) return;
    const attributes = await this.options.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.options.queueUrl, AttributeNames: ['QueueArn'] }),
    );
    this.queueArn = attributes.Attributes?.QueueArn ?? this.options.queueUrl;
  }

  /** One receive-invoke-delete cycle; returns how many messages it handled. Public for tests. */
  async pollOnce(): Promise<number> {
    await this.resolveQueueArn();
    const { client, queueUrl, batchSize, waitTimeSeconds } = this.options;
    const received = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(batchSize, 10),
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: this.abort.signal },
    );
    // A message can appear twice in one receive when it became visible again during the long poll;
    // Lambda never hands a function the same message twice in one batch.
    const byId = new Map<string, Message>();
    for (const message of received.Messages ?? [])
      if (message.MessageId) byId.set(message.MessageId, message);
    const messages = [...byId.values()];
    if (messages.length === 0) return 0;
    const event: SqsEvent = { Records: messages.map((m) => this.toRecord(m)) };
    const deadline = Date.now() + this.options.functionTimeoutMs;
    let failed: Set<string>;
    try {
      const response = await this.options.handler(event, {
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        awsRequestId: randomUUID(),
      });
      const ids = new Set(messages.map((m) => m.MessageId));
      const listed = (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
      failed = listed.some((id) => !ids.has(id)) ? new Set(ids as Set<string>) : new Set(listed);
    } catch (error) {
      this.options.onError?.(error);
      failed = new Set(messages.map((m) => m.MessageId as string));
    }
    const done = messages.filter((m) => !failed.has(m.MessageId as string));
    if (done.length > 0) {
      await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
        }),
      );
    }
    return messages.length;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (error) {
        if (!this.running) return;
        this.options.onError?.(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  private toRecord(message: Message): SqsRecord {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId as string,
      receiptHandle: message.ReceiptHandle as string,
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? '0',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
      },
      messageAttributes: message.MessageAttributes ?? {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: this.queueArn,
      awsRegion: this.options.region,
    };
  }
}
