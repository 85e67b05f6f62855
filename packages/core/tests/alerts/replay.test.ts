import { describe, expect, it } from "vitest";
import { deadLetteredAlert, isAlertReplayRequest, parseRouterInput } from "../../src/alerts/index.js";
import { loadFixture } from "../events/fixtures.js";

describe("Function: deadLetteredAlert", () => {
  const alarm = loadFixture("aws.cloudwatch", "metric-alarm");

  it.each([
    [
      "clawops' own record: the event under `event`, the reason under `reason`",
      {
        body: JSON.stringify({
          reason: "AlertDeliveryError: invalid_auth",
          errorName: "AlertDeliveryError",
          functionName: "clawops-prod-alertRouter",
          failedAt: "2026-03-02T12:05:00.000Z",
          event: alarm,
        }),
      },
      "AlertDeliveryError: invalid_auth",
      "2026-03-02T12:05:00.000Z",
    ],
    [
      "what Lambda's own DLQ writes after its async retries: the event as is, the error in ErrorMessage",
      {
        body: JSON.stringify(alarm),
        attributes: {
          ErrorCode: { StringValue: "200" },
          ErrorMessage: { StringValue: "RetryableError: alarm x is being delivered by another invocation" },
        },
        sentTimestamp: String(Date.parse("2026-03-02T12:06:00.000Z")),
      },
      "RetryableError: alarm x is being delivered by another invocation",
      "2026-03-02T12:06:00.000Z",
    ],
  ])("finds the alert in %s, with when it failed", (_, message, reason, failedAt) => {
    expect(deadLetteredAlert(message)).toEqual({ event: alarm, reason, failedAt });
  });

  it.each([
    [
      "another flow's record",
      { body: JSON.stringify({ reason: "x", event: { detail: { EC2InstanceId: 42 } } }) },
    ],
    ["another flow's raw event", { body: JSON.stringify(loadFixture("aws.autoscaling", "launch")) }],
    ["a body that is not JSON", { body: "not json" }],
  ])("leaves %s alone", (_, message) => {
    expect(deadLetteredAlert(message)).toBeUndefined();
  });
});

describe("Function: parseRouterInput", () => {
  const alarm = loadFixture("aws.cloudwatch", "metric-alarm");

  it("parses an EventBridge alert event as the event", () => {
    expect(parseRouterInput(alarm)).toEqual(alarm);
    expect(isAlertReplayRequest(alarm)).toBe(false);
  });

  it("parses a replay request of `clawops alerts replay`", () => {
    const request = { replay: { event: alarm, reason: "AlertDeliveryError: invalid_auth" } };
    expect(isAlertReplayRequest(request)).toBe(true);
    expect(parseRouterInput(request)).toEqual(request);
  });

  it("rejects a replay request whose event is not an alert", () => {
    expect(() => parseRouterInput({ replay: { event: { source: "aws.ec2" } } })).toThrow();
  });
});
