/**
 * The failure drill: stop one gateway on purpose and prove, on the real path, that the unhealthy-gateway alarm
 * fires, the alert reaches Slack and the group replaces the instance, each within its configured window.
 * Everything here is a pure decision; the handlers in functions/failure-drill gather inputs and act.
 */
export {
  GATEWAY_START_BOUND_SECONDS,
  GATEWAY_START_MARKER,
  GATEWAY_STOP_BOUND_SECONDS,
  GATEWAY_STOP_MARKER,
  GATEWAY_STOP_SETTLE_SECONDS,
  type GatewayCommandOutcome,
  gatewayCommandOutcome,
  gatewayStartCommands,
  gatewayStopCommands,
  SYSTEMCTL_TIMEOUT_SECONDS,
  startStillQueued,
  stopMayStillFinish,
} from "./commands.js";
export { FailureDrillError, FailureDrillRefused } from "./errors.js";
export {
  type FailureDrillEventDetails,
  failureDrillCompletedDetail,
  failureDrillStartedDetail,
} from "./events.js";
export { drillPlan } from "./plan.js";
export {
  decidePreflight,
  type FleetSituation,
  type GroupInstance,
  MIN_HEALTHY_GATEWAYS,
  type PreflightDecision,
  RUNNING_REFRESH_STATUSES,
} from "./preflight.js";
export {
  type AlarmTransition,
  advanceDrill,
  type DeliverySeen,
  type DrillObservation,
  type DrillProgress,
  type ObserveDecision,
  type ObserveNext,
  type ReplacementSeen,
  type StopState,
  startProgress,
} from "./progress.js";
export {
  type FailureDrillLayout,
  failureDrillCompletedLayout,
  failureDrillSeverity,
  failureDrillStartedLayout,
} from "./render.js";
export {
  type GatewayRestart,
  gatewayRestartOf,
  restartFailed,
  restartSentence,
} from "./restart.js";
export {
  FailureDrillKeys,
  FailureDrillMetric,
  type FailureDrillResult,
  failureDrillMetrics,
  failureDrillRecord,
  failureDrillResult,
  type WindowVerdict,
} from "./result.js";
export {
  type DrillWindows,
  DrillWindowsSchema,
  drillLockSeconds,
  type FailureDrillSettings,
  FailureDrillSettingsSchema,
  failureDrillNow,
  failureDrillParameterName,
  failureDrillSettings,
  OBSERVE_INTERVAL_SECONDS,
  parseFailureDrillSettings,
  setFailureDrillClock,
  unhealthyGatewaysAlarmName,
} from "./settings.js";
export { failureDrillResultFromCause, failureDrillSummary } from "./summary.js";
