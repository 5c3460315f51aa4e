// The local stack's pieces: the in-process SQS server and the event source mapping stand-in.
export { EventSourcePoller, type PollerOptions } from '../sqs/event-source-poller.ts';
export { type LocalSqs, type QueueSpec, sqsClientFor, startLocalSqs } from '../sqs/local-sqs.ts';
export {
  type LocalPipeline,
  type LocalPipelineOptions,
  NOTIFY_QUEUE,
  SCAN_QUEUE,
  startLocalPipeline,
} from './pipeline.ts';
