/**
 * The parts of AWS Lambda's SQS event and partial-batch response that Vigil uses. Written out here rather
 * than pulled from @types/aws-lambda so the local poller and the deployed handlers share one small shape.
 */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: {
    ApproximateReceiveCount: string;
    SentTimestamp: string;
    ApproximateFirstReceiveTimestamp: string;
    SenderId?: string;
  };
  messageAttributes: Record<string, unknown>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

export interface SqsEvent {
  Records: SqsRecord[];
}

/** With ReportBatchItemFailures on, the ids listed here are retried; every other message is deleted. */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What a handler may use of Lambda's context: the time left before the invocation is killed. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  awsRequestId: string;
}

export type SqsBatchHandler = (event: SqsEvent, context: InvocationContext) => Promise<SqsBatchResponse>;
