import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeWarmPoolCommand,
  SetDesiredCapacityCommand,
} from "@aws-sdk/client-auto-scaling";
import { makeClient } from "@clawops/core/aws";
import { launchLifecyclePattern, terminateLifecyclePattern } from "@clawops/core/events";
import { afterEach, describe, expect, it } from "vitest";
import { GROUP, LAUNCH_HOOK, TERMINATE_HOOK, type TestAccount, testAccount } from "./account.js";

let account: TestAccount;
afterEach(() => account?.close());

const autoscaling = () => makeClient(AutoScalingClient);
const pool = (input: { MaxRecords?: number; NextToken?: string } = {}) =>
  autoscaling().send(new DescribeWarmPoolCommand({ AutoScalingGroupName: GROUP, ...input }));
const poolStates = async () =>
  ((await pool()).Instances ?? []).map((i) => [i.InstanceId, i.LifecycleState] as const);
const warmPoolEvents = () =>
  account.bus.published(launchLifecyclePattern(GROUP)).filter((e) => e.detail.Destination === "WarmPool");
const complete = (token: string, result: "CONTINUE" | "ABANDON", hook = LAUNCH_HOOK) =>
  autoscaling().send(
    new CompleteLifecycleActionCommand({
      AutoScalingGroupName: GROUP,
      LifecycleHookName: hook,
      LifecycleActionToken: token,
      LifecycleActionResult: result,
    }),
  );
const resize = (desired: number) =>
  autoscaling().send(
    new SetDesiredCapacityCommand({ AutoScalingGroupName: GROUP, DesiredCapacity: desired }),
  );
const groupStates = async () => {
  const { AutoScalingGroups = [] } = await autoscaling().send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [GROUP] }),
  );
  return (AutoScalingGroups[0]?.Instances ?? []).map((i) => [i.InstanceId, i.LifecycleState] as const);
};
/** Completes every pending launch action of the group's (and the pool's) instances with CONTINUE. */
const admitAll = async () => {
  for (const e of account.bus.published(launchLifecyclePattern(GROUP)))
    await complete(String(e.detail.LifecycleActionToken), "CONTINUE").catch(() => undefined);
};

describe("Function: autoScalingModel (warm pool)", () => {
  it("answers DescribeWarmPool for a group without a warm pool with no configuration and no instances", async () => {
    account = await testAccount();
    const out = await pool();
    expect(out.WarmPoolConfiguration).toBeUndefined();
    expect(out.Instances ?? []).toEqual([]);
    expect(out.NextToken).toBeUndefined();
  });

  it("runs a launch into the warm pool through the launch hook: Warmed:Pending:Wait, an event with the pool as destination", async () => {
    account = await testAccount();
    account.aws.autoScaling.putWarmPool(account.group, { minSize: 1 });
    await account.clock.advance(5_000);
    const [event, ...more] = warmPoolEvents();
    expect(more).toEqual([]);
    expect(event?.detail).toMatchObject({
      LifecycleHookName: LAUNCH_HOOK,
      LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
      Origin: "EC2",
      Destination: "WarmPool",
    });
    const pooled = String(event?.detail.EC2InstanceId);
    expect(await poolStates()).toEqual([[pooled, "Warmed:Pending:Wait"]]);
    expect((await pool()).WarmPoolConfiguration).toMatchObject({ MinSize: 1, PoolState: "Stopped" });
    // DescribeAutoScalingGroups does not list the pool's instances.
    const group = await autoscaling().send(
      new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [GROUP] }),
    );
    expect(group.AutoScalingGroups?.[0]?.Instances?.map((i) => i.InstanceId)).not.toContain(pooled);
    const { Activities = [] } = await autoscaling().send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: GROUP }),
    );
    expect(Activities[0]?.Description).toBe(`Launching a new EC2 instance into warm pool: ${pooled}`);
  });

  it("rests a pool instance in the pool's state after CONTINUE, and terminates one after ABANDON", async () => {
    account = await testAccount();
    account.aws.autoScaling.putWarmPool(account.group, { minSize: 2, poolState: "Running" });
    await account.clock.advance(5_000);
    const [kept, abandoned] = warmPoolEvents().map((e) => ({
      id: String(e.detail.EC2InstanceId),
      token: String(e.detail.LifecycleActionToken),
    }));
    await complete(kept!.token, "CONTINUE");
    await complete(abandoned!.token, "ABANDON");
    expect(await poolStates()).toEqual([
      [kept!.id, "Warmed:Pending:Proceed"],
      [abandoned!.id, "Warmed:Terminating"],
    ]);
    await account.clock.advance(120_000);
    expect(await poolStates()).toEqual([[kept!.id, "Warmed:Running"]]);
  });

  it("applies the hook's default result to a pool entry nobody completes", async () => {
    account = await testAccount({ launchHeartbeat: 60 });
    account.aws.autoScaling.putWarmPool(account.group, { minSize: 1 });
    await account.clock.advance(5_000);
    expect((await poolStates()).map(([, s]) => s)).toEqual(["Warmed:Pending:Wait"]);
    await account.clock.advance(61_000);
    expect((await poolStates()).map(([, s]) => s)).toEqual(["Warmed:Terminating"]);
  });

  it("pages the pool's instances with MaxRecords and NextToken, at most 50 a page", async () => {
    account = await testAccount();
    account.aws.autoScaling.putWarmPool(account.group, { minSize: 3 });
    const first = await pool({ MaxRecords: 2 });
    expect(first.Instances).toHaveLength(2);
    const second = await pool({ MaxRecords: 2, NextToken: first.NextToken! });
    expect(second.Instances).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    await expect(pool({ MaxRecords: 51 })).rejects.toMatchObject({ name: "ValidationError" });
  });

  it("takes a rested pool instance at scale out: it leaves the pool through the launch hook with the pool as origin", async () => {
    // Prepare: one instance in service, one resting in a Running pool.
    account = await testAccount();
    account.aws.autoScaling.putWarmPool(account.group, { minSize: 1, poolState: "Running" });
    await account.clock.advance(5_000);
    await admitAll();
    await account.clock.advance(2_000);
    const [[pooled, rested] = []] = await poolStates();
    expect(rested).toBe("Warmed:Running");
    // Act
    await resize(2);
    await account.clock.advance(1_000);
    // Assess: the pooled instance waits for the launch hook in the group, and the pool is launched back to one.
    expect(await groupStates()).toContainEqual([pooled, "Pending:Wait"]);
    const [leaving, ...more] = account.bus
      .published(launchLifecyclePattern(GROUP))
      .filter((e) => e.detail.Origin === "WarmPool");
    expect(more).toEqual([]);
    expect(leaving?.detail).toMatchObject({ EC2InstanceId: pooled, Destination: "AutoScalingGroup" });
    const refill = (await poolStates()).map(([id]) => id);
    expect(refill).toHaveLength(1);
    expect(refill).not.toContain(pooled);
    await complete(String(leaving?.detail.LifecycleActionToken), "CONTINUE");
    await account.clock.advance(2_000);
    expect(await groupStates()).toContainEqual([pooled, "InService"]);
  });

  it("returns the scale-in victim to the pool through the terminate hook with ReuseOnScaleIn, instead of terminating it", async () => {
    // Prepare: two instances in service, an empty pool that reuses instances.
    account = await testAccount({ desired: 2 });
    account.aws.autoScaling.putWarmPool(account.group, {
      minSize: 0,
      poolState: "Hibernated",
      reuseOnScaleIn: true,
    });
    await admitAll();
    await account.clock.advance(2_000);
    // Act
    await resize(1);
    // Assess: the victim waits in the pool for the terminate hook, then rests there (not terminated).
    const [returning, ...more] = account.bus.published(terminateLifecyclePattern(GROUP));
    expect(more).toEqual([]);
    expect(returning?.detail).toMatchObject({
      LifecycleHookName: TERMINATE_HOOK,
      Origin: "AutoScalingGroup",
      Destination: "WarmPool",
    });
    const victim = String(returning?.detail.EC2InstanceId);
    expect(await poolStates()).toEqual([[victim, "Warmed:Pending:Wait"]]);
    expect((await groupStates()).map(([id]) => id)).not.toContain(victim);
    expect((await pool()).WarmPoolConfiguration).toMatchObject({
      PoolState: "Hibernated",
      InstanceReusePolicy: { ReuseOnScaleIn: true },
    });
    await complete(String(returning?.detail.LifecycleActionToken), "CONTINUE", TERMINATE_HOOK);
    await account.clock.advance(2_000);
    expect(await poolStates()).toEqual([[victim, "Warmed:Hibernated"]]);
    expect(account.aws.world.instances.get(victim)?.state).toBe("running");
  });

  it("terminates the scale-in victim without ReuseOnScaleIn", async () => {
    account = await testAccount({ desired: 2 });
    account.aws.autoScaling.putWarmPool(account.group, { minSize: 0, poolState: "Running" });
    await admitAll();
    await account.clock.advance(2_000);
    await resize(1);
    const [terminating] = account.bus.published(terminateLifecyclePattern(GROUP));
    expect(terminating?.detail).toMatchObject({ Origin: "AutoScalingGroup", Destination: "EC2" });
    expect(await groupStates()).toContainEqual([
      String(terminating?.detail.EC2InstanceId),
      "Terminating:Wait",
    ]);
    expect(await poolStates()).toEqual([]);
  });
});
