import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventSourcePoller } from './event-source-poller.ts';
import type { SqsBatchHandler, SqsEvent } from './lambda-types.ts';
import { type LocalSqs, startLocalSqs } from './local-sqs.ts';

// These tests speak the real SQS wire protocol to a loopback SQS server.
describe('EventSourcePoller', () => {
  let sqs: LocalSqs;
  let queueUrl: string;
  let dlqUrl: string;

  beforeEach(async () => {
    sqs = await startLocalSqs([{ name: 'work', visibilityTimeoutSeconds: 1, maxReceiveCount: 2 }]);
    ({ url: queueUrl, dlqUrl } = sqs.queues.work!);
  });
  afterEach(async () => {
    await sqs.close();
  });

  async function send(bodies: string[]) {
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.map((b, i) => ({ Id: String(i), MessageBody: b })),
      }),
    );
  }

  // Messages still on the queue, visible or in flight (the local server counts both in this attribute), and
  // ones just sent, which it holds as delayed until its next timer tick.
  async function depth(url: string): Promise<number> {
    const attributes = await sqs.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return (
      Number(attributes.Attributes?.ApproximateNumberOfMessages) +
      Number(attributes.Attributes?.ApproximateNumberOfMessagesDelayed)
    );
  }

  function poller(handler: SqsBatchHandler) {
    return new EventSourcePoller({
      client: sqs.client,
      queueUrl,
      handler,
      batchSize: 10,
      waitTimeSeconds: 0,
    });
  }

  it('hands the handler an SQS event and deletes every message when nothing failed', async () => {
    await send(['a', 'b', 'c']);
    const events: SqsEvent[] = [];
    const handled = await poller(async (event) => {
      events.push(event);
      return { batchItemFailures: [] };
    }).pollOnce();
    expect(handled).toBe(3);
    expect(events[0]?.Records.map((r) => r.body).sort()).toEqual(['a', 'b', 'c']);
    expect(events[0]?.Records[0]?.eventSourceARN).toMatch(/^arn:aws:sqs:.*:work$/);
    expect(events[0]?.Records[0]?.attributes.ApproximateReceiveCount).toBe('1');
    expect(await depth(queueUrl)).toBe(0);
  });

  it('keeps only the messages the handler reports as failed', async () => {
    await send(['ok-1', 'bad', 'ok-2']);
    await poller(async (event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
        itemIdentifier: r.messageId,
      })),
    })).pollOnce();
    expect(await depth(queueUrl)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const again = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(again.Messages?.map((m) => m.Body)).toEqual(['bad']);
  });

  it('fails the whole batch when the handler throws or names a message it was not given', async () => {
    await send(['a', 'b']);
    await poller(async () => {
      throw new Error('crashed');
    }).pollOnce();
    expect(await depth(queueUrl)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await poller(async () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] })).pollOnce();
    expect(await depth(queueUrl)).toBe(2);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount receives', async () => {
    await send(['poison']);
    const failing = poller(async (event) => ({
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    }));
    for (let i = 0; i < 3; i++) {
      await failing.pollOnce();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
    expect(await depth(queueUrl)).toBe(0);
    const dead = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }),
    );
    expect(dead.Messages?.map((m) => m.Body)).toEqual(['poison']);
  });

  it('runs until stopped and finishes the invocation in flight', async () => {
    const seen: string[] = [];
    const running = new EventSourcePoller({
      client: sqs.client,
      queueUrl,
      waitTimeSeconds: 0,
      handler: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
    });
    await running.start();
    await send(['x', 'y']);
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await running.stop();
    expect(seen.sort()).toEqual(['x', 'y']);
  });
});
