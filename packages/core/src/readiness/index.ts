/**
 * Readiness: every verifiable item of the production checklist as data plus a pure evaluation, the evidence
 * they read (gathered once per run), the on-instance probe, eval ingestion and drift between runs.
 */
export { type Attestation, attestationFor, judgeAttestation, reviewAttestation } from "./attestation.js";
export { READINESS_CHECKS } from "./checks/index.js";
export { lastObservedReplacement, lastReplacementFromActivities } from "./checks/replacement.js";
export { lookAlikeSecretArns, READ_SECRET } from "./checks/secret-access.js";
export { ConcurrentRunError, DriftPublishError, EvalResultsError, ReadinessError } from "./errors.js";
export {
  CASE_KINDS,
  type CaseKind,
  caseKind,
  type EvalReport,
  essentialEvalResults,
  parseEvalResults,
  type SkillEvalSummary,
} from "./evals.js";
export { type EvaluateOptions, evaluateReadiness, runCheck, summarizeAreas } from "./evaluate.js";
export * from "./evidence.js";
export {
  CREDENTIAL_PATTERNS,
  findCredentialPatterns,
  formatReadinessProbeOutput,
  PLUGIN_OUTPUT_LIMIT,
  PROBE_LIST_BUDGETS,
  type ProbeOutcome,
  parseReadinessProbe,
  READINESS_PROBE_MARKER,
  type ReadinessProbeOptions,
  type ReadinessProbeResult,
  readinessProbeCommands,
  soulDocumentsDigest,
} from "./probes.js";
export {
  type DriftCheck,
  type DriftEventDetail,
  detectDrift,
  driftEvents,
  knownStatuses,
  type ReadinessDrift,
  type RunStatuses,
  statusesOf,
} from "./report.js";
export {
  type AlertsIdentity,
  READINESS_TUNING_DEFAULTS,
  type ReadinessFleet,
  type ReadinessOptions,
  type ReadinessSettings,
  type ReadinessTuning,
  tuning,
} from "./settings.js";
export { parseReadinessSettings, ReadinessSettingsSchema, readinessSettings } from "./settings-schema.js";
export * from "./types.js";
