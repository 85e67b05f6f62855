import { describe, expect, it } from "vitest";
import { ratioSummary } from "../bench/report.js";

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
