/** Restore drills: the pure decisions, the verifier and the cleanup guard. */
export {
  CleanupRefusedError,
  DrillError,
  DrillTimeoutError,
  FileSystemTakenError,
  InvalidManifestError,
  NoRecoveryPointError,
  NotReadyError,
  RestoreFailedError,
  RestoreRootError,
  VerifierBusyError,
  VerifierMountError,
} from "./errors.js";
export {
  assertDeletable,
  cleanupRefusal,
  type DeletableResource,
  type DrillIdentity,
  type DrillResourceKind,
} from "./guard.js";
export {
  JsonChecker,
  JsonLinesChecker,
  MAX_JSON_BYTES,
  nodeSqliteIntegrityCheck,
  SQLITE_HEADER,
  type SqliteIntegrityCheck,
  type StructuredKind,
  structuredKind,
} from "./integrity.js";
export {
  type PreparePhase,
  percentDone,
  prepareWaitSeconds,
  restorePollDelaySeconds,
  rpoSeconds,
  rtoSeconds,
} from "./measure.js";
export {
  drillExecutionEndedPattern,
  EXECUTION_STATUS_CHANGE,
  restoreTestingCompletedPattern,
} from "./patterns.js";
export { type ChosenRecoveryPoint, pickRecoveryPoint, type RecoveryPointSummary } from "./recovery-point.js";
export {
  type DrillVerdict,
  drillSummaryRows,
  type FileSystemDrillOutcome,
  type FileSystemDrillResult,
  failedDrillVerdict,
  formatBytes,
  formatDuration,
  judgeDrill,
} from "./report.js";
export { type ExecutionRequest, executionRequest, keepsFileSystems } from "./request.js";
export { type RestoreRequest, restoreJobInput, type StartRestoreJobInput } from "./restore-metadata.js";
export { findRestoreRoot, RESTORE_DIRECTORY_PREFIX, type RootEntry } from "./restore-root.js";
export {
  allVerifiers,
  DAYS_SINCE_PASS_EVERY_HOURS,
  type DrillFileSystem,
  DrillFileSystemSchema,
  type DrillSettings,
  DrillSettingsSchema,
  drillNow,
  parseDrillSettings,
  publishesDaysSincePass,
  RESTORE_JOB_CLAIMS_PK,
  type RestoreTarget,
  restoreTargets,
  SWEEPER_SCHEDULE,
  setDrillClock,
  type VerifierTarget,
  verifierFor,
} from "./settings.js";
export { type SweepCandidate, type SweepTarget, sweepTargets } from "./sweep.js";
export {
  DRILL_CREATOR,
  DRILL_TOKEN_PREFIX,
  DrillTag,
  drillTags,
  drillTokenPrefix,
  isStageCreationToken,
  type ResourceTag,
  restoreCreationToken,
  tagRecord,
} from "./tags.js";
export {
  combineVerifyResults,
  type DeployedManifest,
  deployedAfter,
  isSoulDocumentPath,
  type SoulManifest,
  type VerifyExpectations,
  type VerifyMismatch,
  type VerifyOptions,
  type VerifyResult,
  verifyTree,
  within,
} from "./verify.js";
