import { describe, expect, it } from "vitest";
import {
  type AlarmThread,
  alarmTransition,
  closeOnUndeliveredOk,
  decideThread,
  parseAwsTime,
} from "../../src/alerts/index.js";

const T0 = Date.parse("2026-03-02T12:00:00Z");
const open: AlarmThread = {
  alarmName: "a",
  channel: "C1",
  ts: "1.000100",
  openedAt: T0,
  lastState: "ALARM",
  lastStateAt: T0,
  resolved: false,
};
const resolved: AlarmThread = { ...open, lastState: "OK", lastStateAt: T0 + 60_000, resolved: true };
const okOnly: AlarmThread = {
  alarmName: "a",
  channel: "C1",
  lastState: "OK",
  lastStateAt: T0,
  resolved: true,
};
/** A grouped INSUFFICIENT_DATA: listed in a storm's group message, with no thread of its own. */
const listed: AlarmThread = {
  ...okOnly,
  lastState: "INSUFFICIENT_DATA",
  stormWindow: { channel: "C1", windowStart: T0 },
};

describe("Function: decideThread", () => {
  it.each([
    ["ALARM with no thread opens one", "ALARM", "OK", T0, undefined, { action: "open" }],
    [
      "ALARM after a resolved thread opens a new one",
      "ALARM",
      "OK",
      T0 + 120_000,
      resolved,
      { action: "open" },
    ],
    [
      "ALARM again replies in the open thread",
      "ALARM",
      "INSUFFICIENT_DATA",
      T0 + 60_000,
      open,
      { action: "reply", thread: open },
    ],
    [
      "INSUFFICIENT_DATA replies in the open thread",
      "INSUFFICIENT_DATA",
      "ALARM",
      T0 + 60_000,
      open,
      { action: "reply", thread: open },
    ],
    [
      "INSUFFICIENT_DATA without a thread posts on its own",
      "INSUFFICIENT_DATA",
      "OK",
      T0,
      undefined,
      { action: "post" },
    ],
    [
      "OK resolves the open thread with the duration",
      "OK",
      "ALARM",
      T0 + 900_000,
      open,
      { action: "resolve", thread: open, durationMs: 900_000 },
    ],
    ["OK after ALARM without a thread posts on its own", "OK", "ALARM", T0, undefined, { action: "post" }],
    [
      "OK after INSUFFICIENT_DATA is skipped",
      "OK",
      "INSUFFICIENT_DATA",
      T0,
      undefined,
      { action: "skip", reason: expect.stringContaining("nothing to resolve") },
    ],
    [
      "OK of an alarm listed in a storm group without a thread shows there",
      "OK",
      "INSUFFICIENT_DATA",
      T0 + 60_000,
      listed,
      { action: "show-in-group", thread: listed },
    ],
    [
      "OK after an ALARM that never got to Slack, of an alarm listed INSUFFICIENT_DATA, posts on its own",
      "OK",
      "ALARM",
      T0 + 60_000,
      listed,
      { action: "post" },
    ],
    [
      "OK after an unhandled INSUFFICIENT_DATA, of a listed alarm that already shows OK, is skipped",
      "OK",
      "INSUFFICIENT_DATA",
      T0 + 60_000,
      { ...listed, lastState: "OK" },
      { action: "skip", reason: expect.stringContaining("nothing to resolve") },
    ],
    [
      "OK of a listed alarm that already shows OK is skipped",
      "OK",
      "INSUFFICIENT_DATA",
      T0 + 60_000,
      { ...listed, lastState: "OK" },
      { action: "skip", reason: expect.stringContaining("nothing to resolve") },
    ],
    [
      "a transition older than the last handled is stale",
      "ALARM",
      "OK",
      T0 - 1,
      okOnly,
      { action: "skip", reason: expect.stringContaining("stale") },
    ],
    [
      "the same transition twice is stale",
      "OK",
      "ALARM",
      T0 + 60_000,
      resolved,
      { action: "skip", reason: expect.stringContaining("stale") },
    ],
  ] as const)("%s", (_, state, previous, at, thread, expected) => {
    expect(decideThread({ state, previous, at }, thread)).toEqual(expected);
  });
});

describe("Function: alarmTransition", () => {
  it("reads CloudWatch's offset without a colon", () => {
    const t = alarmTransition(
      { value: "ALARM", timestamp: "2026-03-02T12:04:40.989+0000" },
      { value: "OK" },
      "x",
    );
    expect(t.at).toBe(Date.parse("2026-03-02T12:04:40.989Z"));
    expect(parseAwsTime("2026-03-02T14:04:40.989+0200")).toBe(t.at);
  });

  it("falls back to the event time", () => {
    expect(alarmTransition({ value: "OK" }, { value: "ALARM" }, "2026-03-02T12:00:00Z").at).toBe(T0);
  });
});

describe("Function: closeOnUndeliveredOk", () => {
  const closed: AlarmThread = { ...open, lastState: "OK", lastStateAt: T0 + 60_000, resolved: true };
  it.each([
    ["an OK not delivered closes the open thread, as of the OK", "OK", T0 + 60_000, open, closed],
    ["an OK older than the thread's latest transition closes nothing", "OK", T0 - 1, open, undefined],
    ["an OK after a resolved thread closes nothing", "OK", T0 + 120_000, resolved, undefined],
    ["an OK with no thread closes nothing", "OK", T0 + 60_000, undefined, undefined],
    ["an ALARM not delivered leaves the thread open", "ALARM", T0 + 60_000, open, undefined],
  ] as const)("%s", (_, state, at, thread, expected) => {
    expect(closeOnUndeliveredOk({ state, previous: "ALARM", at }, thread)).toEqual(expected);
  });

  it("makes the alarm's next ALARM open a new thread, and a late ALARM of the old incident stale", () => {
    const after = closeOnUndeliveredOk({ state: "OK", previous: "ALARM", at: T0 + 60_000 }, open);
    expect(decideThread({ state: "ALARM", previous: "OK", at: T0 + 86_400_000 }, after)).toEqual({
      action: "open",
    });
    expect(decideThread({ state: "ALARM", previous: "OK", at: T0 + 30_000 }, after)).toMatchObject({
      action: "skip",
    });
  });
});
