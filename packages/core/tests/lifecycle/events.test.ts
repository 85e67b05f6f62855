/**
 * The reason a refused launch's LifecycleAbandoned gives in Slack: an error a Step Functions Catch caught from a
 * Lambda task carries Lambda's error JSON as its Cause (type, message and stack trace); the on-call reads the
 * message, never the JSON.
 */
import { describe, expect, it } from "vitest";
import { abandonReason, completionFailedReason } from "../../src/lifecycle/index.js";

const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({
    errorType,
    errorMessage,
    trace: [`${errorType}: ${errorMessage}`, "    at handler (/var/task/complete.mjs:1:2345)"],
  });

describe("Function: abandonReason", () => {
  it("gives the message of a Lambda error, not its JSON and stack trace", () => {
    const reason = abandonReason(
      {
        Error: "LaunchAlreadyAbandoned",
        Cause: lambdaCause("LaunchAlreadyAbandoned", "the launch was already refused (instance Terminating)"),
      },
      undefined,
    );

    expect(reason).toBe("LaunchAlreadyAbandoned: the launch was already refused (instance Terminating)");
  });

  it("keeps a plain-text cause (a Step Functions error) as it is", () => {
    expect(abandonReason({ Error: "States.Timeout", Cause: "the task timed out" }, undefined)).toBe(
      "States.Timeout: the task timed out",
    );
  });
});

describe("Function: completionFailedReason", () => {
  it("names the Lambda error's message and the default result the hook expires into", () => {
    const reason = completionFailedReason(
      "ABANDON",
      {
        Error: "AccessDeniedException",
        Cause: lambdaCause(
          "AccessDeniedException",
          "not authorized to perform: autoscaling:CompleteLifecycleAction",
        ),
      },
      "ABANDON",
    );

    expect(reason).toBe(
      "ABANDON failed (AccessDeniedException: not authorized to perform: autoscaling:CompleteLifecycleAction): the hook expires into its default result, ABANDON",
    );
  });
});
