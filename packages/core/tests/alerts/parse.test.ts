import { describe, expect, it } from "vitest";
import { parseAlertEvent } from "../../src/alerts/index.js";
import { loadFixture, withField } from "../events/fixtures.js";

describe("Function: parseAlertEvent", () => {
  it.each([
    [
      "names an alarm event's own broken field, not the clawops union's detail-type",
      withField(
        withField(loadFixture("aws.cloudwatch", "metric-alarm"), "detail.state", 42),
        "resources",
        "x",
      ),
      /detail\.state: expected object, got 42/,
    ],
    [
      "names a clawops event's unknown detail-type",
      withField(loadFixture("clawops", "DrillFailed"), "detail-type", "NotAClawopsEvent"),
      /detail-type: expected "LifecycleAbandoned"/,
    ],
    ["says what came when the source is neither", { source: "aws.ec2" }, /aws\.ec2/],
  ])("%s", (_case, input, message) => {
    expect(() => parseAlertEvent(input)).toThrow(message);
  });

  it("parses a valid alarm event", () => {
    expect(parseAlertEvent(loadFixture("aws.cloudwatch", "metric-alarm")).source).toBe("aws.cloudwatch");
  });
});
