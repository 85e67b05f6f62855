import { describe, expect, it } from "vitest";
import {
  type FailureDrillResult,
  failureDrillResultFromCause,
  failureDrillSummary,
} from "../../src/failure-drill/index.js";

const result: FailureDrillResult = {
  drillId: "fd-1",
  instanceId: "i-0aaa",
  startedAt: "2026-11-27T09:00:55.000Z",
  finishedAt: "2026-11-27T09:20:00.000Z",
  seconds: { alarm: 124, alertDelivered: 130, replacement: null, recovered: null },
  windows: { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 },
  verdicts: { alarm: "pass", alert: "fail", replacement: "missed" },
  passed: false,
  replacementInstanceId: null,
  abortedBecause: "no replacement was InService within twice its window (1800 s)",
  restart: { outcome: "restarted", reason: null },
};

describe("Function: failureDrillSummary", () => {
  it("shows each time against its window with its verdict, and why the drill aborted", () => {
    expect(failureDrillSummary(result)).toEqual([
      "failure drill fd-1 on i-0aaa: FAILED",
      "alarm in ALARM: 124 s after the stop (window 300 s): pass",
      "alert delivered: 130 s after the alarm (window 120 s): fail",
      "replacement InService: never after the stop (window 900 s): missed",
      "alarm OK again: never after the stop",
      "aborted: no replacement was InService within twice its window (1800 s)",
      "the gateway on i-0aaa was restarted",
    ]);
  });

  it("says how long the stop took to be seen, when the result measured it", () => {
    const measured = { ...result, seconds: { ...result.seconds, stopConfirmed: 35 } };
    expect(failureDrillSummary(measured).slice(1, 3)).toEqual([
      "gateway seen stopped: 35 s after the stop was sent",
      "alarm in ALARM: 124 s after the stop (window 300 s): pass",
    ]);
  });

  it("says when the stopped gateway could not be restarted", () => {
    const failed = {
      ...result,
      restart: { outcome: "failed" as const, reason: "AccessDeniedException: no" },
    };
    expect(failureDrillSummary(failed).at(-1)).toBe(
      "the gateway on i-0aaa could not be restarted (AccessDeniedException: no): it stays stopped until someone starts it or the group replaces the instance",
    );
  });
});

describe("Function: failureDrillResultFromCause", () => {
  it.each<[string, string | undefined, FailureDrillResult | undefined]>([
    ["the result as JSON", JSON.stringify(result), result],
    ["a message", "only 1 healthy gateway", undefined],
    ["JSON that is not a result", '{"Error":"Lambda.Unknown"}', undefined],
    ["broken JSON", "{not json", undefined],
    ["no cause", undefined, undefined],
  ])("reads %s", (_, cause, expected) => {
    expect(failureDrillResultFromCause(cause)).toEqual(expected);
  });
});
