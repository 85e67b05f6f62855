import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { InstanceHealthHistory } from "@clawops/core/lifecycle";
import { Command } from "commander";
import { drillHistory } from "../../../../functions/drills/records.js";
import { type CliContext, onTarget, type TargetOptions, withTargetOptions } from "../context.js";
import { CliUserError } from "../errors.js";
import { gatewayView, type InstanceStatus, renderStatus, type StatusReport } from "../format/status.js";
import type { Target } from "../target.js";

interface StatusOptions extends TargetOptions {
  readonly json?: boolean;
}

async function item(target: Target, pk: string, sk: string) {
  const { Item } = await target.client(DynamoDBClient).send(
    new GetItemCommand({
      TableName: target.resources.stateTable,
      Key: { pk: { S: pk }, sk: { S: sk } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

async function deadLetterDepth(target: Target): Promise<StatusReport["controlPlane"]["deadLetterQueue"]> {
  const url = target.resources.deadLetterQueueUrl;
  if (!url) return { depth: null, note: "no dead-letter queue on this target" };
  const { Attributes = {} } = await target
    .client(SQSClient)
    .send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages"] }));
  return { depth: Number(Attributes.ApproximateNumberOfMessages ?? 0) };
}

/** Gathers the status: one Auto Scaling describe, three state-table reads, one queue attribute read. */
export async function gatherStatus(target: Target): Promise<StatusReport> {
  const { description, resources } = target;
  const asg = description.autoScalingGroupName;
  const [groups, monitor, readiness, drills, deadLetterQueue] = await Promise.all([
    target
      .client(AutoScalingClient)
      .send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asg] })),
    item(target, "lifecycle#monitor", asg),
    item(target, "readiness", "latest"),
    drillHistory(resources.stateTable, 1, target.client(DynamoDBClient)),
    deadLetterDepth(target),
  ]);
  const group = groups.AutoScalingGroups?.[0];
  if (!group)
    throw new CliUserError(
      `the Auto Scaling group ${asg} does not exist in ${target.region}: is the fleet deployed?`,
    );
  const histories = JSON.parse(monitor?.histories?.S ?? "{}") as Record<string, InstanceHealthHistory>;
  const instances: InstanceStatus[] = (group.Instances ?? []).map((i) => {
    const history = histories[i.InstanceId ?? ""];
    return {
      instanceId: i.InstanceId ?? "",
      lifecycleState: i.LifecycleState ?? "unknown",
      healthStatus: i.HealthStatus ?? "unknown",
      ...gatewayView(history),
    };
  });
  const statuses = JSON.parse(readiness?.statuses?.S ?? "{}") as Record<string, string>;
  const lastDrill = drills[0];
  return {
    stage: target.stage,
    fleet: description.name,
    autoScalingGroupName: asg,
    capacity: { desired: group.DesiredCapacity ?? 0, min: group.MinSize ?? 0, max: group.MaxSize ?? 0 },
    instances,
    controlPlane: {
      healthMonitor: { lastRunAt: monitor?.updatedAt?.S ?? null },
      readiness: readiness?.runId?.S
        ? {
            runId: readiness.runId.S,
            lastRunAt: readiness.at?.S ?? "",
            passed: !Object.values(statuses).includes("fail"),
          }
        : null,
      drill: lastDrill
        ? { drillId: lastDrill.drillId, startedAt: lastDrill.startedAt, passed: lastDrill.passed }
        : null,
      deadLetterQueue,
    },
  };
}

/** `clawops status`: the fleet and the control plane on one screen. */
export function statusCommand(context: CliContext): Command {
  return withTargetOptions(new Command("status"))
    .description(
      "The fleet (instances, lifecycle, gateway health) and the control plane's last runs, on one screen",
    )
    .option("--json", "print the status as JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ clawops status --stage prod
  $ clawops status --stage prod --region eu-west-1 --json
  $ clawops status --sandbox

Gateway health is the health monitor's view (its consecutive failed probes); "no answer (n runs)" means
the instance's probe got no answer for n runs while SSM answered the rest of the fleet (a hung host: from
3 runs on it counts as failing); "not probed yet" means the monitor has not seen the instance InService. A dead-letter queue with messages means alerts that never
reached Slack: run clawops alerts replay.`,
    )
    .action(async (options: StatusOptions) => {
      const { output } = context;
      const { report, now } = await onTarget(options, context, async (target) => ({
        report: await gatherStatus(target),
        now: target.now(),
      }));
      if (options.json) output.json(report);
      else for (const line of renderStatus(report, now, output.color)) output.out(line);
    });
}
