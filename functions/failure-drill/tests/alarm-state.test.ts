import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { alarmNow } from "../alarm-state.js";

const cloudWatch = mockClient(CloudWatchClient);
const ALARM = "clawops-test-unhealthy-gateways";

afterEach(() => {
  cloudWatch.reset();
});

describe("Function: alarmNow", () => {
  it("times the alarm's state from when its StateValue changed, not from a later evaluation update", async () => {
    // In ALARM for an hour; CloudWatch updated its EvaluationState a minute ago without a state change.
    cloudWatch.on(DescribeAlarmsCommand, { AlarmNames: [ALARM] }).resolves({
      MetricAlarms: [
        {
          AlarmName: ALARM,
          StateValue: "ALARM",
          StateTransitionedTimestamp: new Date("2026-11-28T08:00:00Z"),
          StateUpdatedTimestamp: new Date("2026-11-28T08:59:00Z"),
        },
      ],
    });
    expect(await alarmNow(ALARM)).toEqual({
      alarmState: "ALARM",
      alarmTransitions: [{ at: Date.parse("2026-11-28T08:00:00Z"), state: "ALARM" }],
    });
  });

  it("falls back to StateUpdatedTimestamp when the transition time is absent", async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        { AlarmName: ALARM, StateValue: "OK", StateUpdatedTimestamp: new Date("2026-11-28T08:59:00Z") },
      ],
    });
    expect((await alarmNow(ALARM)).alarmTransitions).toEqual([
      { at: Date.parse("2026-11-28T08:59:00Z"), state: "OK" },
    ]);
  });

  it("says MISSING when there is no such alarm", async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    expect(await alarmNow(ALARM)).toEqual({ alarmState: "MISSING", alarmTransitions: [] });
  });
});
