import { describe, expect, it } from "vitest";
import {
  decideStorm,
  renderStormPage,
  type StormEntry,
  stormPages,
  stormRenderStep,
  stormWindowStart,
} from "../../src/alerts/index.js";

describe("Function: decideStorm", () => {
  it.each([
    [1, 5, "individual"],
    [5, 5, "individual"],
    [6, 5, "grouped"],
    [1000, 5, "grouped"],
  ] as const)("puts transition %i with threshold %i in %s", (position, threshold, expected) => {
    expect(decideStorm(position, threshold)).toBe(expected);
  });
});

describe("Function: stormWindowStart", () => {
  it("aligns windows so every invocation agrees", () => {
    const start = Date.parse("2026-03-02T12:00:00Z");
    expect(stormWindowStart(start + 59_999, 60)).toBe(start);
    expect(stormWindowStart(start + 60_000, 60)).toBe(start + 60_000);
  });
});

describe("Function: stormRenderStep", () => {
  it.each([
    [
      "is done once its entry is rendered",
      { position: 7, renderedCount: 7, now: 0, nextRenderAt: 99 },
      { action: "done" },
    ],
    [
      "renders when the slot is free",
      { position: 8, renderedCount: 7, now: 100, nextRenderAt: 100 },
      { action: "render" },
    ],
    [
      "waits for the slot otherwise",
      { position: 8, renderedCount: 7, now: 100, nextRenderAt: 600 },
      { action: "wait", ms: 500 },
    ],
  ])("%s", (_, input, expected) => {
    expect(stormRenderStep(input)).toEqual(expected);
  });
});

describe("Function: stormPages", () => {
  const entry = (alarmName: string, state: StormEntry["state"], at: number): StormEntry => ({
    alarmName,
    state,
    at,
  });

  it("shows each alarm once with its latest state, in order of first appearance", () => {
    const pages = stormPages([entry("a", "ALARM", 1), entry("b", "ALARM", 2), entry("a", "OK", 3)], 10);
    expect(pages).toEqual([[entry("a", "OK", 3), entry("b", "ALARM", 2)]]);
  });

  it("splits into pages", () => {
    const entries = Array.from({ length: 25 }, (_, i) => entry(`a${i}`, "ALARM", i));
    expect(stormPages(entries, 10).map((page) => page.length)).toEqual([10, 10, 5]);
  });
});

describe("Function: renderStormPage", () => {
  it("lists 400 alarms within Slack's limits, every name visible", () => {
    const entries = Array.from({ length: 400 }, (_, i) => ({
      alarmName: `clawops-bench-fleet-gateway-${String(i).padStart(4, "0")}`,
      state: "ALARM" as const,
      at: i,
    }));
    const message = renderStormPage(entries, {
      windowStart: 0,
      windowSeconds: 60,
      total: 1000,
      page: 0,
      pages: 3,
      region: "us-east-1",
    });
    const json = JSON.stringify(message.blocks);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(json).not.toContain("truncated");
    for (const e of entries) expect(json).toContain(e.alarmName);
    expect(message.text).toContain("1000 alarm changes");
  });
});
