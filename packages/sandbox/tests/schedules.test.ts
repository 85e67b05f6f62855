import { describe, expect, it } from "vitest";
import { SandboxClock } from "../src/clock.js";
import { nextFiring, Schedules } from "../src/schedules.js";

const AT = Date.parse("2026-11-27T09:00:30Z"); // a Friday

describe("Function: nextFiring", () => {
  it.each([
    ["rate(1 minute)", "2026-11-27T09:01:00.000Z"],
    ["rate(5 minutes)", "2026-11-27T09:05:00.000Z"],
    ["rate(1 hour)", "2026-11-27T10:00:00.000Z"],
    ["cron(0 3 ? * SUN *)", "2026-11-29T03:00:00.000Z"],
    ["cron(*/15 * * * ? *)", "2026-11-27T09:15:00.000Z"],
    ["cron(30 9 27 NOV ? 2026)", "2026-11-27T09:30:00.000Z"],
  ])("fires %s next at %s", (expression, expected) => {
    expect(new Date(AT + nextFiring(expression, AT)).toISOString()).toBe(expected);
  });
});

describe("Class: Schedules", () => {
  it("fires on the sandbox clock until removed", async () => {
    const clock = new SandboxClock({ start: AT });
    const schedules = new Schedules(clock);
    let runs = 0;
    schedules.add("monitor", "rate(1 minute)", () => {
      runs += 1;
    });
    await clock.advance(3 * 60_000);
    expect(runs).toBe(3);
    schedules.closeAll();
    await clock.advance(3 * 60_000);
    expect([runs, clock.pending()]).toEqual([3, 0]);
  });
});
