import { describe, expect, it } from "vitest";
import { clawopsSeverity, renderClawopsMessage } from "../../src/alerts/index.js";
import { ClawopsEventSchema, parseEvent } from "../../src/events/index.js";
import { loadFixture, withField } from "../events/fixtures.js";

const event = (type: string, path?: string, value?: unknown) =>
  parseEvent(
    ClawopsEventSchema,
    path ? withField(loadFixture("clawops", type), path, value) : loadFixture("clawops", type),
  );
const text = (type: string, path?: string, value?: unknown) =>
  JSON.stringify(renderClawopsMessage(event(type, path, value), { route: { severity: "info" } }));

describe("Function: failure drill messages", () => {
  it("announces the instance and the windows before the drill stops anything", () => {
    const message = text("FailureDrillStarted");
    expect(message).toContain("Failure drill starting");
    expect(message).toContain("i-0abc1234def567890");
    expect(message).toContain("alert ≤ 120 s");
  });

  it("shows each measured time against its window when the drill ends", () => {
    const message = text("FailureDrillCompleted");
    expect(message).toContain("Failure drill passed");
    expect(message).toContain("420 s (window 900 s)");
  });

  it("says why a drill aborted", () => {
    const message = text(
      "FailureDrillCompleted",
      "detail.abortedBecause",
      "the alarm did not fire within twice its window (600 s)",
    );
    expect(message).toContain("the alarm did not fire within twice its window");
  });

  it.each<[string, string | undefined, unknown, string]>([
    ["FailureDrillStarted", undefined, undefined, "info"],
    ["FailureDrillCompleted", undefined, undefined, "info"],
    ["FailureDrillCompleted", "detail.passed", false, "high"],
  ])("grades %s (%s=%j) as %s", (type, path, value, severity) => {
    expect(clawopsSeverity(event(type, path, value))).toBe(severity);
  });
});
