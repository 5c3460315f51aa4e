import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { encodeScanMessage, type ScanMessage } from '../messages/scan-message.ts';

/** SQS takes at most ten entries per SendMessageBatch and at most 900 seconds of delay. */
export const SQS_BATCH_LIMIT = 10;
export const SQS_MAX_DELAY_SECONDS = 900;

export interface OutgoingScan {
  message: Omit<ScanMessage, 'v'>;
  /** Held back this long before it can be received (spreads a fleet's scans over time). */
  delaySeconds?: number;
}

export interface SendSummary {
  sent: number;
  /** SendMessageBatch calls made, retries included. */
  batchCalls: number;
  /** Entries that failed once and were sent again. */
  retried: number;
  /** Entries that were never accepted, with the reason SQS (or the network) gave. */
  failed: { clusterId: string; slot: string; reason: string }[];
}

/** Where scan messages go: the scan queue in AWS, the local SQS server in the local stack. */
export interface ScanQueue {
  send(scans: readonly OutgoingScan[]): Promise<SendSummary>;
}

export interface SqsScanQueueOptions {
  client: SQSClient;
  queueUrl: string;
  /** Attempts per entry, the first included (default 4). */
  maxAttempts?: number;
  /** Batch calls in flight at once (default 8). */
  concurrency?: number;
  /** Waits before a retry; attempt 1 is the first retry. Default: 50 ms doubling, with jitter. */
  backoffMs?: (attempt: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultBackoff = (attempt: number) => Math.round(50 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));

/**
 * Sends scan messages with SendMessageBatch, ten at a time, and sends again what SQS did not accept: entries
 * it reports as failed for a reason on its side (throttling, internal errors) and whole calls that failed on
 * the network. Entries refused as the sender's fault (SenderFault) are not retried; they are reported.
 */
export class SqsScanQueue implements ScanQueue {
  private readonly options: Required<Omit<SqsScanQueueOptions, 'client' | 'queueUrl'>> &
    Pick<SqsScanQueueOptions, 'client' | 'queueUrl'>;

  constructor(options: SqsScanQueueOptions) {
    this.options = {
      maxAttempts: 4,
      concurrency: 8,
      backoffMs: defaultBackoff,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...options,
    };
  }

  async send(scans: readonly OutgoingScan[]): Promise<SendSummary> {
    const summary: SendSummary = { sent: 0, batchCalls: 0, retried: 0, failed: [] };
    const chunks: OutgoingScan[][] = [];
    for (let i = 0; i < scans.length; i += SQS_BATCH_LIMIT) chunks.push(scans.slice(i, i + SQS_BATCH_LIMIT));
    let next = 0;
    const workers = Array.from({ length: Math.min(this.options.concurrency, chunks.length) }, async () => {
      while (next < chunks.length) await this.sendChunk(chunks[next++]!, summary);
    });
    await Promise.all(workers);
    return summary;
  }

  private async sendChunk(chunk: OutgoingScan[], summary: SendSummary): Promise<void> {
    // Entry ids are positions in the chunk; they only need to be unique within one call.
    let pending = new Map<string, OutgoingScan>(chunk.map((scan, i) => [String(i), scan]));
    const lastReason = new Map<string, string>();
    for (let attempt = 1; attempt <= this.options.maxAttempts && pending.size > 0; attempt++) {
      if (attempt > 1) {
        summary.retried += pending.size;
        await this.options.sleep(this.options.backoffMs(attempt - 1));
      }
      summary.batchCalls++;
      const entries: SendMessageBatchRequestEntry[] = [...pending].map(([id, scan]) => ({
        Id: id,
        MessageBody: encodeScanMessage(scan.message),
        ...(scan.delaySeconds
          ? { DelaySeconds: Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.floor(scan.delaySeconds))) }
          : {}),
      }));
      let response: SendMessageBatchCommandOutput;
      try {
        response = await this.options.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: entries }),
        );
      } catch (error) {
        const reason = `SendMessageBatch failed: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}`;
        for (const id of pending.keys()) lastReason.set(id, reason);
        continue;
      }
      for (const ok of response.Successful ?? []) {
        if (ok.Id !== undefined && pending.delete(ok.Id)) summary.sent++;
      }
      const retry = new Map<string, OutgoingScan>();
      for (const failed of response.Failed ?? []) {
        const scan = failed.Id !== undefined ? pending.get(failed.Id) : undefined;
        if (!scan || failed.Id === undefined) continue;
        const reason = `${failed.Code ?? 'Failed'}: ${failed.Message ?? 'no reason given'}`;
        if (failed.SenderFault) {
          summary.failed.push({ ...ids(scan), reason });
        } else {
          lastReason.set(failed.Id, reason);
          retry.set(failed.Id, scan);
        }
      }
      // Entries SQS answered neither way (should not happen) are retried too.
      for (const [id, scan] of pending) {
        if (!retry.has(id) && !(response.Failed ?? []).some((f) => f.Id === id)) {
          lastReason.set(id, 'no answer for this entry');
          retry.set(id, scan);
        }
      }
      pending = retry;
    }
    for (const [id, scan] of pending) {
      summary.failed.push({ ...ids(scan), reason: lastReason.get(id) ?? 'not sent' });
    }
  }
}

function ids(scan: OutgoingScan): { clusterId: string; slot: string } {
  return { clusterId: scan.message.clusterId, slot: scan.message.slot };
}
