import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  DescribeWarmPoolCommand,
  type DescribeWarmPoolCommandOutput,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceHealthCommand,
} from "@aws-sdk/client-auto-scaling";
import { client } from "@clawops/core/aws";
import {
  classifyInstanceHealthError,
  classifyLifecycleError,
  classifyTransientAwsError,
  GONE_ACTION_METRIC,
  type GroupInstance,
  goneActionCause,
  instanceOfScalingActivity,
  LaunchAlreadyAbandoned,
  type LifecycleAction,
  LifecycleActionGone,
  LifecycleActionTerminated,
  LifecycleHookExpired,
  LifecycleStateUnknown,
} from "@clawops/core/lifecycle";

/** Who the call is about: the token when there is one, else the instance id (AWS allows either). */
function target(action: LifecycleAction) {
  const base = { AutoScalingGroupName: action.asgName, LifecycleHookName: action.hookName };
  return action.token
    ? { ...base, LifecycleActionToken: action.token }
    : { ...base, InstanceId: action.instanceId };
}

/** CompleteLifecycleAction; errors come back classified (LifecycleActionGone, LifecycleContention, AwsThrottled). */
export async function completeAction(action: LifecycleAction, result: "CONTINUE" | "ABANDON"): Promise<void> {
  try {
    await client(AutoScalingClient).send(
      new CompleteLifecycleActionCommand({ ...target(action), LifecycleActionResult: result }),
    );
  } catch (error) {
    throw classifyLifecycleError(error, action.instanceId);
  }
}

/** RecordLifecycleActionHeartbeat: restarts the hook's timer (up to its global timeout). */
export async function recordActionHeartbeat(action: LifecycleAction): Promise<void> {
  try {
    await client(AutoScalingClient).send(new RecordLifecycleActionHeartbeatCommand(target(action)));
  } catch (error) {
    throw classifyLifecycleError(error, action.instanceId);
  }
}

/**
 * The instance's lifecycle state in its group or the group's warm pool, or undefined when neither has it. AWS
 * documents DescribeWarmPool as the way to list pool instances and does not say whether
 * DescribeAutoScalingInstances lists them: an instance it does not list is looked for in the pool before it
 * counts as gone (a `Warmed:Pending:Wait` instance taken for gone would be ABANDONed at its first probe).
 */
export async function lifecycleStateOf(instanceId: string, asgName: string): Promise<string | undefined> {
  let state: string | undefined;
  try {
    const { AutoScalingInstances = [] } = await client(AutoScalingClient).send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
    );
    state = AutoScalingInstances[0]?.LifecycleState;
  } catch (error) {
    throw classifyTransientAwsError(error, "DescribeAutoScalingInstances");
  }
  if (state !== undefined) return state;
  return (await warmPoolInstances(asgName)).find((i) => i.instanceId === instanceId)?.lifecycleState;
}

/**
 * The instances of the group's warm pool (all pages), which DescribeAutoScalingGroups does not list. A group
 * without a warm pool answers with no instances.
 */
export async function warmPoolInstances(asgName: string): Promise<GroupInstance[]> {
  const instances: GroupInstance[] = [];
  let nextToken: string | undefined;
  do {
    let page: DescribeWarmPoolCommandOutput;
    try {
      page = await client(AutoScalingClient).send(
        new DescribeWarmPoolCommand({ AutoScalingGroupName: asgName, MaxRecords: 50, NextToken: nextToken }),
      );
    } catch (error) {
      throw classifyTransientAwsError(error, "DescribeWarmPool");
    }
    for (const { InstanceId, LifecycleState } of page.Instances ?? [])
      if (InstanceId) instances.push({ instanceId: InstanceId, lifecycleState: LifecycleState ?? "" });
    nextToken = page.NextToken;
  } while (nextToken);
  return instances;
}

/**
 * A launch action the gate found gone, told apart by the instance's lifecycle state (`goneActionCause`): the
 * LifecycleActionGone itself when clawops' action was completed (admitted by another gate, or the instance still
 * waits on another hook: the gate ends quietly), LifecycleHookExpired when the instance is on its way out and the
 * hook could have expired (`hookCouldHaveExpired`: the gate publishes LifecycleAbandoned), LifecycleActionTerminated
 * when it is on its way out while the hook could not have expired (a scale in: quiet), LaunchAlreadyAbandoned when
 * the gate's ABANDON finds the instance on its way out (the launch was refused already: the gate publishes
 * LifecycleAbandoned), LifecycleStateUnknown when the state cannot be read (retried by the state machine, then
 * published with that reason: an expired hook or a refused launch must not pass silently).
 */
export async function explainGoneLaunchAction(
  action: LifecycleAction,
  gone: LifecycleActionGone,
  judgement: Exclude<GoneActionJudgement, false>,
): Promise<LifecycleActionGone | LifecycleHookExpired | LaunchAlreadyAbandoned | LifecycleStateUnknown> {
  let state: string | undefined;
  try {
    state = judgement.known
      ? judgement.known.lifecycleState
      : await lifecycleStateOf(action.instanceId, action.asgName);
  } catch (error) {
    return new LifecycleStateUnknown(action.instanceId, { cause: error });
  }
  const cause =
    judgement.result === "ABANDON"
      ? goneActionCause(state, true, "ABANDON")
      : goneActionCause(state, judgement.hookCouldHaveExpired);
  if (cause === "completed-elsewhere") return gone;
  if (cause === "abandoned") return new LaunchAlreadyAbandoned(action.instanceId, state, { cause: gone });
  if (cause === "terminated") return new LifecycleActionTerminated(action.instanceId, state, { cause: gone });
  return new LifecycleHookExpired(action.instanceId, state, { cause: gone });
}

/**
 * How a task judges a gone action: not at all (a drain), as the launch gate's ABANDON (by the instance's state
 * alone: was the launch refused?), or as a launch action the gate still has (with the instance's lifecycle state
 * when the task has just read it).
 */
export type GoneActionJudgement =
  | false
  | { readonly result: "ABANDON"; readonly known?: undefined }
  | {
      readonly result?: "CONTINUE";
      readonly hookCouldHaveExpired: boolean;
      readonly known?: { readonly lifecycleState: string | undefined };
    };

/**
 * Reports an action a task found gone (a log line, and the `LifecycleActionGone` metric) and returns the error the
 * task throws: `explainGoneLaunchAction`'s verdict for a launch action the gate judges (`explain`), else the
 * LifecycleActionGone itself (a drain). The metric counts each gone action once: a LifecycleStateUnknown is no
 * verdict yet (the state machine retries the task, which finds the same action gone again), so it is counted by the
 * attempt whose verdict is final, or by the Publish task the gate ends with when every attempt failed to read the
 * state. An instance terminated under the gate (scale in) is logged at info: nothing went wrong.
 */
export async function reportGoneAction(
  action: LifecycleAction,
  gone: LifecycleActionGone,
  explain: GoneActionJudgement,
  { logger, metrics }: { logger: Pick<Logger, "warn" | "info">; metrics: Pick<Metrics, "addMetric"> },
  details: Record<string, unknown> = {},
): Promise<Error> {
  const judged = explain ? await explainGoneLaunchAction(action, gone, explain) : gone;
  if (!(judged instanceof LifecycleStateUnknown)) metrics.addMetric(GONE_ACTION_METRIC, MetricUnit.Count, 1);
  const log = judged instanceof LifecycleActionTerminated ? logger.info : logger.warn;
  log.call(logger, goneActionMessage(judged), { instanceId: action.instanceId, ...details, error: judged });
  return judged;
}

/** What the gate's log says about a gone action, as `explainGoneLaunchAction` (or a drain) left it. */
function goneActionMessage(gone: Error): string {
  if (gone instanceof LifecycleHookExpired) return "lifecycle hook expired before the gate finished";
  if (gone instanceof LaunchAlreadyAbandoned)
    return "launch already abandoned (an earlier attempt of this gate, another gate, or the hook's timeout)";
  if (gone instanceof LifecycleActionTerminated)
    return "instance terminated during the gate (scale in or an operator) before its hook could expire";
  if (gone instanceof LifecycleStateUnknown)
    return "lifecycle action gone and the instance's lifecycle state unknown: it could not be read";
  return "lifecycle action already completed (by another gate, or the instance waits on another hook)";
}

/**
 * Whether the hook has an active action for the instance: RecordLifecycleActionHeartbeat by instance id, which
 * only restarts the hook's timer when there is one (the flow the reconciler starts heartbeats it first anyway),
 * and answers "No active Lifecycle Action" when there is none. Other errors are thrown, classified.
 */
export async function hasActiveAction(action: LifecycleAction): Promise<boolean> {
  try {
    await recordActionHeartbeat({ ...action, token: undefined });
    return true;
  } catch (error) {
    if (error instanceof LifecycleActionGone) return false;
    throw error;
  }
}

/**
 * When each instance's latest scaling activity (its launch or termination) started, epoch ms: ONE
 * DescribeScalingActivities page, newest first, which covers the last minutes of any group.
 */
export async function scalingActivityStarts(asgName: string): Promise<Map<string, number>> {
  const { Activities = [] } = await client(AutoScalingClient).send(
    new DescribeScalingActivitiesCommand({ AutoScalingGroupName: asgName, MaxRecords: 100 }),
  );
  const starts = new Map<string, number>();
  for (const { Description = "", StartTime } of Activities) {
    const instanceId = instanceOfScalingActivity(Description);
    if (!instanceId || !StartTime) continue;
    starts.set(instanceId, Math.max(starts.get(instanceId) ?? 0, StartTime.getTime()));
  }
  return starts;
}

/** The fleet's group: its instances with their lifecycle and health states, and its grace period. */
export async function describeGroup(asgName: string) {
  const { AutoScalingGroups = [] } = await client(AutoScalingClient).send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }),
  );
  const group = AutoScalingGroups[0];
  if (!group) throw new Error(`Auto Scaling group ${asgName} not found`);
  return {
    gracePeriodSeconds: group.HealthCheckGracePeriod ?? 0,
    instances: (group.Instances ?? []).map((instance) => ({
      instanceId: instance.InstanceId ?? "",
      lifecycleState: instance.LifecycleState ?? "",
      healthStatus: instance.HealthStatus ?? "",
    })),
  };
}

/**
 * CONTINUE without a flow (a warm-pool instance being terminated: it is stopped, there is no gateway to drain).
 * A duplicate event finds the action gone: that is logged once, not retried.
 */
export async function completeWithoutGate(
  action: LifecycleAction,
  logger: Pick<Logger, "info">,
): Promise<void> {
  try {
    await completeAction(action, "CONTINUE");
    logger.info("warm-pool transition completed without a gate", { instanceId: action.instanceId });
  } catch (error) {
    if (!(error instanceof LifecycleActionGone)) throw error;
    logger.info("warm-pool transition already completed", { instanceId: action.instanceId });
  }
}

/**
 * SetInstanceHealth Unhealthy, respecting the grace period: the group replaces the instance at once. Inside the
 * grace period AWS refuses with a ValidationError, which comes back as InstanceInGracePeriod.
 */
export async function markUnhealthy(instanceId: string): Promise<void> {
  try {
    await client(AutoScalingClient).send(
      new SetInstanceHealthCommand({
        InstanceId: instanceId,
        HealthStatus: "Unhealthy",
        ShouldRespectGracePeriod: true,
      }),
    );
  } catch (error) {
    throw classifyInstanceHealthError(error, instanceId);
  }
}
