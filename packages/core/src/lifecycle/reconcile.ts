import { instanceOfExecution } from "./action.js";

/** An instance of the group and its lifecycle state (DescribeAutoScalingGroups). */
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
 * Lifecycle events are best effort: an instance can wait in `Pending:Wait` or `Terminating:Wait` with nobody
 * gating it. For each waiting instance without a running gate (executions are named after their instance),
 * start the flow; warm-pool transitions (`Warmed:*:Wait`, a stopped instance) are completed without a gate.
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
  "Warmed:Pending:Wait": { flow: "complete-without-gate", transition: "launch" },
  "Warmed:Terminating:Wait": { flow: "complete-without-gate", transition: "terminate" },
};
