/**
 * The Restore task on the error path (RestoreAfterError / ConfirmRestart): the drill lock is given back only once
 * the restart has an outcome. A throttled attempt, which the state machine retries, keeps it: the drilled gateway
 * may still be stopped, and another drill must not stop a second one meanwhile.
 */
import { AutoScalingClient, DescribeAutoScalingInstancesCommand } from "@aws-sdk/client-auto-scaling";
import { DeleteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from "@aws-sdk/client-ssm";
import { logger, withFunctionEnvironment } from "@clawops/core";
import { ServiceException } from "@smithy/smithy-client";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { failureDrillTasks } from "../tasks.js";
import { drill, env, type Handler, I, taskContext } from "./task-fixture.js";

const restore = failureDrillTasks.RestoreFunctionArn as unknown as Handler;
const context = taskContext("restore");
const state = {
  request: {},
  drill,
  stop: { commandId: "stop-1" },
  progress: {
    stoppedAt: Date.parse("2026-11-29T00:00:01Z"),
    alarmAt: null,
    alertDeliveredAt: null,
    replacedAt: null,
    replacementInstanceId: null,
    okAt: null,
    observations: 1,
    stop: "stopped",
  },
  // Observe failed: the Catch sent the drill to RestoreAfterError.
  error: { Error: "AccessDeniedException", Cause: '{"errorMessage":"denied"}' },
};
const throttled = () =>
  new ServiceException({
    name: "ThrottlingException",
    message: "Rate exceeded",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
  });

const ssm = mockClient(SSMClient);
const autoscaling = mockClient(AutoScalingClient);
const dynamo = mockClient(DynamoDBClient);

beforeEach(() => {
  ssm.reset();
  autoscaling.reset();
  dynamo.reset();
  logger.setLogLevel("SILENT");
  autoscaling
    .on(DescribeAutoScalingInstancesCommand)
    .resolves({ AutoScalingInstances: [{ InstanceId: I, LifecycleState: "InService" }] as never });
  dynamo.on(DeleteItemCommand).resolves({});
});

describe("Function: restore (error path)", () => {
  it("keeps the lock while a throttled restart is retried and then polled", async () => {
    // Attempt 1: SendCommand throttled -> the task fails retryably (the ASL retries it).
    ssm
      .on(SendCommandCommand)
      .rejectsOnce(throttled())
      .resolves({ Command: { CommandId: "start-1" } });
    await withFunctionEnvironment(env, async () => {
      await expect(restore(state, context)).rejects.toMatchObject({ name: "AwsThrottled" });
      // Attempt 2 (Retry): the restart is sent now and is pending: the drill is still restoring.
      const out = (await restore(state, context)) as { restore: { pending: boolean } };
      expect(out.restore.pending).toBe(true);
    });
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });

  it("gives the lock back once the restart has an outcome", async () => {
    ssm.on(GetCommandInvocationCommand).resolves({ Status: "Success", StatusDetails: "Success" });
    const pending = { ...state, restore: { pending: true, commandId: "start-1", checks: 3 } };
    await withFunctionEnvironment(env, async () => {
      const out = (await restore(pending, context)) as { restore: { pending: boolean } };
      expect(out.restore.pending).toBe(false);
    });
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  it("keeps the lock when a read of the pending restart is throttled (ConfirmRestart retried)", async () => {
    ssm.on(GetCommandInvocationCommand).rejects(throttled());
    const pending = { ...state, restore: { pending: true, commandId: "start-1", checks: 3 } };
    await withFunctionEnvironment(env, async () => {
      await expect(restore(pending, context)).rejects.toMatchObject({ name: "AwsThrottled" });
    });
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(0);
  });
});
