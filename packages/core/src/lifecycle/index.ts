export {
  actionFromDetail,
  gateExecutionName,
  instanceOfExecution,
  type LifecycleAction,
  type LifecycleRoute,
  routeLifecycleEvent,
} from "./action.js";
export {
  DRAIN_CHECK_SECONDS,
  type DrainNext,
  type DrainState,
  decideDrainStep,
  GATEWAY_DRAIN_MARKER,
  gatewayDrainCommands,
} from "./drain.js";
export {
  AwsThrottled,
  classifyInstanceHealthError,
  classifyLifecycleError,
  classifySsmError,
  InstanceInGracePeriod,
  InstanceNotRegistered,
  LaunchGateError,
  LifecycleActionGone,
  LifecycleContention,
  ProbeNotReady,
} from "./errors.js";
export { drainFailedDetail, lifecycleAbandonedDetail } from "./events.js";
export {
  decideGateStep,
  type GateDecision,
  type GateNext,
  type GateProbeRecord,
  type GateState,
  GateStep,
  gateAfterWait,
  MAX_PROBE_READS,
  outcomeForUnregistered,
  PROBE_READ_WAIT_SECONDS,
  type ProbeOutcome,
  type ProbeOutcomeKind,
  probeOutcomeFromInvocation,
  recordHeartbeat,
  startGate,
} from "./gate.js";
export {
  countVerdicts,
  decideInstanceHealth,
  type InstanceHealthDecision,
  type InstanceHealthHistory,
  type InstanceVerdict,
  MONITOR_SERVICE_NAME,
  MonitorMetric,
  type MonitorProbe,
  type MonitorSettings,
  monitorProbeFromInvocation,
  pruneHistories,
} from "./monitor.js";
export {
  foreignLifecycleEvent,
  type LifecycleEventOrigin,
  type LifecycleOwner,
  lifecycleOwner,
} from "./ownership.js";
export {
  formatGatewayProbeOutput,
  GATEWAY_PROBE_MARKER,
  type GatewayHealth,
  type GatewayProbeResult,
  gatewayProbeCommands,
  judgeGatewayHealth,
  ProbeOutputError,
  parseGatewayProbe,
  probeExecutionTimeoutSeconds,
} from "./probe.js";
export { decideReconcile, type GroupInstance, type ReconcileAction } from "./reconcile.js";
export {
  batchInstanceIds,
  type InvocationResult,
  isInvocationInFlight,
  MAX_INSTANCES_PER_SEND_COMMAND,
  MIN_DELIVERY_TIMEOUT_SECONDS,
  RUN_SHELL_SCRIPT,
  type RunShellScriptInput,
  runShellScript,
} from "./run-command.js";
export {
  type DrainSettings,
  DrainSettingsSchema,
  type GateSettings,
  GateSettingsSchema,
  type LifecycleSettings,
  LifecycleSettingsSchema,
  lifecycleSettings,
  parseLifecycleSettings,
  schedulePeriodSeconds,
} from "./settings.js";
