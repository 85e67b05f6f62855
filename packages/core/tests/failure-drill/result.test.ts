import { describe, expect, it } from "vitest";
import {
  type DrillProgress,
  failureDrillMetrics,
  failureDrillRecord,
  failureDrillResult,
  startProgress,
  type WindowVerdict,
} from "../../src/failure-drill/index.js";

const windows = { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 };
const T0 = Date.parse("2026-11-28T01:00:00Z");
const s = (seconds: number) => T0 + seconds * 1000;
const run = (p: Partial<DrillProgress>, abortedBecause: string | null = null) =>
  failureDrillResult({
    drillId: "fd-1",
    instanceId: "i-0aaa",
    startedAt: "2026-11-28T00:59:50.000Z",
    finishedAt: s(700),
    progress: { ...startProgress(T0), ...p },
    windows,
    abortedBecause,
  });
const STOP_CONFIRMED_SECONDS = 30;
const all = {
  stopConfirmedAt: s(STOP_CONFIRMED_SECONDS),
  alarmAt: s(150),
  alertDeliveredAt: s(154),
  replacedAt: s(420),
  okAt: s(560),
  replacementInstanceId: "i-0new",
};

describe("Function: failureDrillResult", () => {
  it.each<
    [string, Partial<DrillProgress>, string | null, [WindowVerdict, WindowVerdict, WindowVerdict], boolean]
  >([
    ["every window met", all, null, ["pass", "pass", "pass"], true],
    ["the alarm at exactly its window", { ...all, alarmAt: s(300) }, null, ["pass", "pass", "pass"], true],
    [
      "a late alarm",
      { ...all, alarmAt: s(301), alertDeliveredAt: s(305) },
      null,
      ["fail", "pass", "pass"],
      false,
    ],
    ["a late alert", { ...all, alertDeliveredAt: s(150 + 121) }, null, ["pass", "fail", "pass"], false],
    ["a slow replacement", { ...all, replacedAt: s(901) }, null, ["pass", "pass", "fail"], false],
    [
      "an alarm that never fired",
      { alarmAt: null, alertDeliveredAt: null, replacedAt: null },
      "the alarm did not fire",
      ["missed", "missed", "missed"],
      false,
    ],
    [
      "an abort with every window met",
      all,
      "the alarm did not return to OK",
      ["pass", "pass", "pass"],
      false,
    ],
  ])("judges %s", (_case, progress, aborted, [alarm, alert, replacement], passed) => {
    const result = run(progress, aborted);
    expect(result.verdicts).toEqual({ alarm, alert, replacement });
    expect(result.passed).toBe(passed);
    expect(result.abortedBecause).toBe(aborted);
  });

  it("reports a stop never seen confirmed as null, not as zero", () => {
    expect(run({ ...all, stopConfirmedAt: null }).seconds.stopConfirmed).toBeNull();
  });

  it("measures the alert from the alarm and the rest from the stop", () => {
    expect(run(all).seconds).toEqual({
      stopConfirmed: STOP_CONFIRMED_SECONDS,
      alarm: 150,
      alertDelivered: 4,
      replacement: 420,
      recovered: 560,
    });
  });
});

describe("Function: failureDrillRecord", () => {
  it("is exactly the FailureDrillRecord readiness reads", () => {
    expect(failureDrillRecord(run(all))).toStrictEqual({
      drillId: "fd-1",
      at: "2026-11-28T00:59:50.000Z",
      alarmSeconds: 150,
      alertDeliveredSeconds: 4,
      replacementSeconds: 420,
      windows: { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 },
    });
  });

  it("keeps null for what never happened", () => {
    const record = failureDrillRecord(run({ alarmAt: null }, "the alarm did not fire"));
    expect(record).toMatchObject({
      alarmSeconds: null,
      alertDeliveredSeconds: null,
      replacementSeconds: null,
    });
  });
});

describe("Function: failureDrillMetrics", () => {
  it("publishes each measured time and whether the drill passed", () => {
    expect(failureDrillMetrics(run(all)).map((m) => [m.name, m.value])).toEqual([
      ["FailureDrillAlarmSeconds", 150],
      ["FailureDrillAlertDeliveredSeconds", 4],
      ["FailureDrillReplacementSeconds", 420],
      ["FailureDrillPassed", 1],
    ]);
  });

  it("leaves out times that were never measured", () => {
    expect(failureDrillMetrics(run({}, "the alarm did not fire")).map((m) => m.name)).toEqual([
      "FailureDrillPassed",
    ]);
  });
});
