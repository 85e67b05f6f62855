import type { Logger } from "@aws-lambda-powertools/logger";
import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeScalingActivitiesCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetInstanceHealthCommand,
} from "@aws-sdk/client-auto-scaling";
import { client } from "@clawops/core/aws";
import {
  classifyInstanceHealthError,
  classifyLifecycleError,
  classifyTransientAwsError,
  instanceOfScalingActivity,
  type LifecycleAction,
  LifecycleActionGone,
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

/** The instance's lifecycle state in its group, or undefined when the group no longer has it. */
export async function lifecycleStateOf(instanceId: string): Promise<string | undefined> {
  try {
    const { AutoScalingInstances = [] } = await client(AutoScalingClient).send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
    );
    return AutoScalingInstances[0]?.LifecycleState;
  } catch (error) {
    throw classifyTransientAwsError(error, "DescribeAutoScalingInstances");
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
 * CONTINUE without a gate (warm-pool transitions: the instance is stopped and serves nothing). A duplicate
 * event finds the action gone: that is logged once, not retried.
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
