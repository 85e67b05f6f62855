import type { HistoryEvent } from "@aws-sdk/client-sfn";
import { describe, expect, it } from "vitest";
import { drillMilestones, drillProgress } from "../src/format/drill-progress.js";

let id = 0;
const entered = (name: string, input: unknown = {}): HistoryEvent => ({
  id: ++id,
  timestamp: new Date(0),
  type: "TaskStateEntered",
  stateEnteredEventDetails: { name, input: JSON.stringify(input) },
});

const fs = (fileSystemId: string, extra: Record<string, unknown> = {}) => ({
  fileSystem: { fileSystemId, kind: "workspace", path: "/workspace" },
  ...extra,
});

describe("Function: drillProgress", () => {
  it.each([
    ["nothing yet", [], undefined],
    ["planning", [entered("Plan")], "planning: finding the fleet's file systems"],
    [
      "choosing",
      [entered("Plan"), entered("ChooseRecoveryPoint", fs("fs-1"))],
      "fs-1: choosing the recovery point",
    ],
    [
      "restoring with PercentDone and the RPO",
      [entered("PollRestore", fs("fs-1", { point: { rpoSeconds: 3 * 3600 }, restore: { percentDone: 45 } }))],
      "fs-1: restoring 45% (RPO 3h 00m)",
    ],
    [
      "restoring before AWS reports a percentage",
      [entered("WaitForRestore", fs("fs-1", { restore: { percentDone: null } }))],
      "fs-1: restoring",
    ],
    [
      "mounting for the verifier while the restore still runs",
      [entered("PrepareWhileRestoring", fs("fs-1", { restore: { percentDone: 25 } }))],
      "fs-1: restoring 25%, mounting the new file system for the verifier meanwhile",
    ],
    [
      "verifying the soul documents and the runtime files",
      [
        entered(
          "Verify",
          fs("fs-1", {
            expectations: {
              manifest: { files: { "SOUL.md": "a", "AGENTS.md": "b" } },
              runtime: { files: 12 },
            },
          }),
        ),
      ],
      "fs-1: verifying 14 files",
    ],
    [
      "two file systems at once, each by its latest state",
      [
        entered("ChooseRecoveryPoint", fs("fs-1")),
        entered("ChooseRecoveryPoint", fs("fs-2")),
        entered("StartCleanup", fs("fs-1")),
        entered("WaitForMount", fs("fs-2")),
      ],
      "fs-1: cleaning up; fs-2: mounting the restored file system for the verifier",
    ],
    [
      "reporting once the branches are done",
      [entered("Verify", fs("fs-1")), entered("ReportWhileCleaningUp", { branches: [] })],
      "reporting, removing the restored file systems",
    ],
  ])("shows %s", (_, events, expected) => {
    expect(drillProgress(events as HistoryEvent[])).toBe(expected);
  });

  it("ignores an input it cannot parse instead of failing the command", () => {
    const broken: HistoryEvent = {
      id: 1,
      timestamp: new Date(0),
      type: "TaskStateEntered",
      stateEnteredEventDetails: { name: "Verify", input: "{not json" },
    };
    expect(drillProgress([broken])).toBeUndefined();
  });
});

describe("Function: drillMilestones", () => {
  it("lists every change of phase once, with its time, even those a poll would miss", () => {
    const at = (ms: number, event: HistoryEvent): HistoryEvent => ({ ...event, timestamp: new Date(ms) });
    const events = [
      at(0, entered("Plan")),
      at(1_000, entered("ChooseRecoveryPoint", fs("fs-1"))),
      at(2_000, entered("StartRestore", fs("fs-1", { point: { rpoSeconds: 60 } }))),
      at(3_000, entered("WaitForRestore", fs("fs-1", { point: { rpoSeconds: 60 } }))),
      at(63_000, entered("WaitForRestore", fs("fs-1", { point: { rpoSeconds: 60 } }))),
      at(64_000, entered("Verify", fs("fs-1", { expectations: { runtime: { files: 3 } } }))),
      at(65_000, entered("StartCleanup", fs("fs-1"))),
      at(66_000, entered("ReportWhileCleaningUp")),
    ];
    expect(drillMilestones(events)).toEqual([
      { at: 0, line: "planning: finding the fleet's file systems" },
      { at: 1_000, line: "fs-1: choosing the recovery point" },
      { at: 2_000, line: "fs-1: recovery point chosen (RPO 1m 00s), starting the restore" },
      { at: 3_000, line: "fs-1: restoring (RPO 1m 00s)" },
      { at: 64_000, line: "fs-1: verifying 3 files" },
      { at: 65_000, line: "fs-1: cleaning up" },
      { at: 66_000, line: "reporting, removing the restored file systems" },
    ]);
  });

  it("logs a restore that loops while the mount is prepared once per change, and the preparation once", () => {
    const at = (ms: number, event: HistoryEvent): HistoryEvent => ({ ...event, timestamp: new Date(ms) });
    const restoring = (percentDone: number) =>
      fs("fs-1", { point: { rpoSeconds: 175 }, restore: { percentDone } });
    // Each loop of the workflow: WaitForRestore, PollRestore, RestoreDone, PrepareWhileRestoring.
    const loop = (start: number, percentDone: number) =>
      ["WaitForRestore", "PollRestore", "RestoreDone", "PrepareWhileRestoring"].map((state, i) =>
        at(start + i, entered(state, restoring(percentDone))),
      );
    const events = [
      ...[0, 0, 0, 0, 0, 0, 0, 0].flatMap((percent, i) => loop(i * 15_000, percent)),
      ...[50, 50, 50].flatMap((percent, i) => loop(120_000 + i * 15_000, percent)),
      at(200_000, entered("PrepareVerification", restoring(100))),
    ];
    expect(drillMilestones(events)).toEqual([
      { at: 0, line: "fs-1: restoring 0% (RPO 2m 55s)" },
      { at: 3, line: "fs-1: mounting the new file system for the verifier while the restore runs" },
      { at: 120_000, line: "fs-1: restoring 50% (RPO 2m 55s)" },
      { at: 200_000, line: "fs-1: mounting the restored file system for the verifier" },
    ]);
  });
});
