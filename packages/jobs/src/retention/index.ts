export { type LocalRetention, startLocalRetention } from './local.ts';
export {
  DEFAULT_RETENTION_DAYS,
  MIN_RETENTION_DAYS,
  type PruneResult,
  pruneHistory,
  RetentionSettingError,
} from './retention.ts';
