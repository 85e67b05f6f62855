import { describe, expect, it } from "vitest";
import { floorSummary, floorsIntro, ratioSummary } from "../bench/report.js";

const fn = (importRatio: number, q1: number, q3: number) => ({
  importRatio,
  importRatioQuartiles: [q1, q3] as const,
});

describe("Bench report: ratioSummary", () => {
  it("counts the functions the median puts within 2.5x, and tells a near miss from a clear one", () => {
    const summary = ratioSummary([
      fn(2.1, 2.0, 2.3),
      fn(2.5, 2.3, 2.7),
      fn(2.6, 2.45, 2.8),
      fn(2.6, 2.5, 2.9),
      fn(3.2, 2.9, 3.4),
    ]);

    expect(summary).toBe(
      "Import ≤ 2.5x: 2 of 5 functions by the median. Of the 3 over it, 2 have 2.5x inside the middle half of " +
        "their rounds (a run can land either side), and 1 misses it in more than three rounds of four.",
    );
  });

  it("counts a function without quartiles (an older run's figures) as a clear miss, not a near one", () => {
    expect(ratioSummary([{ importRatio: 2.7 }])).toContain(
      "0 have 2.5x inside the middle half of their rounds (a run can land either side), and 1 misses",
    );
  });
});

describe("Bench report: floorSummary", () => {
  const bundles = [
    { function: "lifecycle/complete", importRatio: 2.62 },
    { function: "alerts/router", importRatio: 3.67 },
    { function: "drills/poll", importRatio: 2.1 },
  ];

  it("says how far each function measures above its whole set of libraries, and when the set alone is over", () => {
    const summary = floorSummary(
      [
        { name: "Auto Scaling client + 1 command", importRatio: 1.95 },
        { name: "complete's libraries", importRatio: 2.06, of: "lifecycle/complete" },
        { name: "router's libraries", importRatio: 3.07, of: "alerts/router" },
      ],
      bundles,
    );

    expect(summary.split("\n")).toEqual([
      "- lifecycle/complete: its libraries alone 2.06x, the function 2.62x. The function measures 0.56x above " +
        "its libraries (its own code and zod schemas). The target leaves room for 0.44x above them.",
      "- alerts/router: its libraries alone 3.07x, the function 3.67x. The libraries alone are over 2.5x: while " +
        "the function loads them all at a cold start, no change to its own code can bring it within the target.",
    ]);
  });

  it("reports a function measured below its own set as noise, not as a negative share", () => {
    expect(floorSummary([{ name: "poll's libraries", importRatio: 2.2, of: "drills/poll" }], bundles)).toBe(
      "- drills/poll: its libraries alone 2.20x, the function 2.10x. The function measures no more than its " +
        "libraries: within this run's noise. The target leaves room for 0.30x above them.",
    );
  });

  it("says what a set that leaves out a package the function could shed measures, and whether that is enough", () => {
    const leavesOut = { "@aws-sdk/client-cloudwatch": "it could import it on first use" };
    const lines = floorSummary(
      [
        { name: "a", importRatio: 2.8, of: "alerts/router", leavesOut },
        { name: "b", importRatio: 2.3, of: "alerts/router", leavesOut },
      ],
      bundles,
    ).split("\n");
    expect(lines).toEqual([
      "- alerts/router without @aws-sdk/client-cloudwatch (it could import it on first use): its libraries 2.80x. " +
        "Even without it, they are over 2.5x.",
      "- alerts/router without @aws-sdk/client-cloudwatch (it could import it on first use): its libraries 2.30x. " +
        "That would leave room for 0.20x above them.",
    ]);
  });

  it("leaves out a set whose function was not measured (a filtered run)", () => {
    expect(floorSummary([{ name: "x", importRatio: 3, of: "drills/none" }], bundles)).toBe("");
  });
});

describe("Bench report: floorsIntro", () => {
  it("names the functions whose whole sets the table holds, from the floors themselves", () => {
    const intro = floorsIntro([
      {},
      { of: "lifecycle/complete" },
      { of: "alerts/router" },
      { of: "alerts/router" },
    ]);
    expect(intro).toContain(
      "the rows named after lifecycle/complete and alerts/router measure each one's whole set",
    );
    expect(floorsIntro([{}, {}])).not.toContain("whole set");
  });
});
