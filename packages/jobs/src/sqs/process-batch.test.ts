import { describe, expect, it } from 'vitest';
import { FullBatchFailureError } from '../errors.ts';
import type { InvocationContext, SqsRecord } from './lambda-types.ts';
import { processBatch } from './process-batch.ts';

function record(id: string, body = id): SqsRecord {
  return {
    messageId: id,
    receiptHandle: `handle-${id}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:vigil-scan',
    awsRegion: 'us-east-1',
  };
}

const context: InvocationContext = { getRemainingTimeInMillis: () => 60_000, awsRequestId: 'request-1' };

describe('processBatch', () => {
  it('lists exactly the record whose handler threw when message 2 of 3 fails', async () => {
    const seen: string[] = [];
    const response = await processBatch(
      { Records: [record('m1'), record('m2'), record('m3')] },
      async (r) => {
        seen.push(r.messageId);
        if (r.messageId === 'm2') throw new Error('boom');
      },
      { context },
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(seen.sort()).toEqual(['m1', 'm2', 'm3']);
  });

  it('returns an empty list only when every record succeeded', async () => {
    const response = await processBatch({ Records: [record('a'), record('b')] }, async () => {}, { context });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(await processBatch({ Records: [] }, async () => {}, { context })).toEqual({
      batchItemFailures: [],
    });
  });

  it('throws when every record failed, so the invocation counts as an error and all come back', async () => {
    const failing = processBatch(
      { Records: [record('a'), record('b')] },
      async () => {
        throw new Error('down');
      },
      { context },
    );
    await expect(failing).rejects.toBeInstanceOf(FullBatchFailureError);
    await expect(failing).rejects.toMatchObject({ errors: [expect.any(Error), expect.any(Error)] });
  });

  it('lists failures in batch order whatever order they finished in', async () => {
    const response = await processBatch(
      { Records: [record('m1'), record('m2'), record('m3'), record('m4')] },
      async (r) => {
        if (r.messageId === 'm1') {
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw new Error('slow failure');
        }
        if (r.messageId === 'm3') throw new Error('fast failure');
      },
      { context },
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1', 'm3']);
  });

  it('runs at most `concurrency` records at once and passes the invocation context on', async () => {
    let inFlight = 0;
    let peak = 0;
    const contexts: InvocationContext[] = [];
    await processBatch(
      { Records: ['a', 'b', 'c', 'd', 'e'].map((id) => record(id)) },
      async (_r, ctx) => {
        contexts.push(ctx);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight--;
      },
      { context, concurrency: 2 },
    );
    expect(peak).toBe(2);
    expect(contexts.every((c) => c === context)).toBe(true);
  });

  it('tells onRecordError about each failed record', async () => {
    const reported: string[] = [];
    await processBatch(
      { Records: [record('ok'), record('bad')] },
      async (r) => {
        if (r.messageId === 'bad') throw new Error('nope');
      },
      { context, onRecordError: (r, error) => reported.push(`${r.messageId}: ${(error as Error).message}`) },
    );
    expect(reported).toEqual(['bad: nope']);
  });

  it('fails the whole batch when a record without a message id fails (it could not be reported)', async () => {
    const nameless = { ...record('x'), messageId: '' };
    await expect(
      processBatch(
        { Records: [record('ok'), nameless] },
        async (r) => {
          if (r.messageId === '') throw new Error('unreportable');
        },
        { context },
      ),
    ).rejects.toThrow('unreportable');
  });

  it('refuses an event that is not an SQS event', async () => {
    await expect(processBatch({} as never, async () => {}, { context })).rejects.toThrow(/Records/);
  });
});
