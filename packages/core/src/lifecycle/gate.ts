import { lifecycleActionLimitSeconds } from "../config/lifecycle-hooks.js";
import type { GatewayEndpoint } from "../fleet/description.js";
import {
  judgeGatewayHealth,
  ProbeOutputError,
  parseGatewayProbe,
  probeExecutionTimeoutSeconds,
} from "./probe.js";
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
 * - the hook could time out before the next decision (a Wait and a whole probe away, `heartbeatMarginSeconds`)
 *   → `heartbeat`;
 * - otherwise → `probe-again`.
 * An unregistered SSM agent or a lost probe counts as not healthy, never as a failure of the gate.
 */
export function decideGateStep(
  state: GateState,
  probe: ProbeOutcome,
  now: number,
  settings: GateSettings,
): GateDecision {
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
  if (sinceHeartbeat + heartbeatMarginSeconds(settings) * 1000 >= settings.heartbeatTimeoutSeconds * 1000) {
    const heartbeat = decide(GateStep.Heartbeat, `still booting (${probe.reason}); extending the hook`);
    return { ...heartbeat, state: { ...heartbeat.state, waitSeconds: waitAfterHeartbeatSeconds(settings) } };
  }
  return decide(GateStep.ProbeAgain, `not healthy yet: ${probe.reason}`);
}

/**
 * The probe's curl bound the gate reads for (`gateway.probeTimeoutSeconds`).
 * @default 5 (the config's default)
 */
function probeTimeoutOf(settings: GateSettings): { probeTimeoutSeconds: number } {
  return { probeTimeoutSeconds: settings.probeTimeoutSeconds ?? 5 };
}

/**
 * The Probe state's Retry intervals in `stacks/workflows/launch-gate.asl.json`: the longest the state machine waits
 * between the attempts of one Probe task before its Catch (ProbeNotReady: 2 s × 1.5^k for 5 attempts, 26.4 s; AWS
 * throttling or 5xx and Lambda errors: 2, 4, 8, 16 s, at most 20 s each, 30 s), rounded up. The attempts' own time
 * (each up to the probe function's timeout) is not counted. A stack test derives it from the ASL.
 */
export const PROBE_RETRY_BUDGET_SECONDS = 57;

/**
 * The longest one probe can take, from its send to the gate's decision: every read the gate allows
 * (`maxProbeReads`, 2 s apart) plus the Probe state's Retry budget.
 */
export function worstProbeSeconds(settings: GateSettings): number {
  return maxProbeReads(probeTimeoutOf(settings)) * PROBE_READ_WAIT_SECONDS + PROBE_RETRY_BUDGET_SECONDS;
}

/**
 * How long before the hook would time out the gate heartbeats: the next decision (the one that could heartbeat
 * again) comes after the Wait (a probe interval) and the whole next probe, at worst `worstProbeSeconds`.
 */
export function heartbeatMarginSeconds(settings: GateSettings): number {
  return settings.probeIntervalSeconds + worstProbeSeconds(settings);
}

/**
 * The Wait after a heartbeat: the probe interval, shortened to `maxProbeIntervalSeconds` when the interval and the
 * gate's reads of the next probe would not fit in the hook's HeartbeatTimeout (the config refuses such an interval,
 * `lifecycleHookIssues`; an interval the settings were built with anyway must not let the hook expire in a Wait).
 */
function waitAfterHeartbeatSeconds(settings: GateSettings): number {
  const room = maxProbeIntervalSeconds(settings.heartbeatTimeoutSeconds, probeTimeoutOf(settings));
  return Math.min(settings.probeIntervalSeconds, Math.max(PROBE_READ_WAIT_SECONDS, room));
}

/**
 * Seconds the gate's tasks may take between its Waits from one heartbeat to the next decision (the probe's send,
 * its reads and the heartbeat itself, each a Lambda call), which the Wait states do not count.
 */
export const GATE_TASKS_SLACK_SECONDS = 5;

/**
 * The longest probe interval that lets the gate decide (and heartbeat) again before the launch hook times out:
 * after a heartbeat the gate Waits the interval, sends the next probe and reads it up to `maxProbeReads` times,
 * 2 s apart, before it can decide; that and `GATE_TASKS_SLACK_SECONDS` must fit in the hook's HeartbeatTimeout.
 */
export function maxProbeIntervalSeconds(
  heartbeatTimeoutSeconds: number,
  endpoint: Pick<GatewayEndpoint, "probeTimeoutSeconds">,
): number {
  return (
    heartbeatTimeoutSeconds - maxProbeReads(endpoint) * PROBE_READ_WAIT_SECONDS - GATE_TASKS_SLACK_SECONDS
  );
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

/**
 * Seconds a probe is read past its executionTimeout before it counts as lost: SSM's lag to deliver the command and
 * report its end (the agent polls). With the default probe timeout (5 s) the gate reads for 20 s.
 */
export const PROBE_DELIVERY_SLACK_SECONDS = 10;

/**
 * Reads of one probe before it counts as lost: the probe's executionTimeout (`gateway.probeTimeoutSeconds` + 5)
 * plus `PROBE_DELIVERY_SLACK_SECONDS`, 2 s apart, so a gateway that answers healthy within its configured timeout
 * is seen healthy (the script is bounded; SSM may still lag).
 */
export function maxProbeReads(endpoint: Pick<GatewayEndpoint, "probeTimeoutSeconds">): number {
  return Math.ceil(
    (probeExecutionTimeoutSeconds(endpoint) + PROBE_DELIVERY_SLACK_SECONDS) / PROBE_READ_WAIT_SECONDS,
  );
}

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
    if (reads + 1 < maxProbeReads(endpoint)) return undefined;
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

/**
 * Why a gate's lifecycle action is gone: another gate completed it, the hook expired under the gate, or the
 * instance was terminated while its hook could not have expired yet (a scale in, an operator); for the gate's
 * ABANDON, `abandoned`: the launch was refused already (the gate's own earlier attempt, another gate, the hook's
 * timeout).
 */
export type GoneActionCause = "completed-elsewhere" | "hook-expired" | "terminated" | "abandoned";

/**
 * AWS answers "No active Lifecycle Action" alike for an action another gate completed and for one whose hook
 * expired (AWS then applied the hook's default result, ABANDON for the launch hook): the instance's lifecycle
 * state tells them apart. Only an instance on its way out (`Terminating*`, `Terminated`, `Warmed:Terminating*`,
 * `Warmed:Terminated`) or no longer in the group or its pool means nobody admitted it: the hook expired under the
 * gate, unless the gate's own clock says it cannot have (`hookCouldHaveExpired` false): then the group terminated
 * the waiting instance itself (a scale in picks instances not yet InService first; an operator), `terminated`.
 * Any other state means clawops' action was completed: admitted (`InService`, `Pending:Proceed`,
 * `Warmed:Stopped`, ...), or still in a wait state (`Pending:Wait`, `Warmed:Pending:Wait`), which AWS keeps while
 * another hook of the same transition (another team's launch hook) is pending after clawops' was CONTINUEd, and
 * which a warm pool with ReuseOnScaleIn uses for the TERMINATE hook of an instance returning to the pool. The
 * price: a clawops hook that expired while another team's hook still holds the instance is not reported by the
 * gate (the instance is terminated once that hook completes; the group's activity history says why).
 *
 * An ABANDON (`result`) that finds its action gone is judged by the same states, its clock aside: an instance on its
 * way out means the launch was refused (`abandoned`: by the gate's own earlier attempt whose answer was lost, another
 * gate's ABANDON, the hook's timeout, or a termination), which the gate announces; an admitted or waiting instance
 * means another gate completed the action (`completed-elsewhere`, quiet).
 */
export function goneActionCause(
  lifecycleState: string | undefined,
  hookCouldHaveExpired = true,
  result: "CONTINUE" | "ABANDON" = "CONTINUE",
): GoneActionCause {
  if (lifecycleState !== undefined && !/Terminat/.test(lifecycleState)) return "completed-elsewhere";
  if (result === "ABANDON") return "abandoned";
  return hookCouldHaveExpired ? "hook-expired" : "terminated";
}

/**
 * Whether the launch hook could have timed out by `now` on the gate's own clock: a HeartbeatTimeout or more since
 * its last heartbeat, or the action near AWS's cap of min(100 × HeartbeatTimeout, 48 h) (counted from the gate's
 * start plus one HeartbeatTimeout, as the hook started before the gate). Without a gate state (its opening
 * heartbeat) the hook's age is unknown: it could have.
 */
export function hookCouldHaveExpired(
  state: GateState | undefined,
  now: number,
  settings: GateSettings,
): boolean {
  if (!state) return true;
  const hook = settings.heartbeatTimeoutSeconds * 1000;
  const sinceHeartbeat = Math.max(
    now - state.lastHeartbeatAt,
    (state.waitedSeconds - state.waitedAtHeartbeat) * 1000,
  );
  const elapsed = Math.max(now - state.startedAt, state.waitedSeconds * 1000);
  return (
    sinceHeartbeat >= hook ||
    elapsed + hook >= lifecycleActionLimitSeconds(settings.heartbeatTimeoutSeconds) * 1000
  );
}
