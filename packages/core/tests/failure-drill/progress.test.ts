import { describe, expect, it } from "vitest";
import {
  advanceDrill,
  type DrillObservation,
  type DrillProgress,
  GATEWAY_STOP_SETTLE_SECONDS,
  gatewayCommandOutcome,
  type ObserveNext,
  startProgress,
} from "../../src/failure-drill/index.js";

const windows = { alarmSeconds: 300, alertSeconds: 120, replacementSeconds: 900 };
const T0 = Date.parse("2026-11-28T01:00:00Z");
const s = (seconds: number) => T0 + seconds * 1000;
const quiet: DrillObservation = {
  alarmTransitions: [],
  alarmState: "OK",
  delivery: null,
  replacement: null,
  stop: null,
};
const fired = (at: number): DrillObservation => ({
  ...quiet,
  alarmState: "ALARM",
  alarmTransitions: [{ at: s(at), state: "ALARM" }],
});
/** A drill past its confirmed stop. */
const progressed = (p: Partial<DrillProgress>): DrillProgress => ({
  ...startProgress(T0),
  stop: "stopped",
  ...p,
});

describe("Function: advanceDrill", () => {
  it.each<[string, DrillProgress, DrillObservation, number, ObserveNext, string]>([
    ["nothing happened yet", progressed({}), quiet, 60, "observe", "waiting for the alarm"],
    ["the alarm fired", startProgress(T0), fired(150), 160, "observe", "waiting for the alert delivery"],
    [
      "an old ALARM before the stop is not ours",
      progressed({}),
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
    ["the alarm is late but not twice late", progressed({}), quiet, 600, "observe", "waiting for the alarm"],
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

  it("does not credit an alarm still in ALARM since before the stop", () => {
    // Another gateway's failure: the alarm has been in ALARM for ten minutes when this gateway stops.
    const before = { ...quiet, alarmState: "ALARM", alarmTransitions: [{ at: s(-600), state: "ALARM" }] };
    const { progress, next } = advanceDrill(startProgress(T0), before, s(15), windows);
    expect(progress.alarmAt).toBeNull();
    expect(next).toBe("observe");
  });

  it("waits for the stop's invocation while it runs and keeps the stop unconfirmed", () => {
    const seen = { ...quiet, stop: { state: "running" as const } };
    const decision = advanceDrill(startProgress(T0), seen, s(15), windows);
    expect(decision).toMatchObject({ next: "observe", reason: "waiting for the gateway stop to finish" });
    expect(decision.progress.stop).toBe("sent");
  });

  it("confirms the stop once its invocation succeeded", () => {
    const seen = { ...quiet, stop: { state: "succeeded" as const } };
    expect(advanceDrill(startProgress(T0), seen, s(15), windows).progress.stop).toBe("stopped");
  });

  it("ends the drill with the reason and nothing measured when the stop failed", () => {
    const seen = {
      ...fired(10),
      stop: {
        state: "failed" as const,
        reason: "SSM says Failed: Unit openclaw-gateway.service not loaded.",
      },
    };
    const decision = advanceDrill(startProgress(T0), seen, s(15), windows);
    expect(decision.next).toBe("stop-failed");
    expect(decision.reason).toBe(
      "the gateway was not stopped, so nothing was measured: SSM says Failed: Unit openclaw-gateway.service not loaded.",
    );
    expect(decision.progress).toMatchObject({ stop: "failed", alarmAt: null, replacedAt: null });
  });

  it("does not record a drill whose stop is still unconfirmed", () => {
    const everything = { alarmAt: s(150), alertDeliveredAt: s(154), replacedAt: s(420), okAt: s(570) };
    const unconfirmed = advanceDrill(progressed({ ...everything, stop: "sent" }), quiet, s(585), windows);
    expect(unconfirmed.next).toBe("observe");
    expect(advanceDrill(progressed(everything), quiet, s(585), windows).next).toBe("record");
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

  describe("a gateway slow to stop", () => {
    const short = { alarmSeconds: 60, alertSeconds: 120, replacementSeconds: 60 };
    const stopping = { ...quiet, stop: { state: "running" as const } };

    it("does not abort on the alarm or replacement window while the stop script still waits on systemd", () => {
      // Twice both windows (120 s) have passed, but the script watches the unit for up to 300 s: a restart now
      // would race systemd's stop job and the report would blame the alarm.
      const decision = advanceDrill(startProgress(T0), stopping, s(130), short);
      expect(decision).toMatchObject({ next: "observe", reason: "waiting for the gateway stop to finish" });
      expect(advanceDrill(startProgress(T0), stopping, s(GATEWAY_STOP_SETTLE_SECONDS - 1), short).next).toBe(
        "observe",
      );
    });

    it.each<[string, DrillObservation, string]>([
      [
        "the alert window (the alarm fired, Slack is slow)",
        { ...fired(60), stop: { state: "running" } },
        "the alert was not delivered within twice its window (120 s)",
      ],
      [
        "the alarm's return to OK after a replacement",
        {
          ...fired(30),
          delivery: { state: "ALARM", stateChangedAt: s(30), deliveredAt: s(40) },
          replacement: { instanceId: "i-0new", inServiceAt: s(50) },
          stop: { state: "running" },
        },
        "the alarm did not return to OK within 120 s of the replacement",
      ],
    ])("does not abort on %s while the stop script still waits on systemd", (_, seen, reason) => {
      const tight = { alarmSeconds: 60, alertSeconds: 60, replacementSeconds: 900 };
      // Twice the window has passed, but a restart now would race systemd's stop job.
      const waiting = advanceDrill(startProgress(T0), seen, s(200), tight);
      expect(waiting.progress.stop).toBe("sent");
      expect(waiting).toMatchObject({ next: "observe" });
      expect(advanceDrill(startProgress(T0), seen, s(GATEWAY_STOP_SETTLE_SECONDS + 15), tight)).toMatchObject(
        {
          next: "abort",
          reason,
        },
      );
    });

    it("aborts once the stop's invocation should have ended and the alarm still has not fired", () => {
      const decision = advanceDrill(startProgress(T0), stopping, s(GATEWAY_STOP_SETTLE_SECONDS + 15), short);
      expect(decision).toMatchObject({
        next: "abort",
        reason: "the alarm did not fire within twice its window (120 s)",
      });
    });

    it("leaves the alarm one whole window after a stop confirmed late", () => {
      const confirmed = advanceDrill(
        startProgress(T0),
        { ...quiet, stop: { state: "succeeded" } },
        s(250),
        short,
      );
      expect(confirmed.progress).toMatchObject({ stop: "stopped", stopConfirmedAt: s(250) });
      expect(advanceDrill(confirmed.progress, quiet, s(265), short).next).toBe("observe");
      expect(advanceDrill(confirmed.progress, quiet, s(315), short)).toMatchObject({
        next: "abort",
        reason: "the alarm did not fire within twice its window (120 s)",
      });
    });

    it("times the alarm from the stop being sent, not from its confirmation", () => {
      const confirmed = advanceDrill(
        startProgress(T0),
        { ...quiet, stop: { state: "succeeded" } },
        s(250),
        short,
      );
      expect(advanceDrill(confirmed.progress, fired(280), s(295), short).progress.alarmAt).toBe(s(280));
    });

    it.each([
      [
        "the script gave up on a unit still deactivating",
        {
          status: "Failed",
          statusDetails: "Failed",
          stdout: "",
          stderr:
            "the gateway unit is still deactivating 300 s after systemctl stop (TimeoutStopUSec=10min)\nfailed to run commands: exit status 124\n",
        },
      ],
      [
        "SSM ended the script past its execution timeout",
        { status: "TimedOut", statusDetails: "ExecutionTimedOut", stdout: "", stderr: "" },
      ],
    ])("starts the gateway again when %s (systemd may still stop it)", (_, invocation) => {
      const seen = { ...fired(200), stop: gatewayCommandOutcome(invocation) };
      const decision = advanceDrill(startProgress(T0), seen, s(315), windows);
      expect(decision.next).toBe("abort");
      expect(decision.reason).toMatch(/^the gateway stop did not finish, so nothing was measured/);
      // Nothing measured, and the restore path restarts it (it skips only a stop that "failed").
      expect(decision.progress).toMatchObject({ stop: "unfinished", alarmAt: null, replacedAt: null });
    });
  });
});
