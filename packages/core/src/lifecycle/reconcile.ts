import { instanceOfExecution } from "./action.js";

/** An instance of the group or of its warm pool and its lifecycle state (DescribeAutoScalingGroups, DescribeWarmPool). */
export interface GroupInstance {
  readonly instanceId: string;
  readonly lifecycleState: string;
}

/** A flow the reconciler may start (or a completion it may make) for a waiting instance, and its transition. */
export interface ReconcileFlow {
  readonly flow: "launch-gate" | "terminate-drain" | "complete-without-gate";
  readonly transition: "launch" | "terminate";
  /**
   * `entering` for an instance the state shows on its way into the warm pool (`Warmed:Pending:Wait`: the
   * launch gate then stops its gateway before admitting it, as for an entry whose event arrived). An instance
   * leaving the pool waits in plain `Pending:Wait`, which says nothing of where it came from.
   */
  readonly warmPool?: "entering";
}

/** What the reconciler does for one stuck instance. */
export interface ReconcileAction extends ReconcileFlow {
  readonly instanceId: string;
}

/**
 * A waiting instance without a running flow and the flows its wait state may call for, in the order to try:
 * the first whose clawops hook has an active action for the instance applies (`flowHoldingInstance`).
 */
export interface ReconcileCandidate {
  readonly instanceId: string;
  readonly lifecycleState: string;
  readonly flows: readonly ReconcileFlow[];
}

/**
 * Lifecycle events are best effort: an instance can wait in `Pending:Wait` or `Terminating:Wait` (or the warm
 * pool's `Warmed:Pending:Wait` / `Warmed:Terminating:Wait`) with nobody gating it. Each waiting instance without
 * a running flow (executions are named after their instance) is a candidate: a warm-pool entry is gated like any
 * launch; a pool instance being terminated (stopped: nothing to drain) is completed without a flow.
 */
export function decideReconcile(
  instances: readonly GroupInstance[],
  runningExecutionNames: readonly string[],
): ReconcileCandidate[] {
  const gated = new Set(runningExecutionNames.map(instanceOfExecution).filter((id) => id !== undefined));
  const candidates: ReconcileCandidate[] = [];
  for (const { instanceId, lifecycleState } of instances) {
    if (gated.has(instanceId)) continue;
    const flows = FLOWS_BY_STATE[lifecycleState];
    if (flows) candidates.push({ instanceId, lifecycleState, flows });
  }
  return candidates;
}

const LAUNCH_GATE: ReconcileFlow = { flow: "launch-gate", transition: "launch" };
const TERMINATE_DRAIN: ReconcileFlow = { flow: "terminate-drain", transition: "terminate" };

const FLOWS_BY_STATE: Record<string, readonly ReconcileFlow[]> = {
  "Pending:Wait": [LAUNCH_GATE],
  "Terminating:Wait": [TERMINATE_DRAIN],
  // AWS holds an instance here for the launch hook on its way into the pool and, with an instance reuse policy
  // (ReuseOnScaleIn), for the TERMINATE hook on its way back to the pool at scale in: a serving gateway to drain.
  "Warmed:Pending:Wait": [
    { ...LAUNCH_GATE, warmPool: "entering" },
    { ...TERMINATE_DRAIN, warmPool: "entering" },
  ],
  "Warmed:Terminating:Wait": [{ flow: "complete-without-gate", transition: "terminate" }],
};

/**
 * The flow for a candidate, given which of clawops' hooks has an active action for it (`hasActive`, asked in the
 * candidate's order, never for a completion without a flow, which copes with a gone action itself): the first
 * whose hook has one, or undefined when none has (the instance waits on another team's hook only: clawops' own
 * action was completed, and a flow started for it would find nothing to do, run after run).
 *
 * The hook's own answer is the one robust tell for `Warmed:Pending:Wait`: the state, DescribeWarmPool and
 * DescribeAutoScalingInstances are the same for an entry and a scale-in return, and the scaling activities name
 * the instance only in free text AWS does not document. Asking by RecordLifecycleActionHeartbeat is harmless: with
 * an action it only restarts the hook's timer, which the flow started next does at once anyway.
 */
export async function flowHoldingInstance(
  candidate: ReconcileCandidate,
  hasActive: (transition: ReconcileFlow["transition"]) => Promise<boolean>,
): Promise<ReconcileAction | undefined> {
  for (const flow of candidate.flows) {
    if (flow.flow === "complete-without-gate" || (await hasActive(flow.transition)))
      return { instanceId: candidate.instanceId, ...flow };
  }
  return undefined;
}

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
export function withoutRecentlyChanged<T extends { readonly instanceId: string }>(
  actions: readonly T[],
  activityStarts: ReadonlyMap<string, number>,
  now: number,
  graceSeconds: number,
  timing: {
    readonly periodSeconds: number | undefined;
    readonly hookSecondsOf: (action: T) => number | undefined;
  },
): { readonly now: T[]; readonly deferred: T[] } {
  const deferrable = (action: T) => {
    const started = activityStarts.get(action.instanceId);
    const hook = timing.hookSecondsOf(action);
    if (started === undefined || now - started >= graceSeconds * 1000) return false;
    if (hook === undefined || timing.periodSeconds === undefined) return false;
    return started + hook * 1000 > now + (timing.periodSeconds + 60) * 1000;
  };
  return { now: actions.filter((a) => !deferrable(a)), deferred: actions.filter(deferrable) };
}
