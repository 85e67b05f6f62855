import { describe, expect, it } from "vitest";
import {
  advanceDrill,
  type DrillObservation,
  type DrillProgress,
  type ObserveNext,
  startProgress,
} from "../../src/failure-drill/index.js";

const windows = { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 };
const T0 = Date.parse("2026-11-28T01:00:00Z");
const s = (seconds: number) => T0 + seconds * 1000;
const quiet: DrillObservation = { alarmTransitions: [], alarmState: "OK", delivery: null, replacement: null };
const fired = (at: number): DrillObservation => ({
  ...quiet,
  alarmState: "ALARM",
  alarmTransitions: [{ at: s(at), state: "ALARM" }],
});
const progressed = (p: Partial<DrillProgress>): DrillProgress => ({ ...startProgress(T0), ...p });

describe("Function: advanceDrill", () => {
  it.each<[string, DrillProgress, DrillObservation, number, ObserveNext, string]>([
    ["nothing happened yet", startProgress(T0), quiet, 60, "observe", "waiting for the alarm"],
    ["the alarm fired", startProgress(T0), fired(150), 160, "observe", "waiting for the alert delivery"],
    [
      "an old ALARM before the stop is not ours",
      startProgress(T0),
      { ...quiet, alarmTransitions: [{ at: s(-600), state: "ALARM" }] },
      60,
      "observe",
      "waiting for the alarm",
    ],
    [
      "the alert was delivered",
      progressed({ alarmAt: s(150) }),
      { ...fired(150), delivery: { state: "ALARM", stateChangedAt: s(150), deliveredAt: s(154) } },
      170,
      "observe",
      "waiting for the replacement",
    ],
    [
      "the replacement is InService",
      progressed({ alarmAt: s(150), alertDeliveredAt: s(154) }),
      { ...fired(150), replacement: { instanceId: "i-0new", inServiceAt: s(420) } },
      430,
      "observe",
      "waiting for the alarm to return to OK",
    ],
    [
      "everything happened",
      progressed({
        alarmAt: s(150),
        alertDeliveredAt: s(154),
        replacedAt: s(420),
        replacementInstanceId: "i-0new",
      }),
      {
        ...quiet,
        alarmTransitions: [
          { at: s(150), state: "ALARM" },
          { at: s(560), state: "OK" },
        ],
      },
      570,
      "record",
      "alarm, alert, replacement and recovery observed",
    ],
    [
      "the alarm is late but not twice late",
      startProgress(T0),
      quiet,
      600,
      "observe",
      "waiting for the alarm",
    ],
    [
      "the alarm never fired within twice its window",
      startProgress(T0),
      quiet,
      601,
      "abort",
      "the alarm did not fire",
    ],
    [
      "the alert never came within twice its window",
      progressed({ alarmAt: s(150) }),
      fired(150),
      150 + 241,
      "abort",
      "the alert was not delivered",
    ],
    [
      "no replacement within twice its window",
      progressed({ alarmAt: s(150), alertDeliveredAt: s(154) }),
      fired(150),
      1801,
      "abort",
      "no replacement was InService",
    ],
    [
      "the alarm stays in ALARM after the replacement",
      progressed({ alarmAt: s(150), alertDeliveredAt: s(154), replacedAt: s(420) }),
      fired(150),
      420 + 601,
      "abort",
      "did not return to OK",
    ],
  ])("decides when %s", (_case, progress, seen, now, next, reason) => {
    const decision = advanceDrill(progress, seen, s(now), windows);
    expect(decision.next).toBe(next);
    expect(decision.reason).toContain(reason);
    expect(decision.progress.observations).toBe(progress.observations + 1);
  });

  it("times the alarm from its history, not from when it was seen", () => {
    const { progress } = advanceDrill(startProgress(T0), fired(150), s(175), windows);
    expect(progress.alarmAt).toBe(s(150));
  });

  it("times the alarm when seen while the history lags", () => {
    const { progress } = advanceDrill(startProgress(T0), { ...quiet, alarmState: "ALARM" }, s(165), windows);
    expect(progress.alarmAt).toBe(s(165));
  });

  it("ignores a delivery record of an earlier alarm", () => {
    const seen = {
      ...fired(150),
      delivery: { state: "ALARM", stateChangedAt: s(-900), deliveredAt: s(-897) },
    };
    expect(advanceDrill(startProgress(T0), seen, s(160), windows).progress.alertDeliveredAt).toBeNull();
  });

  it("ignores an instance that was InService before the stop", () => {
    const seen = { ...quiet, replacement: { instanceId: "i-0old", inServiceAt: s(-60) } };
    expect(advanceDrill(startProgress(T0), seen, s(30), windows).progress.replacedAt).toBeNull();
  });

  it("keeps the first replacement it saw", () => {
    const before = progressed({ replacedAt: s(400), replacementInstanceId: "i-0first" });
    const seen = { ...quiet, replacement: { instanceId: "i-0second", inServiceAt: s(500) } };
    const { progress } = advanceDrill(before, seen, s(510), windows);
    expect(progress).toMatchObject({ replacedAt: s(400), replacementInstanceId: "i-0first" });
  });
});
