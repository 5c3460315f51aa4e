export { classifyScanError, describeScanError, type ErrorKind } from './classify.ts';
export { createScanHandler, createScanRecordHandler, type ScanHandlerDeps } from './handler.ts';
export { MAX_SOURCE_FILE_BYTES, readCluster, type SourcePolicy } from './read-cluster.ts';
export {
  DEFAULT_MIN_COLLECT_MS,
  DEFAULT_RESERVE_MS,
  nudgeNotifier,
  type ScanDeps,
  type ScanOutcome,
  scanCluster,
} from './scan-cluster.ts';
