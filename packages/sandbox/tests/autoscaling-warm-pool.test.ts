import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeWarmPoolCommand,
} from "@aws-sdk/client-auto-scaling";
import { makeClient } from "@clawops/core/aws";
import { launchLifecyclePattern } from "@clawops/core/events";
import { afterEach, describe, expect, it } from "vitest";
import { GROUP, LAUNCH_HOOK, type TestAccount, testAccount } from "./account.js";

let account: TestAccount;
afterEach(() => account?.close());

const autoscaling = () => makeClient(AutoScalingClient);
const pool = (input: { MaxRecords?: number; NextToken?: string } = {}) =>
  autoscaling().send(new DescribeWarmPoolCommand({ AutoScalingGroupName: GROUP, ...input }));
const poolStates = async () =>
  ((await pool()).Instances ?? []).map((i) => [i.InstanceId, i.LifecycleState] as const);
const warmPoolEvents = () =>
  account.bus.published(launchLifecyclePattern(GROUP)).filter((e) => e.detail.Destination === "WarmPool");
const complete = (token: string, result: "CONTINUE" | "ABANDON") =>
  autoscaling().send(
    new CompleteLifecycleActionCommand({
      AutoScalingGroupName: GROUP,
      LifecycleHookName: LAUNCH_HOOK,
      LifecycleActionToken: token,
      LifecycleActionResult: result,
    }),
  );

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
});
