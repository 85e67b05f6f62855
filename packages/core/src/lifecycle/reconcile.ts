import { instanceOfExecution } from "./action.js";

/** An instance of the group or of its warm pool and its lifecycle state (DescribeAutoScalingGroups, DescribeWarmPool). */
export interface GroupInstance {
  readonly instanceId: string;
  readonly lifecycleState: string;
}

/** What the reconciler does for one stuck instance. */
export interface ReconcileAction {
  readonly instanceId: string;
  readonly flow: "launch-gate" | "terminate-drain" | "complete-without-gate";
  readonly transition: "launch" | "terminate";
}

/**
 * Lifecycle events are best effort: an instance can wait in `Pending:Wait` or `Terminating:Wait` (or the warm
 * pool's `Warmed:Pending:Wait` / `Warmed:Terminating:Wait`) with nobody gating it. For each waiting instance
 * without a running flow (executions are named after their instance), start the flow: a warm-pool entry is gated
 * like any launch; a pool instance being terminated (stopped: nothing to drain) is completed without a flow.
 */
export function decideReconcile(
  instances: readonly GroupInstance[],
  runningExecutionNames: readonly string[],
): ReconcileAction[] {
  const gated = new Set(runningExecutionNames.map(instanceOfExecution).filter((id) => id !== undefined));
  const actions: ReconcileAction[] = [];
  for (const { instanceId, lifecycleState } of instances) {
    if (gated.has(instanceId)) continue;
    const flow = FLOW_BY_STATE[lifecycleState];
    if (flow) actions.push({ instanceId, ...flow });
  }
  return actions;
}

const FLOW_BY_STATE: Record<string, Omit<ReconcileAction, "instanceId">> = {
  "Pending:Wait": { flow: "launch-gate", transition: "launch" },
  "Terminating:Wait": { flow: "terminate-drain", transition: "terminate" },
  "Warmed:Pending:Wait": { flow: "launch-gate", transition: "launch" },
  "Warmed:Terminating:Wait": { flow: "complete-without-gate", transition: "terminate" },
};

/**
 * An instance that entered its wait state moments ago usually has a gate its event just started, which
 * ListExecutions (eventually consistent) may not list yet: the reconciler leaves it to its next run.
 */
export const RECONCILE_GRACE_SECONDS = 120;

/** The grace, at most half the hook's HeartbeatTimeout so that a short hook is still reconciled in time. */
export function reconcileGraceSeconds(hookHeartbeatSeconds: number): number {
  return Math.min(RECONCILE_GRACE_SECONDS, hookHeartbeatSeconds / 2);
}

/**
 * The instance a scaling activity is about. AWS names it only in the activity's description ("Launching a new
 * EC2 instance: i-0abc...", "Terminating EC2 instance: i-0abc..."); this is the one place that reads it.
 */
export function instanceOfScalingActivity(description: string): string | undefined {
  return /\b(i-[0-9a-f]+)\b/.exec(description)?.[1];
}

/**
 * The actions to take now, without those whose instance had a scaling activity (its launch or termination)
 * start within the grace: `activityStarts` maps an instance to its latest activity's start (epoch ms). An
 * instance with no activity known is reconciled at once. An action is deferred only when the reconciler's next
 * run (`timing.periodSeconds` later, plus a minute) still comes before its hook would expire
 * (`timing.hookSecondsOf`): a hook or period clawops does not know means no deferral, since AWS would otherwise
 * apply the hook's default result to an action nobody handled.
 */
export function withoutRecentlyChanged(
  actions: readonly ReconcileAction[],
  activityStarts: ReadonlyMap<string, number>,
  now: number,
  graceSeconds: number,
  timing: {
    readonly periodSeconds: number | undefined;
    readonly hookSecondsOf: (action: ReconcileAction) => number | undefined;
  },
): { readonly now: ReconcileAction[]; readonly deferred: ReconcileAction[] } {
  const deferrable = (action: ReconcileAction) => {
    const started = activityStarts.get(action.instanceId);
    const hook = timing.hookSecondsOf(action);
    if (started === undefined || now - started >= graceSeconds * 1000) return false;
    if (hook === undefined || timing.periodSeconds === undefined) return false;
    return started + hook * 1000 > now + (timing.periodSeconds + 60) * 1000;
  };
  return { now: actions.filter((a) => !deferrable(a)), deferred: actions.filter(deferrable) };
}
