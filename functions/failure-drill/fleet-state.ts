import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeInstanceRefreshesCommand,
} from "@aws-sdk/client-auto-scaling";
import { client } from "@clawops/core/aws";
import { type GroupInstance, RUNNING_REFRESH_STATUSES } from "@clawops/core/failure-drill";

/** The group's instances with their lifecycle state and health (DescribeAutoScalingGroups). */
export async function groupInstances(asgName: string): Promise<GroupInstance[]> {
  const { AutoScalingGroups = [] } = await client(AutoScalingClient).send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asgName] }),
  );
  return (AutoScalingGroups[0]?.Instances ?? []).map((i) => ({
    instanceId: i.InstanceId ?? "",
    lifecycleState: i.LifecycleState ?? "",
    healthStatus: i.HealthStatus ?? "",
  }));
}

/** True while an instance refresh would replace instances under the drill (the latest refresh is listed first). */
export async function instanceRefreshRunning(asgName: string): Promise<boolean> {
  const { InstanceRefreshes = [] } = await client(AutoScalingClient).send(
    new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: asgName, MaxRecords: 5 }),
  );
  return InstanceRefreshes.some((r) => RUNNING_REFRESH_STATUSES.includes(r.Status ?? ""));
}

/** True when the instance is still a member of a group and not on its way out (its gateway can be restarted). */
export async function instanceStillRunning(instanceId: string): Promise<boolean> {
  const { AutoScalingInstances = [] } = await client(AutoScalingClient).send(
    new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }),
  );
  const state = AutoScalingInstances[0]?.LifecycleState;
  return state !== undefined && !state.startsWith("Terminat");
}
