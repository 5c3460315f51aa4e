import {
  ReceiveMessageCommand,
  type SendMessageBatchCommandInput,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseScanMessage } from '../messages/scan-message.ts';
import { type LocalSqs, sqsClientFor, startLocalSqs } from './local-sqs.ts';
import { type OutgoingScan, SqsScanQueue } from './scan-queue.ts';

const CLUSTER = '7b0c8f5e-4a53-4c4e-9d55-2f0d8e1f6a1';

function scans(n: number, delaySeconds?: number): OutgoingScan[] {
  return Array.from({ length: n }, (_, i) => ({
    message: { clusterId: `${CLUSTER}${i % 10}`, slot: `slot-${i}`, trigger: 'schedule' as const },
    ...(delaySeconds !== undefined ? { delaySeconds } : {}),
  }));
}

/**
 * Faults on the real wire: before a SendMessageBatch reaches the server, `plan` may drop entries (answered
 * as failed, as SQS does under throttling) or fail the whole call.
 */
function injectFaults(
  client: SQSClient,
  plan: (
    call: number,
    entries: NonNullable<SendMessageBatchCommandInput['Entries']>,
  ) => {
    failIds?: string[];
    senderFault?: boolean;
    throwError?: boolean;
  },
) {
  let call = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'SendMessageBatchCommand') return next(args);
      const input = args.input as SendMessageBatchCommandInput;
      const fault = plan(++call, input.Entries ?? []);
      if (fault.throwError) throw Object.assign(new Error('socket hang up'), { name: 'NetworkingError' });
      const failIds = new Set(fault.failIds ?? []);
      const kept = (input.Entries ?? []).filter((e) => !failIds.has(e.Id!));
      const result = await next({ ...args, input: { ...input, Entries: kept } });
      const output = result.output as { Failed?: unknown[] };
      output.Failed = [
        ...(output.Failed ?? []),
        ...[...failIds].map((Id) => ({
          Id,
          SenderFault: fault.senderFault ?? false,
          Code: fault.senderFault ? 'InvalidParameterValue' : 'InternalError',
          Message: 'injected',
        })),
      ];
      return result;
    },
    { step: 'initialize', name: 'injectFaults' },
  );
}

describe('SqsScanQueue', () => {
  let sqs: LocalSqs;
  let queueUrl: string;
  let client: SQSClient;

  beforeEach(async () => {
    sqs = await startLocalSqs([{ name: 'scan', visibilityTimeoutSeconds: 30, maxReceiveCount: 5 }]);
    queueUrl = sqs.queues.scan!.url;
    client = sqsClientFor(sqs.endpoint);
  });
  afterEach(async () => {
    client.destroy();
    await sqs.close();
  });

  async function drain(): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const received = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
      );
      if (!received.Messages?.length) return bodies;
      bodies.push(...received.Messages.map((m) => m.Body!));
    }
  }

  it('sends in chunks of ten with SendMessageBatch, one versioned message per scan', async () => {
    const queue = new SqsScanQueue({ client, queueUrl });
    const summary = await queue.send(scans(25));
    expect(summary).toEqual({ sent: 25, batchCalls: 3, retried: 0, failed: [] });
    const bodies = await drain();
    expect(bodies).toHaveLength(25);
    expect(bodies.map((b) => parseScanMessage(b).slot).sort()).toEqual(
      scans(25)
        .map((s) => s.message.slot)
        .sort(),
    );
  });

  it('sends again the entries SQS failed on its side, and only those', async () => {
    const sentIds: string[][] = [];
    injectFaults(client, (call, entries) => {
      sentIds.push(entries.map((e) => e.Id!));
      return call === 1 ? { failIds: ['2', '7'] } : {};
    });
    const queue = new SqsScanQueue({ client, queueUrl, backoffMs: () => 1, concurrency: 1 });
    const summary = await queue.send(scans(10));
    expect(summary).toEqual({ sent: 10, batchCalls: 2, retried: 2, failed: [] });
    expect(sentIds).toEqual([
      ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      ['2', '7'],
    ]);
    const bodies = await drain();
    expect(new Set(bodies.map((b) => parseScanMessage(b).slot)).size).toBe(10);
    expect(bodies).toHaveLength(10);
  });

  it('retries a call that failed on the network, and reports what never got through', async () => {
    injectFaults(client, () => ({ throwError: true }));
    const queue = new SqsScanQueue({ client, queueUrl, backoffMs: () => 1, maxAttempts: 3 });
    const summary = await queue.send(scans(3));
    expect(summary.sent).toBe(0);
    expect(summary.batchCalls).toBe(3);
    expect(summary.failed).toHaveLength(3);
    expect(summary.failed[0]).toMatchObject({
      slot: 'slot-0',
      reason: expect.stringMatching(/socket hang up/),
    });
  });

  it('does not retry entries refused as the sender fault', async () => {
    injectFaults(client, (call) => (call === 1 ? { failIds: ['1'], senderFault: true } : {}));
    const queue = new SqsScanQueue({ client, queueUrl, backoffMs: () => 1 });
    const summary = await queue.send(scans(3));
    expect(summary).toMatchObject({ sent: 2, batchCalls: 1, retried: 0 });
    expect(summary.failed).toEqual([
      { clusterId: `${CLUSTER}1`, slot: 'slot-1', reason: 'InvalidParameterValue: injected' },
    ]);
  });

  it('holds delayed messages back until their delay has passed', async () => {
    const queue = new SqsScanQueue({ client, queueUrl });
    await queue.send([
      ...scans(1, 2),
      { message: { clusterId: `${CLUSTER}5`, slot: 'now', trigger: 'manual' } },
    ]);
    const first = await drain();
    expect(first.map((b) => parseScanMessage(b).slot)).toEqual(['now']);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect((await drain()).map((b) => parseScanMessage(b).slot)).toEqual(['slot-0']);
  });
});
