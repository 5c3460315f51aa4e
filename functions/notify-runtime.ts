import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { NotifyDeps } from '@vigil/jobs/notify';
import { SqsNotifyQueue } from '@vigil/jobs/notify';
import { createHttpClient, createKmsEncryptor, parseAllowCidrs } from '@vigil/notify';
import { notifyConfig } from './config.ts';
import { functionLogger, lazy, openFunctionDatabase } from './runtime.ts';

/** The KMS envelope encryptor and the SSRF-guarded client, as the notifier and the API's subscription service use them. */
export function notifyAdapters(config: { kmsKeyId: string; webhookAllowCidrs?: string }) {
  const policy = parseAllowCidrs(config.webhookAllowCidrs);
  return {
    policy,
    encryptor: createKmsEncryptor({ client: new KMSClient({}), keyId: config.kmsKeyId }),
    http: createHttpClient({ policy }),
  };
}

/**
 * What the notify function and the notify sweep share: the database, the notify queue, the KMS envelope
 * encryptor that opens webhook secrets, and the SSRF-guarded HTTP client with the operator's allow-list.
 */
export function notifyDeps(fn: string): () => Promise<NotifyDeps> {
  return lazy(async () => {
    const config = notifyConfig();
    const db = await openFunctionDatabase(config.database);
    const { encryptor, http } = notifyAdapters(config);
    return {
      db,
      queue: new SqsNotifyQueue({ client: new SQSClient({}), queueUrl: config.notifyQueueUrl }),
      encryptor,
      http,
      logger: functionLogger(fn),
    };
  });
}
