// @vigil/db: the drizzle schema, migrations and repositories shared by the scan pipeline, the API and the
// notifier. Every function takes a `Database` (or a transaction on one) as its first argument.

export * from './api-keys/index.ts';
export type { Cluster, ClusterLabels, ClusterSource } from './clusters/model.ts';
export {
  clusterLabelsSchema,
  clusterNameSchema,
  clusterSourceSchema,
  MIN_SCHEDULE_INTERVAL_SECONDS,
} from './clusters/model.ts';
export {
  type ClusterFilter,
  type ClusterPatch,
  createCluster,
  deleteCluster,
  getCluster,
  getClusterByName,
  listClusterIds,
  listClusters,
  type NewCluster,
  updateCluster,
} from './clusters/repository.ts';
export {
  closeDatabase,
  type Database,
  DEFAULT_DATA_DIR,
  dumpDatabase,
  type Engine,
  engineOf,
  type OpenDatabaseOptions,
  openDatabase,
  type Schema,
  type Transaction,
} from './database.ts';
export * from './deliveries/index.ts';
export * from './errors.ts';
export {
  createException,
  type ExceptionFilter,
  type ExceptionRecord,
  exceptionsForCluster,
  getException,
  listExceptions,
  type NewException,
  revokeException,
  updateException,
} from './exceptions/repository.ts';
export {
  type KnownLifecycle,
  type LifecyclePlan,
  planLifecycle,
  resolvableChecks,
} from './findings/lifecycle.ts';
export type { FindingLifecycle, LifecycleState, StoredFinding } from './findings/model.ts';
export { LIFECYCLE_STATES } from './findings/model.ts';
export {
  type FindingDetail,
  type FindingFilter,
  type FindingLifecycleIso,
  type FleetSummary,
  getFinding,
  listFindings,
  listFindingsIso,
  listLifecycleChanges,
  listRunFindings,
  type RunFindingFilter,
  summarizeFleet,
} from './findings/repository.ts';
export type { InsertStrategy } from './findings/write.ts';
export { pingDatabase } from './health.ts';
export { MIGRATIONS_FOLDER, type MigrationStatus, migrate, migrationStatus } from './migrate.ts';
export type {
  ControlRegressedPayload,
  FindingEventPayload,
  NewOutboxEvent,
  OutboxEvent,
  OutboxEventType,
  OutboxPayload,
  ScanFailedPayload,
} from './outbox/model.ts';
export { OUTBOX_EVENT_TYPES } from './outbox/model.ts';
export {
  claimOutboxEvents,
  insertOutboxEvents,
  listOutboxEvents,
  markOutboxDispatched,
  type OutboxFilter,
  releaseOutboxEvent,
} from './outbox/repository.ts';
export {
  DEFAULT_PAGE_LIMIT,
  decodeCursor,
  encodeCursor,
  MAX_PAGE_LIMIT,
  type Page,
  type PageRequest,
} from './pagination.ts';
export {
  type RecordScanInput,
  type RecordScanOptions,
  type RecordScanResult,
  recordScan,
} from './record-scan.ts';
export { deleteOlderThan, type RetentionOptions, type RetentionResult } from './retention.ts';
export { type ControlRegression, regressedControls } from './runs/compliance.ts';
export * from './runs/fleet.ts';
export type {
  FinalRunStatus,
  RunStatus,
  RunTransitions,
  RunTrigger,
  ScanRun,
  ScanRunSummary,
} from './runs/model.ts';
export { FINAL_RUN_STATUSES, RUN_STATUSES } from './runs/model.ts';
export {
  claimRun,
  ensureRun,
  failRun,
  getRun,
  latestRuns,
  listRuns,
  listStaleClusters,
  type RunFilter,
  type RunKey,
  type StaleCluster,
} from './runs/repository.ts';
export { MAX_SLOT_LENGTH, scheduleSlot } from './runs/slots.ts';
export * as schema from './schema.ts';
export { latestSnapshot, type StoredSnapshot, saveSnapshot } from './snapshots/repository.ts';
export * from './subscriptions/index.ts';
