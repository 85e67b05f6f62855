import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  SetInstanceHealthCommand,
} from "@aws-sdk/client-auto-scaling";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { ListCommandInvocationsCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { ServiceException } from "@smithy/smithy-client";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { context, installEnvironment, probeOutput } from "./fixture.js";

installEnvironment();
const { createMonitorHandler } = await import("../monitor.js");
const sleeps: number[] = [];
const monitor = createMonitorHandler({ sleep: async (ms) => void sleeps.push(ms) });

const autoscaling = mockClient(AutoScalingClient);
const ssm = mockClient(SSMClient);
const dynamo = mockClient(DynamoDBClient);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `i-${(0x1000 + i).toString(16)}`);

/** A group of `n` InService instances whose gateways answer `status(id)`. */
function fleet(n: number, status: (id: string) => number, grace = 300) {
  autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      {
        HealthCheckGracePeriod: grace,
        Instances: ids(n).map((InstanceId) => ({
          InstanceId,
          LifecycleState: "InService",
          HealthStatus: "Healthy",
        })),
      } as never,
    ],
  });
  let command = 0;
  const batches = new Map<string, string[]>();
  ssm.on(SendCommandCommand).callsFake((input: { InstanceIds: string[] }) => {
    const id = `cmd-${++command}`;
    batches.set(id, input.InstanceIds);
    return { Command: { CommandId: id } };
  });
  ssm.on(ListCommandInvocationsCommand).callsFake((input: { CommandId: string }) => ({
    CommandInvocations: (batches.get(input.CommandId) ?? []).map((InstanceId) => ({
      InstanceId,
      Status: "Success",
      CommandPlugins: [{ Output: probeOutput(status(InstanceId)) }],
    })),
  }));
}

function storedHistories(histories: Record<string, unknown>) {
  dynamo.on(GetItemCommand).resolves({ Item: { histories: { S: JSON.stringify(histories) } } });
}

beforeEach(() => {
  autoscaling.reset();
  ssm.reset();
  dynamo.reset();
  sleeps.length = 0;
  dynamo.on(GetItemCommand).resolves({});
  dynamo.on(PutItemCommand).resolves({});
  autoscaling.on(SetInstanceHealthCommand).resolves({});
});

describe("Function: monitor (gateway health monitor)", () => {
  it.each([
    [10, 1],
    [50, 1],
    [51, 2],
    [120, 3],
  ])("probes %i instances with %i SendCommand and as many ListCommandInvocations", async (n, batches) => {
    fleet(n, () => 200);
    const result = await monitor({}, context);
    expect(result).toMatchObject({ inService: n, healthy: n, unhealthy: 0 });
    expect(ssm.commandCalls(SendCommandCommand)).toHaveLength(batches);
    expect(ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(batches);
    expect(
      ssm.commandCalls(SendCommandCommand).every((c) => (c.args[0].input.InstanceIds?.length ?? 0) <= 50),
    ).toBe(true);
    expect(ssm.commandCalls(ListCommandInvocationsCommand)[0]!.args[0].input).toMatchObject({
      Details: true,
    });
    expect(sleeps).toEqual([10_000]);
  });

  it("counts a failure and does not mark before the threshold", async () => {
    fleet(2, (id) => (id === "i-1000" ? 503 : 200));
    await expect(monitor({}, context)).resolves.toMatchObject({ healthy: 1, unhealthy: 1, marked: 0 });
    const saved = JSON.parse(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.histories!.S!);
    expect(saved["i-1000"].failures).toBe(1);
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)).toHaveLength(0);
  });

  it("marks the instance Unhealthy at the third failure in a row, respecting the grace period", async () => {
    fleet(2, (id) => (id === "i-1000" ? 0 : 200));
    storedHistories({ "i-1000": { failures: 2, firstSeenAt: Date.now() - 3_600_000 } });
    await expect(monitor({}, context)).resolves.toMatchObject({ marked: 1 });
    expect(autoscaling.commandCalls(SetInstanceHealthCommand)[0]!.args[0].input).toEqual({
      InstanceId: "i-1000",
      HealthStatus: "Unhealthy",
      ShouldRespectGracePeriod: true,
    });
    const saved = JSON.parse(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.histories!.S!);
    expect(saved["i-1000"].markedUnhealthyAt).toEqual(expect.any(Number));
  });

  it("does not mark an instance inside the grace period AWS enforces", async () => {
    fleet(1, () => 0);
    storedHistories({ "i-1000": { failures: 2, firstSeenAt: Date.now() - 3_600_000 } });
    autoscaling.on(SetInstanceHealthCommand).rejects(
      new ServiceException({
        name: "ValidationError",
        message: "Instance i-1000 is still within its health check grace period",
        $fault: "client",
        $metadata: {},
      }),
    );
    await expect(monitor({}, context)).resolves.toMatchObject({ unhealthy: 1, marked: 0 });
  });

  it("forgets instances that left the group", async () => {
    fleet(1, () => 200);
    storedHistories({ "i-dead": { failures: 2, firstSeenAt: 0 } });
    await monitor({}, context);
    const saved = JSON.parse(dynamo.commandCalls(PutItemCommand)[0]!.args[0].input.Item!.histories!.S!);
    expect(Object.keys(saved)).toEqual(["i-1000"]);
  });

  it("makes the same number of calls for 1,000 instances as ceil(1000/50) batches allow", async () => {
    fleet(1000, () => 200);
    await monitor({}, context);
    expect(ssm.calls()).toHaveLength(40);
    expect(autoscaling.calls()).toHaveLength(1);
    expect(dynamo.calls()).toHaveLength(2);
  });
});
