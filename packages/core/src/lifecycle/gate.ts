import type { GatewayEndpoint } from "../fleet/description.js";
import { judgeGatewayHealth, ProbeOutputError, parseGatewayProbe } from "./probe.js";
import { type InvocationResult, isInvocationInFlight } from "./run-command.js";
import type { GateSettings } from "./settings.js";

/** What the launch gate does next. `read` means the probe's result is not in yet (poll it again shortly). */
export const GateStep = {
  ProbeAgain: "probe-again",
  Heartbeat: "heartbeat",
  Continue: "continue",
  Abandon: "abandon",
} as const;
export type GateStep = (typeof GateStep)[keyof typeof GateStep];
export type GateNext = GateStep | "read";

/** How one probe of the gate ended. */
export type ProbeOutcomeKind =
  | "healthy"
  | "unhealthy"
  | "agent-not-registered"
  | "no-answer"
  | "instance-gone";

export interface ProbeOutcome {
  readonly kind: ProbeOutcomeKind;
  /** Why, in words an operator reads. */
  readonly reason: string;
  /** The probe's raw output (or SSM's error), for the LifecycleAbandoned event. */
  readonly output: string;
}

/** The last probe as the gate records it (and the LifecycleAbandoned event carries it). */
export interface GateProbeRecord {
  readonly status: ProbeOutcomeKind;
  readonly reason: string;
  readonly output: string;
  readonly at: string;
}

/**
 * The gate's state, carried from state to state by the state machine. Times are epoch milliseconds.
 * `waitedSeconds` adds up the Wait states the state machine passed through: a lower bound of the elapsed time
 * that does not depend on the wall clock, so the gate behaves the same when waits run on another clock
 * (sandbox, workflow tests); in AWS the real clock is always ahead of it.
 */
export interface GateState {
  readonly startedAt: number;
  readonly probes: number;
  readonly healthyStreak: number;
  readonly lastHeartbeatAt: number;
  /** Seconds of Wait states passed through, and that sum at the last heartbeat. */
  readonly waitedSeconds: number;
  readonly waitedAtHeartbeat: number;
  readonly heartbeats: number;
  /** Command id of the probe in flight, if any. */
  readonly pendingCommandId?: string | undefined;
  /** Reads of the pending probe so far. */
  readonly reads: number;
  readonly next: GateNext;
  /** Seconds the state machine waits before the next probe. */
  readonly waitSeconds: number;
  readonly reason: string;
  readonly lastProbe?: GateProbeRecord | undefined;
}

/** A new gate, started now. */
export function startGate(now: number, settings: GateSettings): GateState {
  return {
    startedAt: now,
    probes: 0,
    healthyStreak: 0,
    lastHeartbeatAt: now,
    waitedSeconds: 0,
    waitedAtHeartbeat: 0,
    heartbeats: 0,
    reads: 0,
    next: GateStep.ProbeAgain,
    waitSeconds: settings.probeIntervalSeconds,
    reason: "gate started",
  };
}

/**
 * A gate started by its opening heartbeat (the StartGate state), which probes at once. The gate may start long
 * after the hook did (a lost event found by the reconciler, an EventBridge retry): only a heartbeat says how long
 * the action still lives.
 */
export function startGateWithHeartbeat(now: number, settings: GateSettings): GateState {
  return recordHeartbeat({ ...startGate(now, settings), waitSeconds: 0 }, now);
}

/**
 * A gate that starts without its opening heartbeat (the call failed): the hook's age is unknown, so the gate
 * counts the hook as about to time out and heartbeats after its first probe.
 */
export function startGateWithoutHeartbeat(now: number, settings: GateSettings): GateState {
  return { ...startGate(now, settings), lastHeartbeatAt: now - settings.heartbeatTimeoutSeconds * 1000 };
}

export interface GateDecision {
  readonly step: GateStep;
  readonly reason: string;
  readonly state: GateState;
}

/**
 * The launch gate's one decision after each probe:
 * - the instance is gone → `abandon`;
 * - healthy N times in a row → `continue`;
 * - the deadline has passed → `abandon`;
 * - the hook would time out before the probe after next → `heartbeat`;
 * - otherwise → `probe-again`.
 * An unregistered SSM agent or a lost probe counts as not healthy, never as a failure of the gate.
 */
export function decideGateStep(
  state: GateState,
  probe: ProbeOutcome,
  now: number,
  settings: GateSettings,
): GateDecision {
  const interval = settings.probeIntervalSeconds * 1000;
  const healthyStreak = probe.kind === "healthy" ? state.healthyStreak + 1 : 0;
  const base: GateState = {
    ...state,
    healthyStreak,
    pendingCommandId: undefined,
    reads: 0,
    waitSeconds: settings.probeIntervalSeconds,
    lastProbe: {
      status: probe.kind,
      reason: probe.reason,
      output: probe.output,
      at: new Date(now).toISOString(),
    },
  };
  const decide = (step: GateStep, reason: string): GateDecision => ({
    step,
    reason,
    state: { ...base, probes: state.probes + 1, next: step, reason },
  });

  if (probe.kind === "instance-gone")
    return decide(GateStep.Abandon, `instance left the group during the gate: ${probe.reason}`);
  if (healthyStreak >= settings.healthyProbesRequired) {
    return decide(
      GateStep.Continue,
      `gateway answered healthy ${healthyStreak} times in a row (${probe.reason})`,
    );
  }
  const elapsed = Math.max(now - state.startedAt, state.waitedSeconds * 1000);
  if (elapsed >= settings.deadlineSeconds * 1000) {
    return decide(
      GateStep.Abandon,
      `gateway did not answer healthy ${settings.healthyProbesRequired} times in a row within ${settings.deadlineSeconds}s (last probe: ${probe.reason})`,
    );
  }
  const sinceHeartbeat = Math.max(
    now - state.lastHeartbeatAt,
    (state.waitedSeconds - state.waitedAtHeartbeat) * 1000,
  );
  if (sinceHeartbeat + 2 * interval >= settings.heartbeatTimeoutSeconds * 1000) {
    return decide(GateStep.Heartbeat, `still booting (${probe.reason}); extending the hook`);
  }
  return decide(GateStep.ProbeAgain, `not healthy yet: ${probe.reason}`);
}

/** Seconds the launch-gate state machine waits before reading a probe again (`WaitForProbeOutput`). */
export const PROBE_READ_WAIT_SECONDS = 2;

/**
 * The gate as the next Probe task sees it: the Wait state it came through (chosen by `next`) is added to
 * `waitedSeconds`.
 */
export function gateAfterWait(state: GateState): GateState {
  const waited = state.next === "read" ? PROBE_READ_WAIT_SECONDS : state.waitSeconds;
  return { ...state, waitedSeconds: state.waitedSeconds + waited };
}

/** The gate after a recorded heartbeat. */
export function recordHeartbeat(state: GateState, now: number): GateState {
  return {
    ...state,
    lastHeartbeatAt: now,
    waitedAtHeartbeat: state.waitedSeconds,
    heartbeats: state.heartbeats + 1,
  };
}

/** Reads of one probe before it counts as lost (the script is bounded; SSM may still lag). */
export const MAX_PROBE_READS = 10;

/**
 * What a probe's invocation says: `undefined` while it is still running (read again), an outcome otherwise.
 * The script always exits 0 and prints its contract, so anything else is a probe that did not run.
 */
export function probeOutcomeFromInvocation(
  result: InvocationResult,
  endpoint: GatewayEndpoint,
  reads: number,
): ProbeOutcome | undefined {
  if (isInvocationInFlight(result)) {
    if (reads + 1 < MAX_PROBE_READS) return undefined;
    return {
      kind: "no-answer",
      reason: `probe still ${result.status} after ${reads + 1} reads`,
      output: result.stdout,
    };
  }
  if (result.status !== "Success") {
    return {
      kind: "no-answer",
      reason: `probe command ${result.status}`,
      output: `${result.stdout}${result.stderr}`,
    };
  }
  try {
    const health = judgeGatewayHealth(parseGatewayProbe(result.stdout), endpoint);
    return { kind: health.healthy ? "healthy" : "unhealthy", reason: health.reason, output: result.stdout };
  } catch (error) {
    if (!(error instanceof ProbeOutputError)) throw error;
    return { kind: "no-answer", reason: error.message, output: `${result.stdout}${result.stderr}` };
  }
}

/**
 * SSM does not know the instance: on a cold boot its agent has not registered yet (keep waiting); if the group
 * no longer has it waiting for the gate, it is gone. `lifecycleState` is the instance's state in the group or its
 * warm pool: an instance warming up in the pool (`Warmed:Pending:Wait`) boots like any other, while
 * `Warmed:Terminating*` is as gone as `Terminating*`.
 */
export function outcomeForUnregistered(instanceId: string, lifecycleState: string | undefined): ProbeOutcome {
  if (lifecycleState === undefined) {
    return { kind: "instance-gone", reason: `${instanceId} is no longer in the group`, output: "" };
  }
  if (/Terminat/.test(lifecycleState)) {
    return { kind: "instance-gone", reason: `${instanceId} is ${lifecycleState}`, output: "" };
  }
  return {
    kind: "agent-not-registered",
    reason: "SSM agent not registered yet (InvalidInstanceId)",
    output: "",
  };
}

/**
 * The metric a lifecycle action a flow found gone is counted in: once per action, when the verdict on it is final
 * (a LifecycleStateUnknown is retried, so it is counted by the retry that reads the state, or by the Publish task
 * the gate ends with after the retries).
 */
export const GONE_ACTION_METRIC = "LifecycleActionGone";

/** Why a gate's lifecycle action is gone: another gate completed it, or the hook expired under the gate. */
export type GoneActionCause = "completed-elsewhere" | "hook-expired";

/**
 * AWS answers "No active Lifecycle Action" alike for an action another gate completed and for one whose hook
 * expired (AWS then applied the hook's default result, ABANDON for the launch hook): the instance's lifecycle
 * state tells them apart. Only an instance on its way out (`Terminating*`, `Terminated`, `Warmed:Terminating*`,
 * `Warmed:Terminated`) or no longer in the group or its pool means nobody admitted it: the hook expired under the
 * gate. Any other state means clawops' action was completed: admitted (`InService`, `Pending:Proceed`,
 * `Warmed:Stopped`, ...), or still in a wait state (`Pending:Wait`, `Warmed:Pending:Wait`), which AWS keeps while
 * another hook of the same transition (another team's launch hook) is pending after clawops' was CONTINUEd, and
 * which a warm pool with ReuseOnScaleIn uses for the TERMINATE hook of an instance returning to the pool. The
 * price: a clawops hook that expired while another team's hook still holds the instance is not reported by the
 * gate (the instance is terminated once that hook completes; the group's activity history says why).
 */
export function goneActionCause(lifecycleState: string | undefined): GoneActionCause {
  return lifecycleState === undefined || /Terminat/.test(lifecycleState)
    ? "hook-expired"
    : "completed-elsewhere";
}
