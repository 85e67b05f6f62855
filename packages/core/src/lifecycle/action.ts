import type { LifecycleLaunchDetail, LifecycleTerminateDetail } from "../events/index.js";

/** One lifecycle action as the gate and the drain carry it. Without a token, it is completed by instance id. */
export interface LifecycleAction {
  readonly asgName: string;
  readonly hookName: string;
  readonly instanceId: string;
  readonly token?: string | undefined;
  readonly transition: "launch" | "terminate";
  /**
   * Set when the action moves the instance out of the warm pool or into it: `leaving` (the event's
   * `Origin: WarmPool`: a launch from the pool into the group, or a pool instance's termination) or `entering`
   * (`Destination: WarmPool`: a launch into the pool, or a return to it at scale in with `ReuseOnScaleIn`). Unset otherwise, and for the actions the reconciler
   * finds (it has no event saying where the instance comes from).
   */
  readonly warmPool?: "leaving" | "entering" | undefined;
}

/** The action an EventBridge lifecycle event describes. */
export function actionFromDetail(detail: LifecycleLaunchDetail | LifecycleTerminateDetail): LifecycleAction {
  return {
    asgName: detail.AutoScalingGroupName,
    hookName: detail.LifecycleHookName,
    instanceId: detail.EC2InstanceId,
    token: detail.LifecycleActionToken,
    transition: detail.LifecycleTransition === "autoscaling:EC2_INSTANCE_LAUNCHING" ? "launch" : "terminate",
    ...(detail.Origin === "WarmPool"
      ? { warmPool: "leaving" as const }
      : detail.Destination === "WarmPool"
        ? { warmPool: "entering" as const }
        : {}),
  };
}

/** What to do with a lifecycle event. */
export type LifecycleRoute = "launch-gate" | "terminate-drain" | "complete-without-gate" | "ignore";

/**
 * Which flow handles an event. Every launch is gated, into the warm pool (`Destination: WarmPool`) as out of it
 * (`Origin: WarmPool`): AWS stops a pool instance as soon as its hook completes, so completing the entry at once
 * would cut its user data (the gateway's install, the EFS mounts) half way. Only a pool instance being terminated
 * (`Origin: WarmPool`, a stopped instance: no gateway to drain) is completed without a flow. Another group's event
 * (a rule misconfigured by hand) is ignored.
 */
export function routeLifecycleEvent(
  detail: LifecycleLaunchDetail | LifecycleTerminateDetail,
  asgName: string,
): LifecycleRoute {
  if (detail.AutoScalingGroupName !== asgName) return "ignore";
  if (detail.LifecycleTransition === "autoscaling:EC2_INSTANCE_TERMINATING") {
    return detail.Origin === "WarmPool" ? "complete-without-gate" : "terminate-drain";
  }
  return "launch-gate";
}

/**
 * The execution name of an action's gate: `<instance id>-<token>` (56 characters, within Step Functions' 80).
 * Step Functions refuses a second execution with the same name, so duplicate events start one gate; the
 * reconciler, which has no token, names its gates `<instance id>-reconcile-<UTC minute>`.
 */
export function gateExecutionName(action: LifecycleAction, now: number): string {
  if (action.token) return `${action.instanceId}-${action.token}`.slice(0, 80);
  const minute = new Date(now).toISOString().slice(0, 16).replace(/[-:T]/g, "");
  return `${action.instanceId}-reconcile-${minute}`;
}

/** The instance a gate execution is for, from its name (undefined for names clawops did not make). */
export function instanceOfExecution(name: string): string | undefined {
  return /^(i-[0-9a-f]+)-/.exec(name)?.[1];
}
