import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeAutoScalingInstancesCommand,
  DescribeInstanceRefreshesCommand,
  DescribeScalingActivitiesCommand,
  RecordLifecycleActionHeartbeatCommand,
  SetDesiredCapacityCommand,
  SetInstanceHealthCommand,
} from "@aws-sdk/client-auto-scaling";
import { makeClient } from "@clawops/core/aws";
import { launchLifecyclePattern, terminateLifecyclePattern } from "@clawops/core/events";
import { afterEach, describe, expect, it } from "vitest";
import { GROUP, LAUNCH_HOOK, TERMINATE_HOOK, type TestAccount, testAccount } from "./account.js";

let account: TestAccount;
afterEach(() => account?.close());

const autoscaling = () => makeClient(AutoScalingClient);
const launchEvents = () => account.bus.published(launchLifecyclePattern(GROUP));
const firstToken = () => String(launchEvents()[0]?.detail.LifecycleActionToken);
const states = async () => {
  const out = await autoscaling().send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [GROUP] }),
  );
  return (out.AutoScalingGroups?.[0]?.Instances ?? []).map((i) => [i.InstanceId, i.LifecycleState] as const);
};
const complete = (token: string, result = "CONTINUE") =>
  autoscaling().send(
    new CompleteLifecycleActionCommand({
      AutoScalingGroupName: GROUP,
      LifecycleHookName: LAUNCH_HOOK,
      LifecycleActionToken: token,
      LifecycleActionResult: result,
    }),
  );

describe("Function: autoScalingModel", () => {
  it("sends a launch lifecycle event in AWS's shape and waits in Pending:Wait", async () => {
    account = await testAccount();
    const [event] = launchEvents();
    expect(event).toMatchObject({
      source: "aws.autoscaling",
      "detail-type": "EC2 Instance-launch Lifecycle Action",
      detail: {
        AutoScalingGroupName: GROUP,
        LifecycleHookName: LAUNCH_HOOK,
        LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
        Origin: "EC2",
        Destination: "AutoScalingGroup",
      },
    });
    expect((await states()).map(([, state]) => state)).toEqual(["Pending:Wait"]);
  });

  it("puts the instance in service once the action completes with CONTINUE", async () => {
    account = await testAccount();
    await complete(firstToken());
    await account.clock.advance(2_000);
    expect((await states()).map(([, state]) => state)).toEqual(["InService"]);
  });

  it("expires the action after its heartbeat timeout, then answers ValidationError for the token", async () => {
    account = await testAccount({ launchHeartbeat: 60, launchDefault: "CONTINUE" });
    const token = firstToken();
    await account.clock.advance(61_000);
    await expect(complete(token)).rejects.toMatchObject({
      name: "ValidationError",
      message: `No active Lifecycle Action found with token ${token}`,
    });
  });

  it("applies the hook's DefaultResult at expiry: CONTINUE puts the instance in service", async () => {
    account = await testAccount({ launchHeartbeat: 60, launchDefault: "CONTINUE" });
    await account.clock.advance(59_000);
    expect((await states()).map(([, s]) => s)).toEqual(["Pending:Wait"]);
    await account.clock.advance(3_000);
    expect((await states()).map(([, s]) => s)).toEqual(["InService"]);
  });

  it("applies the hook's DefaultResult at expiry: ABANDON terminates the instance and launches another", async () => {
    account = await testAccount({ launchHeartbeat: 60, launchDefault: "ABANDON" });
    const [first] = (await states()).map(([id]) => id);
    await account.clock.advance(61_000);
    await account.clock.advance(5_000); // the replacement reaches its launch hook once EC2 runs it
    const after = await states();
    expect(after.find(([id]) => id === first)?.[1]).toMatch(/^Terminating/);
    expect(after.filter(([id, s]) => id !== first && s === "Pending:Wait")).toHaveLength(1);
    expect(launchEvents()).toHaveLength(2);
  });

  it("extends the action with heartbeats, but never past min(48 h, 100 x heartbeat)", async () => {
    account = await testAccount({ launchHeartbeat: 30, launchDefault: "CONTINUE" });
    const token = firstToken();
    const heartbeat = () =>
      autoscaling().send(
        new RecordLifecycleActionHeartbeatCommand({
          AutoScalingGroupName: GROUP,
          LifecycleHookName: LAUNCH_HOOK,
          LifecycleActionToken: token,
        }),
      );
    // 100 x 30 s = 3000 s global timeout; a heartbeat every 20 s keeps it alive until then.
    for (let elapsed = 0; elapsed < 2_980; elapsed += 20) {
      await heartbeat();
      await account.clock.advance(20_000);
    }
    expect((await states()).map(([, s]) => s)).toEqual(["Pending:Wait"]);
    await heartbeat();
    await account.clock.advance(21_000);
    await expect(heartbeat()).rejects.toMatchObject({ name: "ValidationError" });
    expect((await states()).map(([, s]) => s)).toEqual(["InService"]);
  });

  it("completes by instance id, and a second completion fails with the instance-id message", async () => {
    account = await testAccount();
    const [[instanceId]] = (await states()) as [[string, string]];
    const byInstance = () =>
      autoscaling().send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: GROUP,
          LifecycleHookName: LAUNCH_HOOK,
          InstanceId: instanceId,
          LifecycleActionResult: "CONTINUE",
        }),
      );
    await byInstance();
    await expect(byInstance()).rejects.toMatchObject({
      name: "ValidationError",
      message: `No active Lifecycle Action found with instance ID ${instanceId}`,
    });
  });

  it("terminates an Unhealthy instance and launches a replacement that raises a new launch event on the bus", async () => {
    account = await testAccount();
    await complete(firstToken());
    await account.clock.advance(2_000);
    const [[victim]] = (await states()) as [[string, string]];
    await autoscaling().send(new SetInstanceHealthCommand({ InstanceId: victim, HealthStatus: "Unhealthy" }));
    await account.clock.advance(5_000);
    const terminate = account.bus.published(terminateLifecyclePattern(GROUP));
    expect(terminate.map((e) => [e.detail.EC2InstanceId, e.detail.LifecycleHookName])).toEqual([
      [victim, TERMINATE_HOOK],
    ]);
    const launches = launchEvents();
    expect(launches).toHaveLength(2);
    expect(launches[1]?.detail.EC2InstanceId).not.toBe(victim);
    const health = await autoscaling().send(
      new DescribeAutoScalingInstancesCommand({ InstanceIds: [victim] }),
    );
    expect(health.AutoScalingInstances?.[0]).toMatchObject({
      HealthStatus: "UNHEALTHY",
      LifecycleState: "Terminating:Wait",
    });
  });

  it("lists each launch and termination as a scaling activity, newest first, naming the instance and its start", async () => {
    account = await testAccount();
    await complete(firstToken());
    await account.clock.advance(2_000);
    const [[victim]] = (await states()) as [[string, string]];
    const terminatedAt = account.clock.now();
    await autoscaling().send(new SetInstanceHealthCommand({ InstanceId: victim, HealthStatus: "Unhealthy" }));
    await account.clock.advance(5_000);

    const { Activities = [] } = await autoscaling().send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: GROUP }),
    );

    const replacement = launchEvents()[1]?.detail.EC2InstanceId;
    expect(Activities.map((a) => [a.Description, a.StartTime?.getTime()])).toEqual([
      [`Launching a new EC2 instance: ${replacement}`, terminatedAt],
      [`Terminating EC2 instance: ${victim}`, terminatedAt],
      [`Launching a new EC2 instance: ${victim}`, expect.any(Number)],
    ]);
    expect(Activities[2]?.StartTime?.getTime()).toBeLessThan(terminatedAt);
  });

  it("refuses SetInstanceHealth inside the grace period when asked to respect it", async () => {
    account = await testAccount({ grace: 300 });
    await complete(firstToken());
    await account.clock.advance(2_000);
    const [[instanceId]] = (await states()) as [[string, string]];
    const unhealthy = (respect: boolean) =>
      autoscaling().send(
        new SetInstanceHealthCommand({
          InstanceId: instanceId,
          HealthStatus: "Unhealthy",
          ShouldRespectGracePeriod: respect,
        }),
      );
    await expect(unhealthy(true)).rejects.toMatchObject({ name: "ValidationError" });
    await unhealthy(false);
    expect(account.bus.published(terminateLifecyclePattern(GROUP))).toHaveLength(1);
  });

  it("scales out and in with SetDesiredCapacity within min and max", async () => {
    account = await testAccount({ desired: 1 });
    await autoscaling().send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: GROUP, DesiredCapacity: 3 }),
    );
    await account.clock.advance(5_000);
    expect(launchEvents()).toHaveLength(3);
    await expect(
      autoscaling().send(new SetDesiredCapacityCommand({ AutoScalingGroupName: GROUP, DesiredCapacity: 7 })),
    ).rejects.toMatchObject({ name: "ValidationError" });
    await autoscaling().send(
      new SetDesiredCapacityCommand({ AutoScalingGroupName: GROUP, DesiredCapacity: 2 }),
    );
    expect(account.bus.published(terminateLifecyclePattern(GROUP))).toHaveLength(1);
  });

  it("lists the group's instance refreshes newest first, paginated, and none for a group without any", async () => {
    account = await testAccount();
    const describe = (input: { MaxRecords?: number; NextToken?: string } = {}) =>
      autoscaling().send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: GROUP, ...input }));
    expect((await describe()).InstanceRefreshes).toEqual([]);
    const start = account.clock.now();
    account.group.instanceRefreshes.push(
      {
        instanceRefreshId: "r-1",
        status: "Successful",
        startTime: start,
        endTime: start + 60_000,
        percentageComplete: 100,
        instancesToUpdate: 0,
      },
      {
        instanceRefreshId: "r-2",
        status: "InProgress",
        startTime: start + 120_000,
        percentageComplete: 50,
        instancesToUpdate: 1,
      },
    );
    const first = await describe({ MaxRecords: 1 });
    expect(first.InstanceRefreshes).toEqual([
      {
        InstanceRefreshId: "r-2",
        AutoScalingGroupName: GROUP,
        Status: "InProgress",
        StartTime: new Date(start + 120_000),
        PercentageComplete: 50,
        InstancesToUpdate: 1,
      },
    ]);
    const second = await describe({ MaxRecords: 1, NextToken: first.NextToken });
    expect(second.InstanceRefreshes?.map((r) => [r.InstanceRefreshId, r.Status, r.EndTime])).toEqual([
      ["r-1", "Successful", new Date(start + 60_000)],
    ]);
    expect(second.NextToken).toBeUndefined();
    await expect(describe({ MaxRecords: 101 })).rejects.toMatchObject({ name: "ValidationError" });
  });

  it("records every call with its outcome", async () => {
    account = await testAccount();
    await complete(firstToken());
    await expect(complete(firstToken())).rejects.toThrow();
    expect(
      account.aws.simulator.calls("AutoScaling", "CompleteLifecycleAction").map((c) => c.outcome),
    ).toEqual(["ok", "ValidationError"]);
  });
});
