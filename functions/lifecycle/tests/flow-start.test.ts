import {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  DescribeWarmPoolCommand,
  RecordLifecycleActionHeartbeatCommand,
} from "@aws-sdk/client-auto-scaling";
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { matchesPattern } from "@clawops/core/events";
import { ServiceException } from "@smithy/smithy-client";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { loadFixture } from "../../../packages/core/tests/events/fixtures.js";
import { context, installEnvironment, settings } from "./fixture.js";

installEnvironment();
const { handler: startFlow } = await import("../start-flow.js");
const { handler: reconcile } = await import("../reconcile.js");
const { lifecycleRoutes } = await import("../routes.js");

const sfn = mockClient(SFNClient);
const autoscaling = mockClient(AutoScalingClient);

beforeEach(() => {
  sfn.reset();
  autoscaling.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: "arn:exec" });
  autoscaling.on(CompleteLifecycleActionCommand).resolves({});
  // clawops' hook of the instance's transition holds it (the reconciler asks by heartbeat).
  autoscaling.on(RecordLifecycleActionHeartbeatCommand).resolves({});
  autoscaling.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
  // A group without a warm pool: no configuration, no instances.
  autoscaling.on(DescribeWarmPoolCommand).resolves({ Instances: [] });
});

describe("Function: start-flow (lifecycle rule target)", () => {
  it("starts the launch gate named after the action's token", async () => {
    await expect(startFlow(loadFixture("aws.autoscaling", "launch"), context)).resolves.toMatchObject({
      route: "launch-gate",
      duplicate: false,
    });
    const input = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      stateMachineArn: settings.launchGateArn,
      name: "i-0abc1234def567890-c613620e-07e2-4ed2-a9e2-ef8258911ade",
    });
    expect(JSON.parse(input.input!)).toEqual({
      action: {
        asgName: "clawops-test-fleet",
        hookName: "clawops-launch-gate",
        instanceId: "i-0abc1234def567890",
        token: "c613620e-07e2-4ed2-a9e2-ef8258911ade",
        transition: "launch",
      },
    });
  });

  it("starts one gate for a duplicate event", async () => {
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: "arn:exec" })
      .rejects(
        new ServiceException({
          name: "ExecutionAlreadyExists",
          message: "exists",
          $fault: "client",
          $metadata: {},
        }),
      );
    const event = loadFixture("aws.autoscaling", "launch");
    await startFlow(event, context);
    await expect(startFlow(structuredClone(event), context)).resolves.toMatchObject({ duplicate: true });
    const names = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(new Set(names).size).toBe(1);
  });

  it("starts the drain for a terminate action", async () => {
    await startFlow(loadFixture("aws.autoscaling", "terminate"), context);
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe(
      settings.terminateDrainArn,
    );
  });

  it("gates a launch into the warm pool instead of completing it, so AWS does not stop a half-booted instance", async () => {
    await expect(
      startFlow(loadFixture("aws.autoscaling", "launch-warm-pool"), context),
    ).resolves.toMatchObject({ route: "launch-gate", duplicate: false });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe(
      settings.launchGateArn,
    );
    expect(autoscaling.commandCalls(CompleteLifecycleActionCommand)).toHaveLength(0);
  });

  it("completes the termination of a stopped warm-pool instance without a drain", async () => {
    const event = loadFixture("aws.autoscaling", "terminate");
    event.detail.Origin = "WarmPool";
    event.detail.Destination = "EC2";
    await expect(startFlow(event, context)).resolves.toEqual({ route: "complete-without-gate" });
    expect(autoscaling.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toMatchObject({
      LifecycleHookName: "clawops-drain",
      LifecycleActionResult: "CONTINUE",
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it("gates the move from the warm pool into service", async () => {
    await expect(
      startFlow(loadFixture("aws.autoscaling", "launch-from-warm-pool"), context),
    ).resolves.toMatchObject({ route: "launch-gate" });
  });

  it.each([
    ["leaving", "launch-from-warm-pool"],
    ["entering", "launch-warm-pool"],
    [undefined, "launch"],
  ])(
    "tells the gate the instance is %s the warm pool (%s), so it starts or stops the gateway",
    async (warmPool, name) => {
      await startFlow(loadFixture("aws.autoscaling", name), context);
      const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input ?? "{}");
      expect(input.action.warmPool).toBe(warmPool);
    },
  );
});

describe("Function: lifecycleRoutes", () => {
  it.each(["launch", "launch-warm-pool", "launch-from-warm-pool", "terminate"])(
    "routes the %s fixture to the flow starter",
    (name) => {
      const event = loadFixture("aws.autoscaling", name);
      expect(
        lifecycleRoutes("clawops-test-fleet").filter((r) => matchesPattern(r.pattern, event)),
      ).toHaveLength(1);
    },
  );

  it("does not route another group's actions", () => {
    const event = loadFixture("aws.autoscaling", "launch");
    expect(lifecycleRoutes("another-asg").filter((r) => matchesPattern(r.pattern, event))).toHaveLength(0);
  });
});

describe("Function: reconcile (lifecycle reconciler)", () => {
  it("starts a gate for an instance stuck in Pending:Wait and leaves gated ones alone", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          Instances: [
            { InstanceId: "i-0aaa", LifecycleState: "Pending:Wait" },
            { InstanceId: "i-0bbb", LifecycleState: "Pending:Wait" },
            { InstanceId: "i-0ccc", LifecycleState: "Terminating:Wait" },
            { InstanceId: "i-0ddd", LifecycleState: "InService" },
          ],
        } as never,
      ],
    });
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: settings.launchGateArn })
      .resolves({ executions: [{ name: "i-0bbb-c613620e" } as never] });
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: settings.terminateDrainArn })
      .resolves({ executions: [] });
    await expect(reconcile({}, context)).resolves.toEqual({
      reconciled: ["i-0aaa:launch-gate", "i-0ccc:terminate-drain"],
    });
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts.map((s) => s.stateMachineArn)).toEqual([
      settings.launchGateArn,
      settings.terminateDrainArn,
    ]);
    expect(JSON.parse(starts[0]!.input!).action).toEqual({
      asgName: "clawops-test-fleet",
      hookName: "clawops-launch-gate",
      instanceId: "i-0aaa",
      transition: "launch",
    });
    expect(starts[0]!.name).toMatch(/^i-0aaa-reconcile-\d{12}$/);
  });

  it("reconciles the warm pool's waiting instances too, from every page of DescribeWarmPool", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ Instances: [{ InstanceId: "i-0ddd", LifecycleState: "InService" }] } as never],
    });
    autoscaling
      .on(DescribeWarmPoolCommand)
      .resolvesOnce({
        WarmPoolConfiguration: { MinSize: 1, PoolState: "Stopped" },
        Instances: [{ InstanceId: "i-0eee", LifecycleState: "Warmed:Pending:Wait" }] as never,
        NextToken: "page-2",
      })
      .resolvesOnce({
        WarmPoolConfiguration: { MinSize: 1, PoolState: "Stopped" },
        Instances: [
          { InstanceId: "i-0fff", LifecycleState: "Warmed:Terminating:Wait" },
          { InstanceId: "i-0aaa", LifecycleState: "Warmed:Stopped" },
        ] as never,
      });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await expect(reconcile({}, context)).resolves.toEqual({
      reconciled: ["i-0eee:launch-gate", "i-0fff:complete-without-gate"],
    });
    expect(autoscaling.commandCalls(DescribeWarmPoolCommand).map((c) => c.args[0].input)).toEqual([
      { AutoScalingGroupName: "clawops-test-fleet", MaxRecords: 50, NextToken: undefined },
      { AutoScalingGroupName: "clawops-test-fleet", MaxRecords: 50, NextToken: "page-2" },
    ]);
    const [start] = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(start?.stateMachineArn).toBe(settings.launchGateArn);
    // Entering the pool (its event lost): the gate stops the gateway before it admits the instance.
    expect(JSON.parse(start!.input!).action).toMatchObject({
      instanceId: "i-0eee",
      hookName: "clawops-launch-gate",
      transition: "launch",
      warmPool: "entering",
    });
    expect(autoscaling.commandCalls(CompleteLifecycleActionCommand)[0]!.args[0].input).toMatchObject({
      InstanceId: "i-0fff",
      LifecycleHookName: "clawops-drain",
      LifecycleActionResult: "CONTINUE",
    });
  });

  it("leaves a warm-pool entry that began launching under two minutes ago to the next run, like any launch", async () => {
    installEnvironment({
      gate: { ...settings.gate, heartbeatTimeoutSeconds: 600 },
      terminateHeartbeatSeconds: 600,
      reconcilePeriodSeconds: 300,
    });
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [{ Instances: [] } as never] });
    autoscaling.on(DescribeWarmPoolCommand).resolves({
      Instances: [
        { InstanceId: "i-0eee", LifecycleState: "Warmed:Pending:Wait" },
        { InstanceId: "i-0fff", LifecycleState: "Warmed:Pending:Wait" },
      ] as never,
    });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const now = Date.now();
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        // How AWS words a launch into the warm pool.
        {
          Description: "Launching a new EC2 instance into warm pool: i-0eee",
          StartTime: new Date(now - 30_000),
        },
        {
          Description: "Launching a new EC2 instance into warm pool: i-0fff",
          StartTime: new Date(now - 10 * 60_000),
        },
      ] as never,
    });
    await expect(reconcile({}, context)).resolves.toEqual({ reconciled: ["i-0fff:launch-gate"] });
    installEnvironment();
  });

  it("leaves an instance that began launching under two minutes ago to the next run: its event's gate may be starting", async () => {
    // Hooks of 10 minutes, a reconciler every 5: the next run still comes before either hook expires.
    installEnvironment({
      gate: { ...settings.gate, heartbeatTimeoutSeconds: 600 },
      terminateHeartbeatSeconds: 600,
      reconcilePeriodSeconds: 300,
    });
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          Instances: [
            { InstanceId: "i-0aaa", LifecycleState: "Pending:Wait" },
            { InstanceId: "i-0bbb", LifecycleState: "Pending:Wait" },
            { InstanceId: "i-0ccc", LifecycleState: "Terminating:Wait" },
          ],
        } as never,
      ],
    });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const now = Date.now();
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        {
          Description: "Launching a new EC2 instance: i-0aaa",
          StartTime: new Date(now - 30_000),
        },
        {
          Description: "Terminating EC2 instance: i-0ccc",
          StartTime: new Date(now - 45_000),
        },
        {
          Description: "Launching a new EC2 instance: i-0bbb",
          StartTime: new Date(now - 10 * 60_000),
        },
      ] as never,
    });
    await expect(reconcile({}, context)).resolves.toEqual({ reconciled: ["i-0bbb:launch-gate"] });
    expect(
      sfn
        .commandCalls(StartExecutionCommand)
        .map((c) => JSON.parse(c.args[0].input.input!).action.instanceId),
    ).toEqual(["i-0bbb"]);
    installEnvironment();
  });

  it("reconciles at once an instance whose hook would expire before the next run, however recent", async () => {
    // The fixture's launch hook (120 s) and no known period or terminate hook: deferring could miss the hook.
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          Instances: [
            { InstanceId: "i-0aaa", LifecycleState: "Pending:Wait" },
            { InstanceId: "i-0ccc", LifecycleState: "Terminating:Wait" },
          ],
        } as never,
      ],
    });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const now = Date.now();
    autoscaling.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [
        { Description: "Launching a new EC2 instance: i-0aaa", StartTime: new Date(now - 30_000) },
        { Description: "Terminating EC2 instance: i-0ccc", StartTime: new Date(now - 45_000) },
      ] as never,
    });
    await expect(reconcile({}, context)).resolves.toEqual({
      reconciled: ["i-0aaa:launch-gate", "i-0ccc:terminate-drain"],
    });
  });

  /** Auto Scaling's answer to a heartbeat by instance id on a hook with no action for the instance. */
  const noActionOn = (hook: string) => ({
    AutoScalingGroupName: "clawops-test-fleet",
    LifecycleHookName: hook,
    InstanceId: "i-0eee",
  });
  const noActiveAction = () =>
    new ServiceException({
      name: "ValidationError",
      message: "No active Lifecycle Action found with instance ID i-0eee",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });

  it("drains, not gates, a warm-pool instance the terminate hook holds on its way back to the pool at scale in (ReuseOnScaleIn)", async () => {
    // AWS: with an instance reuse policy, an instance returning to the warm pool on scale in pauses in
    // Warmed:Pending:Wait for the EC2_INSTANCE_TERMINATING hook, the state an instance entering the pool waits in.
    autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [{ Instances: [] } as never] });
    autoscaling
      .on(DescribeWarmPoolCommand)
      .resolves({ Instances: [{ InstanceId: "i-0eee", LifecycleState: "Warmed:Pending:Wait" }] as never });
    autoscaling
      .on(RecordLifecycleActionHeartbeatCommand, noActionOn("clawops-launch-gate"))
      .rejects(noActiveAction());
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await expect(reconcile({}, context)).resolves.toEqual({ reconciled: ["i-0eee:terminate-drain"] });
    const [start] = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(start?.stateMachineArn).toBe(settings.terminateDrainArn);
    expect(JSON.parse(start!.input!).action).toEqual({
      asgName: "clawops-test-fleet",
      hookName: "clawops-drain",
      instanceId: "i-0eee",
      transition: "terminate",
      warmPool: "entering",
    });
    expect(
      autoscaling.commandCalls(RecordLifecycleActionHeartbeatCommand).map((c) => c.args[0].input),
    ).toEqual([noActionOn("clawops-launch-gate"), noActionOn("clawops-drain")]);
  });

  it.each([
    ["Pending:Wait", "group"],
    ["Terminating:Wait", "group"],
    ["Warmed:Pending:Wait", "warm pool"],
  ] as const)(
    "starts nothing, run after run, for an instance in %s that only another team's hook holds (clawops' action completed)",
    async (lifecycleState, where) => {
      const listed = [{ InstanceId: "i-0eee", LifecycleState: lifecycleState }];
      autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
        AutoScalingGroups: [{ Instances: where === "group" ? listed : [] } as never],
      });
      autoscaling
        .on(DescribeWarmPoolCommand)
        .resolves({ Instances: (where === "group" ? [] : listed) as never });
      autoscaling.on(RecordLifecycleActionHeartbeatCommand).rejects(noActiveAction());
      sfn.on(ListExecutionsCommand).resolves({ executions: [] });
      for (let run = 0; run < 2; run += 1)
        await expect(reconcile({}, context)).resolves.toEqual({ reconciled: [] });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
      expect(autoscaling.commandCalls(CompleteLifecycleActionCommand)).toHaveLength(0);
    },
  );

  it("starts the instance's first flow when Auto Scaling will not say which hook holds it", async () => {
    autoscaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ Instances: [{ InstanceId: "i-0eee", LifecycleState: "Pending:Wait" }] } as never],
    });
    autoscaling.on(RecordLifecycleActionHeartbeatCommand).rejects(
      new ServiceException({
        name: "Throttling",
        message: "Rate exceeded",
        $fault: "client",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    await expect(reconcile({}, context)).resolves.toEqual({ reconciled: ["i-0eee:launch-gate"] });
  });
});
