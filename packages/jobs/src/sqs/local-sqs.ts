import type { AddressInfo } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsServer } from 'local-aws-sqs';

export interface QueueSpec {
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  /** Queue URL and its DLQ's URL, by queue name. */
  queues: Record<string, { url: string; dlqUrl: string }>;
  close(): Promise<void>;
}

/** A client for any SQS endpoint; locally the credentials are placeholders the server ignores. */
export function sqsClientFor(endpoint: string, region = 'us-east-1'): SQSClient {
  return new SQSClient({ endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/**
 * Starts an SQS server on loopback (the real SQS JSON protocol, spoken by the real SQS client) and creates
 * each queue with a dead-letter queue and a redrive policy, as infra/ does in AWS.
 */
export async function startLocalSqs(specs: QueueSpec[], port = 0): Promise<LocalSqs> {
  const server = await createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  const address = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = sqsClientFor(endpoint);
  const queues: LocalSqs['queues'] = {};
  for (const spec of specs) {
    const dlq = await client.send(new CreateQueueCommand({ QueueName: `${spec.name}-dlq` }));
    const dlqArn = (
      await client.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
      )
    ).Attributes?.QueueArn;
    const queue = await client.send(
      new CreateQueueCommand({
        QueueName: spec.name,
        Attributes: {
          VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn,
            maxReceiveCount: spec.maxReceiveCount,
          }),
        },
      }),
    );
    queues[spec.name] = { url: queue.QueueUrl as string, dlqUrl: dlq.QueueUrl as string };
  }
  return {
    endpoint,
    client,
    queues,
    close: () =>
      new Promise<void>((resolve, reject) => {
        client.destroy();
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
