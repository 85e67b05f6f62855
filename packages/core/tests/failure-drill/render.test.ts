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

  it.each<[string, unknown, string]>([
    ["restarted", { outcome: "restarted", reason: null }, "the gateway on i-0abc1234def567890 was restarted"],
    [
      "failed",
      { outcome: "failed", reason: "SendCommand failed: AccessDeniedException: not authorized" },
      "could not be restarted (SendCommand failed: AccessDeniedException: not authorized): it stays stopped",
    ],
    [
      "instance-gone",
      { outcome: "instance-gone", reason: null },
      "left the group, so there was no gateway to restart",
    ],
  ])("says what became of the stopped gateway after an abort (%s)", (_case, restart, said) => {
    const aborted = withField(
      loadFixture("clawops", "FailureDrillCompleted"),
      "detail.abortedBecause",
      "the alarm did not fire within twice its window (600 s)",
    );
    const message = JSON.stringify(
      renderClawopsMessage(parseEvent(ClawopsEventSchema, withField(aborted, "detail.restart", restart)), {
        route: { severity: "info" },
      }),
    );
    expect(message).toContain(said);
    expect(message).not.toContain("restarted if its instance remained");
  });

  it.each<[string, string | undefined, unknown, string]>([
    ["FailureDrillStarted", undefined, undefined, "info"],
    ["FailureDrillCompleted", undefined, undefined, "info"],
    ["FailureDrillCompleted", "detail.passed", false, "high"],
  ])("grades %s (%s=%j) as %s", (type, path, value, severity) => {
    expect(clawopsSeverity(event(type, path, value))).toBe(severity);
  });
});
