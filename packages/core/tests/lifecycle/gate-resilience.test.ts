import { ServiceException } from "@smithy/smithy-client";
import { describe, expect, it } from "vitest";
import { isRetryable } from "../../src/errors.js";
import {
  AwsThrottled,
  AwsUnavailable,
  classifyTransientAwsError,
  type DrainState,
  drainHeartbeatDue,
  instanceOfScalingActivity,
  type ReconcileAction,
  reconcileGraceSeconds,
  recordDrainHeartbeat,
  withoutRecentlyChanged,
} from "../../src/lifecycle/index.js";

const aws = (name: string, fault: "client" | "server", status: number) =>
  new ServiceException({ name, message: "", $fault: fault, $metadata: { httpStatusCode: status } });

describe("Function: classifyTransientAwsError", () => {
  it.each([
    ["Auto Scaling throttling", aws("Throttling", "client", 400), AwsThrottled],
    ["an SSM 500", aws("InternalServerError", "server", 500), AwsUnavailable],
    ["a 503", aws("ServiceUnavailable", "server", 503), AwsUnavailable],
  ])("classifies %s as retryable, keeping the cause", (_case, error, Class) => {
    const classified = classifyTransientAwsError(error, "DescribeAutoScalingInstances");
    expect(classified).toBeInstanceOf(Class);
    expect((classified as Error).cause).toBe(error);
    expect(isRetryable(classified)).toBe(true);
  });

  it("passes a client error through untouched", () => {
    const error = aws("AccessDeniedException", "client", 403);
    expect(classifyTransientAwsError(error, "SendCommand")).toBe(error);
  });
});

describe("Function: drainHeartbeatDue", () => {
  const T0 = Date.parse("2026-03-02T10:00:00Z");
  const drain: DrainState = { startedAt: T0, checks: 0, next: "check", reason: "" };
  const beaten = recordDrainHeartbeat(drain, T0);

  it.each([
    ["a drain that never heartbeated", drain, T0, 300, true],
    ["right after a heartbeat", beaten, T0 + 5_000, 300, false],
    ["two checks before a 300 s hook times out", beaten, T0 + 290_000, 300, true],
    [
      "20 s after a heartbeat, with an unknown hook (AWS's minimum, 30 s)",
      beaten,
      T0 + 20_000,
      undefined,
      true,
    ],
    ["by checks when waits run on another clock", { ...beaten, checks: 4 }, T0, undefined, true],
  ])("is due %s: %s", (_case, state, now, hook, due) => {
    expect(drainHeartbeatDue(state, now, hook)).toBe(due);
  });
});

describe("Function: withoutRecentlyChanged", () => {
  const now = Date.parse("2026-03-02T10:00:00Z");
  const launch = (instanceId: string): ReconcileAction => ({
    instanceId,
    flow: "launch-gate",
    transition: "launch",
  });

  it("defers instances whose launch began within the grace and reconciles the others", () => {
    const starts = new Map([
      ["i-0aaa", now - 30_000],
      ["i-0bbb", now - 300_000],
    ]);
    const out = withoutRecentlyChanged(
      [launch("i-0aaa"), launch("i-0bbb"), launch("i-0ccc")],
      starts,
      now,
      120,
      { periodSeconds: 300, hookSecondsOf: () => 600 },
    );
    expect(out.now.map((a) => a.instanceId)).toEqual(["i-0bbb", "i-0ccc"]);
    expect(out.deferred.map((a) => a.instanceId)).toEqual(["i-0aaa"]);
  });

  it.each([
    ["a terminate hook of 300 s, the next run in 300 s", 300, 300],
    ["a hook clawops does not know (imported fleet)", undefined, 300],
    ["a reconciler on a cron schedule", 600, undefined],
  ])("reconciles at once, never deferring past the hook's expiry: %s", (_case, hook, period) => {
    const out = withoutRecentlyChanged([launch("i-0aaa")], new Map([["i-0aaa", now - 30_000]]), now, 120, {
      periodSeconds: period,
      hookSecondsOf: () => hook,
    });
    expect(out.now.map((a) => a.instanceId)).toEqual(["i-0aaa"]);
    expect(out.deferred).toEqual([]);
  });

  it.each([
    [600, 120],
    [120, 60],
  ])("grants a hook of %ss a grace of %ss", (hook, grace) => {
    expect(reconcileGraceSeconds(hook)).toBe(grace);
  });

  it.each([
    ["Launching a new EC2 instance: i-0abc1234def567890", "i-0abc1234def567890"],
    ["Terminating EC2 instance: i-0abc1234def567890", "i-0abc1234def567890"],
    ["Updating load balancers", undefined],
  ])("reads the instance of the activity %j", (description, instanceId) => {
    expect(instanceOfScalingActivity(description)).toBe(instanceId);
  });
});
