import { ServiceException } from "@smithy/smithy-client";
import { describe, expect, it } from "vitest";
import { isRetryable } from "../../src/errors.js";
import {
  AwsThrottled,
  classifyInstanceHealthError,
  classifyLifecycleError,
  classifySsmError,
  InstanceInGracePeriod,
  InstanceNotRegistered,
  LifecycleActionGone,
  LifecycleContention,
  LifecycleHookExpired,
  ProbeNotReady,
} from "../../src/lifecycle/index.js";

const aws = (name: string, message: string, fault: "client" | "server" = "client") =>
  new ServiceException({
    name,
    message,
    $fault: fault,
    $metadata: { httpStatusCode: fault === "client" ? 400 : 500 },
  });

describe("Function: classifyLifecycleError", () => {
  it.each([
    [
      "an expired or completed token",
      aws("ValidationError", "No active Lifecycle Action found with token c613620e"),
      LifecycleActionGone,
      false,
    ],
    [
      "a completion by instance id after the action ended",
      aws("ValidationError", "No active Lifecycle Action found with instance ID i-1"),
      LifecycleActionGone,
      false,
    ],
    [
      "contention on the group (as the SDK names it)",
      aws("ResourceContentionFault", "You already have a pending update", "server"),
      LifecycleContention,
      true,
    ],
    [
      "contention on the group (by its query code)",
      aws("ResourceContention", "You already have a pending update", "server"),
      LifecycleContention,
      true,
    ],
    ["throttling", aws("Throttling", "Rate exceeded"), AwsThrottled, true],
  ])("classifies %s", (_name, error, Class, retryable) => {
    const classified = classifyLifecycleError(error, "i-1");
    expect(classified).toBeInstanceOf(Class);
    expect((classified as Error).cause).toBe(error);
    expect(isRetryable(classified)).toBe(retryable);
  });

  it("passes any other error through untouched", () => {
    const error = aws("ValidationError", "Lifecycle hook name is invalid");
    expect(classifyLifecycleError(error, "i-1")).toBe(error);
  });

  it("names the error the way the state machine catches it", () => {
    expect(
      (
        classifyLifecycleError(
          aws("ValidationError", "No active Lifecycle Action found with token x"),
          "i-1",
        ) as Error
      ).name,
    ).toBe("LifecycleActionGone");
  });
});

describe("Class: LifecycleHookExpired", () => {
  it("is named the way the launch gate catches it, keeps its cause and says the instance's state", () => {
    const gone = new LifecycleActionGone("i-1");
    const expired = new LifecycleHookExpired("i-1", "Terminating:Wait", { cause: gone });
    expect(expired).toMatchObject({ name: "LifecycleHookExpired", instanceId: "i-1", cause: gone });
    expect(expired.message).toMatch(/i-1 expired before the gate finished \(instance Terminating:Wait\)/);
    expect(isRetryable(expired)).toBe(false);
  });

  it("says when the instance is no longer in the group", () => {
    expect(new LifecycleHookExpired("i-1", undefined).message).toMatch(/no longer in the group/);
  });
});

describe("Function: classifySsmError", () => {
  it.each([
    [
      "an agent that has not registered",
      aws("InvalidInstanceId", "Instances [[i-1]] not in a valid state"),
      InstanceNotRegistered,
    ],
    ["an invocation SSM has not created yet", aws("InvocationDoesNotExist", ""), ProbeNotReady],
    ["throttling", aws("ThrottlingException", "Rate exceeded"), AwsThrottled],
  ])("classifies %s", (_name, error, Class) => {
    expect(classifySsmError(error, { instanceId: "i-1", commandId: "c-1" })).toBeInstanceOf(Class);
  });

  it("passes access denied through untouched", () => {
    const error = aws("AccessDeniedException", "not authorized");
    expect(classifySsmError(error, {})).toBe(error);
  });
});

describe("Function: classifyInstanceHealthError", () => {
  it("recognises the grace period refusal", () => {
    const error = aws("ValidationError", "Instance i-1 is still within its health check grace period");
    expect(classifyInstanceHealthError(error, "i-1")).toBeInstanceOf(InstanceInGracePeriod);
  });

  it("passes other validation errors through", () => {
    const error = aws(
      "ValidationError",
      "Instance Id not found - No managed instance found for instance ID i-1",
    );
    expect(classifyInstanceHealthError(error, "i-1")).toBe(error);
  });
});
